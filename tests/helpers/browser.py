"""Headless Chromium (Debian's /usr/bin/chromium) driven by Playwright, for tests and tools.

Use the module-scoped `browser` fixture (import it into a test module or a conftest):

    from tests.helpers import browser as browser_helper
    browser = browser_helper.browser

    def test_x(browser):
        with browser_helper.open_html(browser, html, width=375) as page:
            assert browser_helper.scroll_width(page) <= 375
        with browser_helper.open_url(browser, "http://127.0.0.1:8123/u/...", width=700) as page:
            page.click("text=Unsubscribe")

When Chromium or Playwright is missing, tests using the fixture skip and say why
(`make test` installs Chromium with apt-get when it runs as root). `playwright install`
is never used: it downloads a browser, and this project runs the system one.

Pages are offline: requests to 127.0.0.1/localhost and data: URLs go through; an image from
anywhere else is answered with a local grey placeholder of the same kind (so thumbnails take
their real place in the layout); every other outside request is aborted.
"""

from __future__ import annotations

import base64
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, Route

CHROMIUM = Path(os.environ.get("DIGEST_CHROMIUM", "/usr/bin/chromium"))
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
# A 16x9 grey PNG: what every outside image turns into.
PLACEHOLDER_PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAABAAAAAJCAIAAAC0SDtlAAAAFElEQVR42mM4ffUBSYhhVMOg0AAAHBNoEOMwExUAAAAASUVORK5CYII="
)


def missing() -> str | None:
    """Why the browser cannot run here, or None when it can."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is not installed (pip install -e '.[dev]')"
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        hint = "apt-get install chromium fonts-noto-cjk (as root: make browser)"
        return f"Chromium is not installed at {CHROMIUM}; {hint}"
    return None


@contextmanager
def launched() -> Iterator[Browser]:
    """Chromium, started and stopped (for scripts; tests use the `browser` fixture)."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test module. Not for the whole session: Playwright's sync API keeps
    an event loop running in this thread while it is up, and other modules' tests call
    asyncio.run()."""
    reason = missing()
    if reason:
        pytest.skip(reason)
    with launched() as b:
        yield b


def _offline(route: Route) -> None:
    request = route.request
    url = urlsplit(request.url)
    if url.scheme in ("data", "blob", "about") or url.hostname in LOCAL_HOSTS:
        route.continue_()
    elif request.resource_type == "image":
        route.fulfill(status=200, content_type="image/png", body=PLACEHOLDER_PNG)
    else:
        route.abort()


@contextmanager
def _page(browser: Browser, width: int, height: int, **options: Any) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    try:
        page = context.new_page()
        page.route("**/*", _offline)
        yield page
    finally:
        context.close()


@contextmanager
def open_html(
    browser: Browser, html: str, width: int, height: int = 800, **options: Any
) -> Iterator[Page]:
    """A page showing `html` in a viewport `width` CSS pixels wide, images loaded.

    `options` go to browser.new_context (color_scheme="dark", device_scale_factor=2...)."""
    with _page(browser, width, height, **options) as page:
        page.set_content(html, wait_until="load")
        yield page


@contextmanager
def open_url(
    browser: Browser, url: str, width: int = 700, height: int = 800, **options: Any
) -> Iterator[Page]:
    """A page at `url` (a server on 127.0.0.1: outside hosts are not reached)."""
    with _page(browser, width, height, **options) as page:
        page.goto(url, wait_until="load")
        yield page


def scroll_width(page: Page) -> int:
    """How wide the document is: more than the viewport means a horizontal scroll bar."""
    return int(
        page.evaluate("Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)")
    )
