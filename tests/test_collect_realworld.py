"""Every captured real-world feed in ../shared/realworld/feeds, over HTTP and as a local file.

manifest.tsv says how many <item>/<entry> elements each file holds; digest must yield that
many articles (capped at Source.max_items), with titles decoded right.
"""

from __future__ import annotations

import asyncio
import csv
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from digest.collect import collect
from digest.config import Source
from digest.models import SourceReport
from tests.helpers.feedserver import FeedServer, feed_server

__all__ = ["feed_server"]

FEEDS = Path(__file__).resolve().parents[2] / "shared" / "realworld" / "feeds"
MISSING = "../shared/realworld not present (a user's own clone)"
NOW = datetime(2030, 1, 1, tzinfo=UTC)
MAX_ITEMS = Source(name="x", type="rss").max_items

# Where digest rightly yields fewer articles than the manifest's raw item count.
# file -> (articles expected, why)
KNOWN_DIFFERENCES: dict[str, tuple[int, str]] = {
    "miniflux_cerclepsy_latin1_nodecl.xml": (
        9,
        "the 4th of its 10 <item>s has an empty <title>, <link> and <description> (only a "
        "pubDate); an item with nothing to show is dropped (rss.parse_feed)",
    ),
}

# One real title per non-UTF-8 feed, and the encoding its bytes are in.
KNOWN_TITLES: dict[str, tuple[str, str]] = {
    "miniflux_ibash_windows1251.xml": ("Цитата #17703", "cp1251"),
    "nodefp_oren_ru_windows1251.xml": (
        "В Бузулуке главные стройплощадки – детсад и Ледовый дворец",
        "cp1251",
    ),
    "miniflux_golem_2018_latin1.xml": (
        "Machine Learning: Von KI erstelltes Porträt für 432.500 US.Dollar versteigert",
        "latin-1",
    ),
    "feedrs_golem_rss10_latin1.xml": (
        "Digitalministerium: Neue Glasfaserförderung mit Schnellkasse",
        "latin-1",
    ),
    "rssparser_jn_pt_latin1.rss": ("Mãe de utente é a nova presidente da Raríssimas", "latin-1"),
    "rssparser_uol_noticias_latin1_nodecl.rss": (
        "Ibope: Bolsonaro perde de Haddad, Ciro e Alckmin em simulações de 2º turno",
        "latin-1",
    ),
    "miniflux_cerclepsy_latin1_nodecl.xml": (
        "La criminalité liée surtout à... l'ennui ?",
        "latin-1",
    ),
}

# UTF-8 read as latin-1/cp1252 ("Ã©", "Ã£", "â€™", "Ð\x9f", "Ñ\x80"), or a replacement char.
MOJIBAKE = re.compile(
    "\ufffd|â€|[ÃÂ][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]|[ÐÑ][\u0080-\u00bf€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]"
)
CYRILLIC = re.compile("[\u0400-\u04ff]")


def feed_files() -> list[Path]:
    if not FEEDS.is_dir():
        return []
    return sorted(p for p in FEEDS.iterdir() if p.suffix in (".xml", ".rss", ".atom"))


def manifest() -> dict[str, dict[str, str]]:
    with (FEEDS / "manifest.tsv").open(encoding="utf-8", newline="") as f:
        return {row["local_file"]: row for row in csv.DictReader(f, delimiter="\t")}


def params() -> list[object]:
    files = feed_files()
    if not files:
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="no-shared")]
    return [pytest.param(p, id=p.name) for p in files]


def content_type(path: Path) -> str:
    return "application/atom+xml" if path.suffix == ".atom" else "application/rss+xml"


def collect_one(source: Source) -> SourceReport:
    result = asyncio.run(collect((source,), NOW))
    assert len(result.reports) == 1
    return result.reports[0]


def check(report: SourceReport, path: Path) -> None:
    row = manifest()[path.name]
    if report.failure is not None:
        assert report.failure.reason.strip(), "a failure must say why"
        assert report.articles == ()
        assert int(row["items"]) == 0, (
            f"{path.name}: failed ({report.failure.reason}) but the manifest lists "
            f"{row['items']} items"
        )
        return
    titles = [a.title for a in report.articles]
    assert titles, f"{path.name}: no articles and no failure"
    for title in titles:
        assert title.strip(), f"{path.name}: empty title"
        assert not MOJIBAKE.search(title), f"{path.name}: mojibake in {title!r}"
    expected = min(int(row["items"]), MAX_ITEMS)
    if path.name in KNOWN_DIFFERENCES:
        expected = KNOWN_DIFFERENCES[path.name][0]
    assert len(report.articles) == expected, (path.name, row["items"], row["notes"])
    if row["language"] == "ru":
        # cp1251 bytes read as latin-1 give "Öèòàòà": non-ASCII but no Cyrillic at all
        assert all(CYRILLIC.search(t) for t in titles if not t.isascii()), titles
        assert any(CYRILLIC.search(t) for t in titles), titles
    for article in report.articles:
        assert article.url is None or article.url.startswith(("http://", "https://"))
        assert len(article.excerpt) <= 341
    if path.name in KNOWN_TITLES:
        title, _ = KNOWN_TITLES[path.name]
        assert title in titles, f"{path.name}: {title!r} not among {titles[:5]}"


@pytest.mark.parametrize("path", params())
def test_feed_over_http(feed_server: FeedServer, path: Path) -> None:
    url = feed_server.serve("/" + path.name, path.read_bytes(), content_type=content_type(path))
    report = collect_one(Source(name=path.stem, type="rss", url=url))
    check(report, path)
    assert len(feed_server.requests_to("/" + path.name)) == 1


@pytest.mark.parametrize("path", params())
def test_feed_as_local_file(path: Path) -> None:
    report = collect_one(Source(name=path.stem, type="rss", url=str(path)))
    check(report, path)


def test_manifest_lists_every_feed_file() -> None:
    files = feed_files()
    if not files:
        pytest.skip(MISSING)
    rows = manifest()
    assert {p.name for p in files} == set(rows)
    for name, row in rows.items():
        assert row["items"].isdigit(), (name, row["items"])


def test_known_titles_are_really_in_the_files() -> None:
    """The titles above are the files' own bytes in their declared encoding, not guesses."""
    if not feed_files():
        pytest.skip(MISSING)
    rows = manifest()
    non_utf8 = {name for name, row in rows.items() if row["is_valid_utf8"] == "no"}
    assert non_utf8 == set(KNOWN_TITLES), "every non-UTF-8 feed needs a known title"
    for name, (title, encoding) in KNOWN_TITLES.items():
        raw = (FEEDS / name).read_bytes()
        assert title.encode(encoding) in raw, name
        assert title.encode("utf-8") not in raw, name


def test_known_differences_are_real() -> None:
    """The cerclepsy feed really has 10 <item>s, one of them empty."""
    if not feed_files():
        pytest.skip(MISSING)
    raw = (FEEDS / "miniflux_cerclepsy_latin1_nodecl.xml").read_bytes().decode("latin-1")
    items = re.findall(r"<item>(.*?)</item>", raw, re.S)
    assert len(items) == int(manifest()["miniflux_cerclepsy_latin1_nodecl.xml"]["items"]) == 10
    empty = [
        i
        for i in items
        if re.search(r"<title>\s*</title>", i) and re.search(r"<link>\s*</link>", i)
    ]
    assert len(empty) == 1


@pytest.mark.parametrize(
    "name",
    ["rssparser_uol_noticias_latin1_nodecl.rss", "nodefp_oren_ru_windows1251.xml"],
)
def test_encoding_given_only_by_the_http_header(feed_server: FeedServer, name: str) -> None:
    path = FEEDS / name
    if not path.is_file():
        pytest.skip(MISSING)
    charset = "windows-1251" if "1251" in name else "iso-8859-1"
    raw = path.read_bytes()
    # drop the XML declaration's encoding (if any): the header is all that is left
    body = re.sub(rb'(<\?xml[^>]*?)\s+encoding="[^"]*"', rb"\1", raw, count=1)
    url = feed_server.serve("/f.xml", body, content_type=f"text/xml; charset={charset}")
    report = collect_one(Source(name="f", type="rss", url=url))
    check(report, path)
