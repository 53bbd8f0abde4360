"""Feed collection over real HTTP against a local server (tests.helpers.feedserver)."""

from __future__ import annotations

import asyncio
import gzip
import socket
import warnings
from datetime import UTC, datetime

import httpx
import pytest

from digest.collect import FeedState, collect, collect_source, http
from digest.config import CollectSettings, Source
from digest.errors import SourceError
from digest.models import CollectResult, SourceReport
from tests.helpers.feedserver import FeedServer, feed_server, slow_chunks

__all__ = ["feed_server"]  # the fixture, imported for pytest

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
# every test server is 127.0.0.1: tests that are not about politeness do not wait for it
FAST = CollectSettings(politeness_seconds=0.0)


def rss(*titles: str, channel: str = "Example News", encoding: str | None = "utf-8") -> str:
    items = "".join(
        f"""
    <item>
      <title>{t}</title>
      <link>https://news.example.org/{i}?utm_source=rss&amp;id={i}</link>
      <guid>https://news.example.org/{i}</guid>
      <pubDate>Fri, 31 May 2024 0{i % 10}:00:00 GMT</pubDate>
      <description>&lt;p&gt;Body of {t}.&lt;/p&gt;</description>
    </item>"""
        for i, t in enumerate(titles)
    )
    decl = f'<?xml version="1.0" encoding="{encoding}"?>\n' if encoding else ""
    return f"""{decl}<rss version="2.0"><channel>
  <title>{channel}</title><link>https://news.example.org/</link><language>en-GB</language>{items}
</channel></rss>
"""


FEED = rss("First story", "Second story", "Third story")


def run(
    *sources: Source, state: dict[str, FeedState] | None = None, contact: str = ""
) -> CollectResult:
    return asyncio.run(collect(tuple(sources), NOW, state, contact, settings=FAST))


def one(source: Source, state: FeedState | None = None) -> SourceReport:
    result = run(source, state={source.name: state} if state else None)
    assert len(result.reports) == 1
    return result.reports[0]


def src(name: str, url: str) -> Source:
    return Source(name=name, type="rss", url=url)


async def fetch(url: str, **kwargs: object) -> http.Fetched:
    async with http.client() as client:
        return await http.fetch(client, url, **kwargs)  # type: ignore[arg-type]


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# 200, conditional GET ------------------------------------------------------------------


def test_200_parses_articles_and_reports_validators(feed_server: FeedServer) -> None:
    url = feed_server.serve(
        "/feed.xml", FEED, etag='"v1"', last_modified="Fri, 31 May 2024 10:00:00 GMT"
    )
    report = one(src("News", url))
    assert report.failure is None
    assert not report.unchanged
    assert [a.title for a in report.articles] == ["First story", "Second story", "Third story"]
    first = report.articles[0]
    assert first.source == "News"
    assert first.url == "https://news.example.org/0?id=0"  # utm_source dropped
    assert first.site == "Example News"
    assert first.lang == "en"
    assert first.text == "Body of First story."
    assert first.published == datetime(2024, 5, 31, 0, 0, tzinfo=UTC)
    assert report.etag == '"v1"'
    assert report.last_modified == "Fri, 31 May 2024 10:00:00 GMT"
    assert report.moved_to is None
    # a first fetch is unconditional
    sent = feed_server.requests_to("/feed.xml")[0]
    assert sent.header("If-None-Match") is None
    assert sent.header("If-Modified-Since") is None


def test_second_run_sends_if_none_match_and_gets_unchanged(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed.xml", FEED, etag='"abc-123"')
    first = one(src("News", url))
    assert len(first.articles) == 3 and first.etag == '"abc-123"'

    second = one(src("News", url), FeedState(etag=first.etag))
    assert second.unchanged is True
    assert second.failure is None
    assert second.articles == ()
    assert second.etag == '"abc-123"'  # kept for the next run
    requests = feed_server.requests_to("/feed.xml")
    assert len(requests) == 2
    assert requests[1].header("If-None-Match") == '"abc-123"'


def test_stale_etag_gets_the_full_feed(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed.xml", FEED, etag='"v2"')
    report = one(src("News", url), FeedState(etag='"v1"'))
    assert not report.unchanged
    assert len(report.articles) == 3
    assert report.etag == '"v2"'
    assert feed_server.requests_to("/feed.xml")[0].header("If-None-Match") == '"v1"'


def test_second_run_sends_if_modified_since(feed_server: FeedServer) -> None:
    stamp = "Fri, 31 May 2024 10:00:00 GMT"
    url = feed_server.serve("/feed.xml", FEED, last_modified=stamp)
    first = one(src("News", url))
    assert first.last_modified == stamp and len(first.articles) == 3

    second = one(src("News", url), FeedState(last_modified=first.last_modified))
    assert second.unchanged is True
    assert second.last_modified == stamp
    assert feed_server.requests_to("/feed.xml")[1].header("If-Modified-Since") == stamp


# redirects ---------------------------------------------------------------------------


@pytest.mark.parametrize("status", [301, 308])
def test_permanent_redirect_reports_moved_to(feed_server: FeedServer, status: int) -> None:
    new = feed_server.serve("/new.xml", FEED)
    old = feed_server.redirect("/old.xml", "/new.xml", status)  # relative Location
    report = one(src("News", old))
    assert report.failure is None
    assert len(report.articles) == 3
    assert report.moved_to == new


def test_chain_of_301_and_308_reports_the_last_url(feed_server: FeedServer) -> None:
    final = feed_server.serve("/c.xml", FEED)
    feed_server.redirect("/b.xml", final, 308)  # absolute Location
    start = feed_server.redirect("/a.xml", "/b.xml", 301)
    report = one(src("News", start))
    assert len(report.articles) == 3
    assert report.moved_to == final
    assert [r.path for r in feed_server.requests] == ["/a.xml", "/b.xml", "/c.xml"]


@pytest.mark.parametrize("status", [302, 303, 307])
def test_temporary_redirect_is_followed_but_not_remembered(
    feed_server: FeedServer, status: int
) -> None:
    feed_server.serve("/today.xml", FEED)
    url = feed_server.redirect("/feed.xml", "/today.xml", status)
    report = one(src("News", url))
    assert len(report.articles) == 3
    assert report.moved_to is None


def test_permanent_then_temporary_is_not_remembered(feed_server: FeedServer) -> None:
    feed_server.serve("/c.xml", FEED)
    feed_server.redirect("/b.xml", "/c.xml", 302)
    url = feed_server.redirect("/a.xml", "/b.xml", 301)
    report = one(src("News", url))
    assert len(report.articles) == 3
    assert report.moved_to != feed_server.url("/c.xml")


def test_moved_state_url_is_fetched_instead_of_the_configured_one(
    feed_server: FeedServer,
) -> None:
    new = feed_server.serve("/new.xml", FEED)
    feed_server.error("/old.xml", 500)
    report = one(src("News", feed_server.url("/old.xml")), FeedState(url=new))
    assert len(report.articles) == 3
    assert feed_server.requests_to("/old.xml") == []


def test_conditional_headers_follow_redirects_and_304_keeps_moved_to(
    feed_server: FeedServer,
) -> None:
    new = feed_server.serve("/new.xml", FEED, etag='"e"')
    old = feed_server.redirect("/old.xml", "/new.xml", 301)
    report = one(src("News", old), FeedState(etag='"e"'))
    assert report.unchanged is True
    assert report.moved_to == new
    assert feed_server.requests_to("/new.xml")[0].header("If-None-Match") == '"e"'


def test_redirect_loop_fails_with_a_reason(feed_server: FeedServer) -> None:
    feed_server.redirect("/a", "/b", 302)
    url = feed_server.redirect("/b", "/a", 302)
    report = one(src("Loop", url))
    assert report.failure is not None
    assert "redirects" in report.failure.reason
    assert len(feed_server.requests) == 6  # the first request and 5 redirects, no more


def test_redirect_without_location_fails(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed.xml", b"", status=301, content_type="text/plain")
    report = one(src("NoLoc", url))
    assert report.failure is not None
    assert "301" in report.failure.reason and "Location" in report.failure.reason


@pytest.mark.parametrize(
    "location",
    ["http://[::1", "http://127.0.0.1:99999/feed.xml", "ftp://127.0.0.1/feed.xml"],
    ids=["unclosed-ipv6", "port-out-of-range", "ftp"],
)
def test_malformed_redirect_target_is_a_failure_of_that_source_only(
    feed_server: FeedServer, location: str
) -> None:
    good = feed_server.serve("/good.xml", FEED)
    bad = feed_server.redirect("/bad.xml", location, 301)
    result = run(src("Bad", bad), src("Good", good))
    bad_report, good_report = result.reports
    assert bad_report.failure is not None and bad_report.failure.reason
    assert bad_report.articles == ()
    assert len(good_report.articles) == 3


# errors ------------------------------------------------------------------------------


def test_410_gone_is_a_failure_naming_410(feed_server: FeedServer) -> None:
    url = feed_server.error("/gone.xml", 410)
    report = one(src("Gone", url))
    assert report.articles == ()
    assert report.failure is not None
    assert report.failure.source == "Gone"
    assert "410" in report.failure.reason


@pytest.mark.parametrize("status", [500, 503, 404, 403])
def test_error_status_is_a_failure_naming_the_status(feed_server: FeedServer, status: int) -> None:
    url = feed_server.error("/broken.xml", status)
    report = one(src("Broken", url))
    assert report.articles == ()
    assert report.failure is not None
    assert f"HTTP {status}" in report.failure.reason


def test_connection_refused_is_a_failure() -> None:
    report = one(src("Down", f"http://127.0.0.1:{closed_port()}/feed.xml"))
    assert report.failure is not None
    assert "Connect" in report.failure.reason


def test_oversized_streamed_body_stops_at_the_default_cap(feed_server: FeedServer) -> None:
    url = feed_server.oversized("/huge.xml", 11 * 1024 * 1024)
    report = one(src("Huge", url))
    assert report.articles == ()
    assert report.failure is not None
    assert f"{http.MAX_BYTES:,}-byte cap" in report.failure.reason


def test_fetch_stops_reading_at_max_bytes(feed_server: FeedServer) -> None:
    url = feed_server.oversized("/big.xml", 300_000, chunk=16 * 1024)
    with pytest.raises(SourceError, match=r"over the 100,000-byte cap"):
        asyncio.run(fetch(url, max_bytes=100_000))


def test_fetch_within_max_bytes_is_read_whole(feed_server: FeedServer) -> None:
    body = FEED.encode()
    url = feed_server.serve("/feed.xml", body)
    got = asyncio.run(fetch(url, max_bytes=len(body)))
    assert got.status == 200
    assert got.body == body
    assert got.url == url
    assert got.content_type == "application/rss+xml"


def test_declared_content_length_over_the_cap_is_refused(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed.xml", b"", headers={"Content-Length": "5000000"})
    with pytest.raises(SourceError, match=r"5,000,000 bytes, over the 1,000-byte cap"):
        asyncio.run(fetch(url, max_bytes=1000))


def test_gzip_body_is_decoded_and_the_cap_counts_decoded_bytes(feed_server: FeedServer) -> None:
    zipped = gzip.compress(FEED.encode())
    url = feed_server.serve("/feed.xml", zipped, headers={"Content-Encoding": "gzip"})
    assert len(one(src("Zipped", url)).articles) == 3

    bomb = gzip.compress(b"<rss>" + b" " * 2_000_000)
    assert len(bomb) < 10_000
    url = feed_server.serve("/bomb.xml", bomb, headers={"Content-Encoding": "gzip"})
    with pytest.raises(SourceError, match="cap"):
        asyncio.run(fetch(url, max_bytes=1_000_000))


def test_slow_body_within_limits_still_parses(feed_server: FeedServer) -> None:
    url = feed_server.stream("/slow.xml", slow_chunks(FEED.encode(), 4), delay=0.1)
    report = one(src("Slow", url))
    assert report.failure is None
    assert len(report.articles) == 3


def test_stalled_body_times_out_with_a_reason(feed_server: FeedServer) -> None:
    url = feed_server.stream("/stall.xml", slow_chunks(FEED.encode(), 3), delay=2.0)

    async def go() -> None:
        async with httpx.AsyncClient(timeout=httpx.Timeout(0.3)) as client:
            await http.fetch(client, url)

    with pytest.raises(SourceError, match=r"timed out \(ReadTimeout\)"):
        asyncio.run(go())


# content types and encodings ----------------------------------------------------------


def test_html_page_instead_of_a_feed_is_a_failure(feed_server: FeedServer) -> None:
    page = "<!doctype html><html><head><title>Home</title></head><body><p>Hi</p></body></html>"
    url = feed_server.serve("/index.html", page, content_type="text/html; charset=utf-8")
    report = one(src("Page", url))
    assert report.articles == ()
    assert report.failure is not None
    assert "not an RSS/Atom feed" in report.failure.reason


def test_feed_with_a_wrong_content_type_still_parses(feed_server: FeedServer) -> None:
    for i, ctype in enumerate(["text/html", "text/plain", "application/octet-stream"]):
        url = feed_server.serve(f"/feed{i}", FEED, content_type=ctype)
        report = one(src(ctype, url))
        assert [a.title for a in report.articles][:1] == ["First story"], ctype


RU = ("Новости Оренбурга", "Цитата дня: «ёлка»")


def test_windows_1251_declared_only_in_the_xml_prolog(feed_server: FeedServer) -> None:
    body = rss(*RU, channel="Русские новости", encoding="windows-1251").encode("cp1251")
    url = feed_server.serve("/ru.xml", body, content_type="application/rss+xml")
    report = one(src("RU", url))
    assert [a.title for a in report.articles] == list(RU)
    assert report.articles[0].site == "Русские новости"


def test_windows_1251_declared_only_in_the_http_header(feed_server: FeedServer) -> None:
    body = rss(*RU, channel="Русские новости", encoding=None).encode("cp1251")
    url = feed_server.serve("/ru.xml", body, content_type="text/xml; charset=windows-1251")
    report = one(src("RU", url))
    assert [a.title for a in report.articles] == list(RU)


FR = ("Café – déjà vu à Noël", "Œuvres complètes, ½ prix")


def test_latin1_declared_only_in_the_xml_prolog(feed_server: FeedServer) -> None:
    titles = ("Café, déjà vu à Noël", "Garçon, crème brûlée")
    body = rss(*titles, encoding="iso-8859-1").encode("latin-1")
    url = feed_server.serve("/fr.xml", body, content_type="application/xml")
    report = one(src("FR", url))
    assert [a.title for a in report.articles] == list(titles)


def test_cp1252_declared_only_in_the_http_header(feed_server: FeedServer) -> None:
    body = rss(*FR, encoding=None).encode("cp1252")
    url = feed_server.serve(
        "/fr.xml", body, content_type="application/rss+xml; charset=windows-1252"
    )
    report = one(src("FR", url))
    assert [a.title for a in report.articles] == list(FR)


# headers sent, several sources ----------------------------------------------------------


def test_user_agent_and_accept_headers(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed.xml", FEED)
    result = run(src("News", url), contact="https://digest.example.org/about")
    assert len(result.articles) == 3
    sent = feed_server.requests_to("/feed.xml")[0]
    ua = sent.header("User-Agent") or ""
    assert ua.startswith("digest/")
    assert ua == "digest/0.1.0 (+https://digest.example.org/about)"
    assert "application/rss+xml" in (sent.header("Accept") or "")
    assert "gzip" in (sent.header("Accept-Encoding") or "")


def test_user_agent_without_contact(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed.xml", FEED)
    run(src("News", url))
    ua = feed_server.requests_to("/feed.xml")[0].header("User-Agent") or ""
    assert ua.startswith("digest/") and "(" not in ua


def test_failing_sources_do_not_stop_the_others(feed_server: FeedServer) -> None:
    good1 = feed_server.serve("/one.xml", rss("One a", "One b"))
    good2 = feed_server.serve("/two.xml", rss("Two a"))
    moved = feed_server.redirect("/three-old.xml", "/three.xml", 301)
    feed_server.serve("/three.xml", rss("Three a", "Three b", "Three c"))
    sources = (
        src("Gone", feed_server.error("/gone.xml", 410)),
        src("One", good1),
        src("Crash", feed_server.error("/crash.xml", 500)),
        src("Huge", feed_server.oversized("/huge.xml", 11 * 1024 * 1024)),
        src("Two", good2),
        src(
            "Html",
            feed_server.serve("/p.html", "<html><body>hi</body></html>", content_type="text/html"),
        ),
        src("Down", f"http://127.0.0.1:{closed_port()}/x.xml"),
        src("Three", moved),
    )
    done: list[str] = []
    result = asyncio.run(
        collect(sources, NOW, on_done=lambda r: done.append(r.source), settings=FAST)
    )
    by_name = {r.source: r for r in result.reports}
    assert [r.source for r in result.reports] == [s.name for s in sources]  # order kept
    assert sorted(done) == sorted(s.name for s in sources)
    assert [a.title for a in by_name["One"].articles] == ["One a", "One b"]
    assert [a.title for a in by_name["Two"].articles] == ["Two a"]
    assert len(by_name["Three"].articles) == 3
    assert by_name["Three"].moved_to == feed_server.url("/three.xml")
    failed = {f.source for f in result.failures}
    assert failed == {"Gone", "Crash", "Huge", "Html", "Down"}
    assert all(f.reason for f in result.failures)
    assert len(result.articles) == 6


def test_collect_source_with_a_caller_client(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed.xml", FEED)

    async def go() -> SourceReport:
        async with http.client() as client:
            return await collect_source(src("News", url), NOW, None, client)

    report = asyncio.run(go())
    assert len(report.articles) == 3


def test_max_items_caps_articles(feed_server: FeedServer) -> None:
    url = feed_server.serve("/feed.xml", rss(*(f"Story {i}" for i in range(12))))
    report = one(Source(name="News", type="rss", url=url, max_items=5))
    assert [a.title for a in report.articles] == [f"Story {i}" for i in range(5)]


def test_unparseable_date_gives_no_date_and_no_warning(feed_server: FeedServer) -> None:
    body = FEED.replace("Fri, 31 May 2024 01:00:00 GMT", "31/05/2024 à 10h00")
    assert body != FEED
    url = feed_server.serve("/feed.xml", body)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = one(src("News", url))
    assert [str(w.message)[:60] for w in caught] == []
    assert report.failure is None
    assert report.articles[1].published is None
    assert report.articles[0].published == datetime(2024, 5, 31, 0, 0, tzinfo=UTC)
