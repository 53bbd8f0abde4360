"""The archive: `digest archive build` on issues sent by the real pipeline (example config,
outbox transport, real SQLite), parsed back; and the same pages from `digest serve`."""

from __future__ import annotations

import asyncio
import csv
import shutil
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import httpx
import pytest

from digest import config, pipeline, store, subscribers
from digest.web import create_app
from tests.conftest import ROOT
from tests.helpers.cli import run_digest
from tests.helpers.webserver import serving

SECRET = "archive-test-secret"
PUBLIC = "https://news.example.org"
NEW_PAGE = """---
title: Russia and North Korea sign a second accord
date: {date}
---
Russia and North Korea signed a further accord in Pyongyang on Tuesday.
"""


class Links(HTMLParser):
    """Every <a href> with its text, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[tuple[str, str]] = []
        self._href: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self.links.append((self._href, ""))

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            href, text = self.links[-1]
            self.links[-1] = (href, text + data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._href = None


def links(page: str) -> list[tuple[str, str]]:
    parser = Links()
    parser.feed(page)
    return parser.links


class Project:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.cfg = config.load(root / "config.example.toml")
        self.engine = store.open_engine(self.cfg.settings.database)

    def digest(self, *args: str) -> str:
        done = run_digest(self.root, "-c", "config.example.toml", *args, secret=SECRET)
        assert done.returncode == 0, done.stderr
        return done.stdout

    def send(self, list_id: str, period: str) -> None:
        now = datetime.now(UTC)
        asyncio.run(pipeline.collect(self.cfg, self.engine, now))
        outcome = asyncio.run(
            pipeline.send_list(self.cfg, self.engine, list_id, now, period=period)
        )
        assert outcome.sent > 0 and not outcome.failed


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Both example lists sent once, then weekly-en a second time with a new saved page."""
    root = tmp_path_factory.mktemp("archive")
    shutil.copy(ROOT / "config.example.toml", root)
    shutil.copytree(ROOT / "examples", root / "examples")
    p = Project(root)
    p.digest("subscribers", "import", "weekly-en", "examples/subscribers-en.csv")
    p.digest("subscribers", "import", "weekly-fr", "examples/subscribers-fr.csv")
    p.send("weekly-en", "first")
    p.send("weekly-fr", "first")
    today = datetime.now(UTC).date().isoformat()
    (root / "examples" / "pages" / "accord.md").write_text(
        NEW_PAGE.format(date=today), encoding="utf-8"
    )
    p.send("weekly-en", "second")
    p.digest("archive", "build", "site")
    return p


def people(root: Path) -> list[tuple[str, str]]:
    rows = []
    for name in ("subscribers-en.csv", "subscribers-fr.csv"):
        with (root / "examples" / name).open(encoding="utf-8") as fh:
            rows += [(r["email"], r["name"]) for r in csv.DictReader(fh)]
    return rows


def test_index_pages_list_the_sent_issues_newest_first(project: Project) -> None:
    site = project.root / "site"
    top = links((site / "index.html").read_text(encoding="utf-8"))
    assert top == [
        ("weekly-en/index.html", "The Monday Letter"),
        ("weekly-fr/index.html", "La lettre du lundi"),
    ]
    stored = {r["number"]: r["subject"] for r in store.list_issues(project.engine, "weekly-en")}
    assert sorted(stored) == [1, 2]
    index = (site / "weekly-en" / "index.html").read_text(encoding="utf-8")
    assert links(index) == [
        ("2.html", stored[2]),
        ("1.html", stored[1]),
        ("feed.atom", "Atom feed"),
    ]
    assert 'type="application/atom+xml"' in index
    for number in (1, 2):
        page = (site / "weekly-en" / f"{number}.html").read_text(encoding="utf-8")
        assert page.lstrip().lower().startswith("<!doctype html")
    second = (site / "weekly-en" / "2.html").read_text(encoding="utf-8")
    assert "Russia and North Korea sign a second accord" in second
    fr = links((site / "weekly-fr" / "index.html").read_text(encoding="utf-8"))
    assert [h for h, _ in fr] == ["1.html", "feed.atom"]


def test_the_feed_is_valid_atom_that_feedparser_reads_back(project: Project) -> None:
    raw = (project.root / "site" / "weekly-en" / "feed.atom").read_bytes()
    feed = feedparser.parse(raw)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "The Monday Letter"
    assert feed.feed.id == f"{PUBLIC}/issues/weekly-en/"
    assert feed.feed.updated_parsed is not None
    rows = store.list_issues(project.engine, "weekly-en")
    assert [e.link for e in feed.entries] == [
        f"{PUBLIC}/issues/weekly-en/2",
        f"{PUBLIC}/issues/weekly-en/1",
    ]
    assert [e.id for e in feed.entries] == [e.link for e in feed.entries]
    assert [e.title for e in feed.entries] == [r["subject"] for r in reversed(rows)]
    assert all(e.updated_parsed and e.summary for e in feed.entries)
    assert "Russia and North Korea sign a second accord" in feed.entries[0].content[0].value
    assert feed.entries[0].content[0].type == "text/html"


def test_no_page_carries_an_address_a_name_or_a_token(project: Project) -> None:
    secret = SECRET.encode()
    tokens = [
        subscribers.make_token(secret, s.id)
        for list_id in ("weekly-en", "weekly-fr")
        for s in subscribers.list_all(project.engine, list_id)
    ]
    assert len(tokens) == 5
    files = sorted((project.root / "site").rglob("*.*"))
    assert len(files) == 1 + 2 * 2 + 3  # the top index; per list an index and feed; issues
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "%%DIGEST:" not in text, path
        assert f"{PUBLIC}/u/" not in text, path
        for email, name in people(project.root):
            assert email not in text and f">{name}<" not in text, (path, email)
        assert not any(t in text for t in tokens), path


def test_serve_answers_the_same_archive(project: Project) -> None:
    site = project.root / "site"
    app = create_app(project.cfg, project.engine, SECRET.encode())
    with serving(app) as url:
        index = httpx.get(f"{url}/issues/weekly-en/")
        assert index.status_code == 200
        static = (site / "weekly-en" / "index.html").read_text(encoding="utf-8")
        assert index.text == static.replace('.html"', '"')  # links without the suffix
        assert [h for h, _ in links(index.text)] == ["2", "1", "feed.atom"]
        feed = httpx.get(f"{url}/issues/weekly-en/feed.atom")
        assert feed.headers["content-type"].startswith("application/atom+xml")
        assert feed.content == (site / "weekly-en" / "feed.atom").read_bytes()
        issue = httpx.get(f"{url}/issues/weekly-en/2")
        assert issue.text == (site / "weekly-en" / "2.html").read_text(encoding="utf-8")
        top = httpx.get(f"{url}/issues/")
        assert [h for h, _ in links(top.text)] == ["weekly-en/", "weekly-fr/"]
        assert httpx.get(f"{url}/issues/nope/").status_code == 404
        assert httpx.get(f"{url}/issues/nope/feed.atom").status_code == 404
        assert httpx.get(f"{url}/preview").status_code == 404  # not asked for


def test_one_list_and_a_named_list_that_does_not_exist(project: Project) -> None:
    out = project.digest("archive", "build", "only-fr", "--list", "weekly-fr")
    assert "weekly-fr" in out and "weekly-en" not in out
    only = project.root / "only-fr"
    assert sorted(p.name for p in only.iterdir()) == ["index.html", "weekly-fr"]
    assert [h for h, _ in links((only / "index.html").read_text())] == ["weekly-fr/index.html"]
    bad = run_digest(
        project.root, "-c", "config.example.toml", "archive", "build", "x", "--list", "nope"
    )
    assert bad.returncode != 0
    assert bad.stderr.startswith("Error:") and "no list 'nope'" in bad.stderr


def test_subjects_are_escaped_in_the_index_and_the_feed(project: Project) -> None:
    from digest import archive

    lst = project.cfg.get_list("weekly-en")
    hostile = '<script>alert(1)</script> & "quotes"'
    issue = archive.ArchivedIssue("weekly-en", 7, datetime(2026, 1, 5, 7, tzinfo=UTC), hostile)
    page = archive.index_page(project.cfg, lst, [issue], ".html")
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page
    public = archive.PublicIssue(issue, hostile, f"<html><body><p>{hostile}</p></body></html>")
    feed = feedparser.parse(archive.atom_feed(project.cfg, lst, [public], datetime.now(UTC)))
    assert not feed.bozo and feed.entries[0].title == hostile
