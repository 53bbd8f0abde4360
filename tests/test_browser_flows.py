"""A subscriber's clicks in headless Chromium against `digest serve` (real uvicorn on
127.0.0.1, real SQLite): the unsubscribe link of a real sent email, then subscribing through
the form and confirming from the real confirmation email (outbox transport: .eml files)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from digest import config, store, subscribers
from tests.helpers import browser as browser_helper
from tests.helpers.cli import run_digest
from tests.helpers.project import PUBLIC_URL, WEEKLY, project_config
from tests.helpers.webserver import serving_project

if TYPE_CHECKING:
    from playwright.sync_api import Browser

browser = browser_helper.browser

SECRET = b"browser-flows-secret"
PUBLIC = PUBLIC_URL
CONFIG = project_config(WEEKLY)


class Site:
    def __init__(self, root: Path, url: str) -> None:
        self.root, self.url = root, url
        self.cfg = config.load(root / "digest.toml")
        self.engine = store.open_engine(self.cfg.settings.database)

    def mail(self, folder: str, address: str) -> EmailMessage:
        raw = (self.root / "outbox" / "weekly" / folder / f"{address}.eml").read_bytes()
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(msg, EmailMessage)
        return msg

    def local(self, url: str) -> str:
        """A link from an email, pointed at the test server instead of public_url."""
        assert url.startswith(PUBLIC), url
        return self.url + url[len(PUBLIC) :]


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Site]:
    with serving_project(tmp_path, CONFIG, SECRET, monkeypatch) as url:
        yield Site(tmp_path, url)


def test_unsubscribe_from_a_sent_email_by_clicking(site: Site, browser: Browser) -> None:
    now = datetime.now(UTC)
    sub, _ = subscribers.add(site.engine, "weekly", "camille@example.org", now)
    # the real CLI (Playwright's own event loop runs in this thread)
    assert run_digest(site.root, "collect", secret=SECRET.decode()).returncode == 0
    sent = run_digest(site.root, "send", "weekly", secret=SECRET.decode())
    assert sent.returncode == 0, sent.stderr
    html_part = site.mail("0001", "camille@example.org").get_body(("html",))
    assert html_part is not None
    links = re.findall(r'href="([^"]+/u/[^"]+)"', html_part.get_content())
    assert links, "no unsubscribe link in the email"
    with browser_helper.open_url(browser, site.local(links[0]), width=375) as page:
        assert "Se désabonner de La lettre du lundi" in page.inner_text("h1")
        assert subscribers.get(site.engine, sub.id).status == "active"  # opening did nothing
        button = page.get_by_role("button")
        box = button.bounding_box()
        assert box is not None and box["height"] >= 44  # a thumb can hit it
        button.click()
        page.wait_for_load_state("load")
        assert "Vous êtes désabonné" in page.inner_text("h1")
    assert subscribers.get(site.engine, sub.id).status == "unsubscribed"


def test_subscribe_with_the_form_and_confirm_from_the_email(site: Site, browser: Browser) -> None:
    with browser_helper.open_url(
        browser, f"{site.url}/subscribe/weekly", width=375, locale="fr-FR"
    ) as page:
        page.fill("#email", "nouveau@example.org")
        page.fill("#name", "Noé")
        page.click("button[type=submit]")
        page.wait_for_load_state("load")
        assert "Consultez votre boîte de réception" in page.inner_text("h1")
    assert subscribers.find(site.engine, "weekly", "nouveau@example.org").status == "pending"
    confirm = site.mail("confirm", "nouveau@example.org")
    text = confirm.get_body(("plain",))
    assert text is not None
    link = re.search(r"https://\S+/confirm/\S+", text.get_content())
    assert link, text.get_content()
    with browser_helper.open_url(browser, site.local(link.group(0)), width=375) as page:
        assert subscribers.find(site.engine, "weekly", "nouveau@example.org").status == "pending"
        page.get_by_role("button").click()
        page.wait_for_load_state("load")
        assert "Vous êtes abonné" in page.inner_text("h1")
    sub = subscribers.find(site.engine, "weekly", "nouveau@example.org")
    assert (sub.status, sub.name) == ("active", "Noé")
