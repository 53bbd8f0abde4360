"""The live preview in `digest serve`, over real HTTP (uvicorn on 127.0.0.1), on a real
SQLite file: what it shows, that it follows edits, and that it changes nothing."""

from __future__ import annotations

import asyncio
import html
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from digest import config, pipeline, store, subscribers
from digest.livepreview import is_loopback
from digest.web import create_app
from tests.helpers.cli import run_digest
from tests.helpers.project import WEEKLY_EN, WEEKLY_FR, project_config
from tests.helpers.webserver import serving

NOW = datetime.now(UTC)
CONFIG = project_config(WEEKLY_EN, WEEKLY_FR, extra='templates = "tpl"')
HOSTILE = '<img src=x onerror="alert(1)"> Russia & <b>wheat</b>'


class Site:
    def __init__(self, root: Path, url: str) -> None:
        self.root = root
        self.url = url
        self.cfg = config.load(root / "digest.toml")
        self.engine = store.open_engine(self.cfg.settings.database)

    def get(self, path: str, **params: str) -> httpx.Response:
        return httpx.get(f"{self.url}{path}", params=params, timeout=30)

    def version(self, list_id: str = "weekly-en") -> str:
        answer = self.get(f"/preview/{list_id}/version")
        assert answer.status_code == 200
        return str(answer.json()["version"])

    def collect(self) -> None:
        asyncio.run(pipeline.collect(self.cfg, self.engine, datetime.now(UTC)))

    def page(self, name: str, text: str) -> None:
        (self.root / "pages" / name).write_text(text, encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    (tmp_path / "digest.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "tpl").mkdir()
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "a.txt").write_text(
        "Russia raises its wheat forecast - Wire\n\nRussia expects a record wheat crop.\n",
        encoding="utf-8",
    )
    cfg = config.load(tmp_path / "digest.toml")
    engine = store.open_engine(cfg.settings.database)
    with serving(create_app(cfg, engine, b"secret", preview=True)) as url:
        s = Site(tmp_path, url)
        s.collect()
        yield s
        s.engine.dispose()
    engine.dispose()


def visible(page: str) -> str:
    """The page without the emails in the iframes' srcdoc."""
    return re.sub(r'srcdoc="[^"]*"', 'srcdoc=""', page)


def frames(page: str) -> list[tuple[str, str]]:
    """(class, the email HTML) of each iframe."""
    found = re.findall(r'<iframe class="(\w+)"[^>]*srcdoc="([^"]*)"', page)
    return [(cls, html.unescape(doc)) for cls, doc in found]


def test_the_page_shows_the_next_issue_as_digest_preview_builds_it(site: Site) -> None:
    index = site.get("/preview")
    assert index.status_code == 200
    assert 'href="/preview/weekly-en"' in index.text and "La lettre du lundi" in index.text

    page = site.get("/preview/weekly-en")
    assert page.status_code == 200
    _, issue, _ = pipeline.preview_for(site.cfg, site.engine, "weekly-en", None, NOW)
    shown = visible(page.text)
    assert html.escape(issue.subject) in shown and html.escape(issue.preheader) in shown
    assert re.search(r"Russia</td><td>1</td>", shown)  # the count per section
    got = frames(page.text)
    assert [cls for cls, _ in got] == ["desktop", "phone"]
    assert all("Russia raises its wheat forecast" in doc for _, doc in got)
    assert all("%%DIGEST:" not in doc for _, doc in got)
    text = re.search(r'<pre class="text">(.*?)</pre>', page.text, re.S)
    assert text and "Russia raises its wheat forecast" in html.unescape(text.group(1))
    alone = site.get("/preview/weekly-en/html")
    assert alone.status_code == 200 and "Russia raises its wheat forecast" in alone.text
    assert "script-src 'nonce-" in page.headers["content-security-policy"]


def test_a_new_source_file_changes_the_version_and_shows_once_collected(site: Site) -> None:
    before = site.version()
    assert site.version() == before  # stable while nothing changes
    site.page("b.txt", "Russia opens a new port - Wire\n\nA new Russian port opens.\n")
    after_file = site.version()
    assert after_file != before
    waiting = visible(site.get("/preview/weekly-en").text)
    assert "Pages: b.txt" in waiting and "Russia opens a new port" not in waiting
    site.collect()  # what the daemon does every collect_every, or `digest collect`
    assert site.version() != after_file  # the database moved: the page reloads
    shown = visible(site.get("/preview/weekly-en").text)
    assert "Russia opens a new port" in shown  # in the text part
    assert "Pages: b.txt" not in shown
    assert re.search(r"Russia</td><td>2</td>", shown)


def test_template_and_config_edits_show_without_a_restart(site: Site) -> None:
    before = site.version()
    assert "EDITED TEXT PART" not in site.get("/preview/weekly-en").text  # built-in ones cached
    (site.root / "tpl" / "digest.txt.j2").write_text(
        "EDITED TEXT PART {{ subject }}\n", encoding="utf-8"
    )
    after_template = site.version()
    assert after_template != before
    assert "EDITED TEXT PART" in site.get("/preview/weekly-en").text

    toml = site.root / "digest.toml"
    toml.write_text(CONFIG.replace('en = "Russia"', 'en = "Russian Federation"'), encoding="utf-8")
    assert site.version() != after_template
    assert "Russian Federation</td><td>1</td>" in visible(site.get("/preview/weekly-en").text)

    toml.write_text(CONFIG.replace('locale = "en"', 'locale = "xx"'), encoding="utf-8")
    broken = site.get("/preview/weekly-en")
    assert broken.status_code == 200  # shown on the page, not a crash
    assert "cannot be built" in broken.text and "locale" in broken.text
    assert "does not load" in site.get("/preview").text
    assert site.get("/preview/weekly-en/version").status_code == 200  # still polling


def test_as_address_shows_that_subscribers_version(site: Site) -> None:
    subscribers.add(site.engine, "weekly-en", "camille@example.org", NOW, locale="fr")
    page = site.get("/preview/weekly-en", **{"as": "camille@example.org"})
    assert page.status_code == 200
    shown = visible(page.text)
    assert "camille@example.org (fr)" in shown and "Russie</td><td>1</td>" in shown
    unknown = site.get("/preview/weekly-en", **{"as": "nobody@example.org"})
    assert "nobody@example.org is not on list weekly-en" in unknown.text


def test_feed_text_is_escaped_everywhere_on_the_page(site: Site) -> None:
    site.page("evil.txt", f"{HOSTILE} - Wire\n\nRussia grows wheat.\n")
    site.page("old.md", f"---\ntitle: '{HOSTILE} old'\ndate: 2001-01-01\n---\nRussia.\n")
    site.collect()
    page = site.get("/preview/weekly-en").text
    assert "<img src=x" not in page and "<b>wheat</b>" not in page
    assert "&lt;img src=x onerror=" in visible(page)  # the left-out list, as text
    assert all("<img src=x" not in doc for _, doc in frames(page))  # escaped in the email too


def test_the_preview_stores_and_marks_nothing(site: Site) -> None:
    site.page("b.txt", "Russia opens a new port - Wire\n\nA new Russian port opens.\n")
    states = store.feed_states(site.engine)
    subscribers.add(site.engine, "weekly-en", "a@example.org", NOW)
    for _ in range(2):
        assert site.get("/preview/weekly-en").status_code == 200
        assert site.get("/preview/weekly-en", **{"as": "a@example.org"}).status_code == 200
    assert store.list_issues(site.engine) == []
    assert store.feed_states(site.engine) == states
    assert [a.title for a in store.list_articles(site.engine)] == [
        "Russia raises its wheat forecast"
    ]
    assert not (site.root / "outbox").exists()


def test_preview_only_when_asked_and_only_to_a_loopback_host(tmp_path: Path) -> None:
    (tmp_path / "digest.toml").write_text(CONFIG, encoding="utf-8")
    (tmp_path / "pages").mkdir()
    cfg = config.load(tmp_path / "digest.toml")
    engine = store.open_engine(cfg.settings.database)
    with serving(create_app(cfg, engine, b"secret")) as url:
        assert httpx.get(f"{url}/preview").status_code == 404
        assert httpx.get(f"{url}/preview/weekly-en").status_code == 404
    with serving(create_app(cfg, engine, b"secret", preview=True)) as url:
        assert httpx.get(f"{url}/preview").status_code == 200
        port = url.rsplit(":", 1)[1]
        assert httpx.get(f"http://localhost:{port}/preview").status_code == 200
        rebound = httpx.get(f"{url}/preview", headers={"Host": f"attacker.example:{port}"})
        assert rebound.status_code == 403  # DNS rebinding gets nothing
    engine.dispose()


def test_serve_turns_the_preview_on_for_loopback_hosts_only(tmp_path: Path) -> None:
    assert all(map(is_loopback, ["127.0.0.1", "::1", "[::1]", "localhost", "127.0.0.2"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.168.1.5", "::", "news.example.org"]))
    helped = run_digest(tmp_path, "serve", "--help")
    assert "--preview / --no-preview" in helped.stdout
    assert "loopback" in " ".join(helped.stdout.split())


def test_the_readme_walkthrough_label_colour_and_section_template(site: Site) -> None:
    """README, "Changing the look, step by step", followed literally against a running serve."""
    from tests.conftest import ROOT

    def email() -> str:
        answer = site.get("/preview/weekly-en/html")
        assert answer.status_code == 200
        return answer.text

    toml = site.root / "digest.toml"
    text = CONFIG.replace('en = "Russia"', 'en = "The Russias"')
    toml.write_text(text, encoding="utf-8")
    assert "The Russias" in email()
    text = text.replace('terms = ["Russia*"', 'color = "#2f855a"\nterms = ["Russia*"')
    toml.write_text(text, encoding="utf-8")
    assert "#2f855a" in email()
    mine = site.root / "my-templates" / "partials"
    mine.mkdir(parents=True)
    builtin = (ROOT / "templates" / "email" / "partials" / "section.mjml.j2").read_text("utf-8")
    (mine / "section.mjml.j2").write_text(
        builtin.replace("{{ section.title }}", "{{ section.title }} (edited section)", 1),
        encoding="utf-8",
    )
    assert "(edited section)" not in email()  # not used until templates_dir names it
    toml.write_text(
        text.replace("[digest]", '[digest]\ntemplates_dir = "my-templates"', 1), encoding="utf-8"
    )
    page = email()
    assert "The Russias (edited section)" in page and "#2f855a" in page
