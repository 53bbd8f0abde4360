"""Politeness and source state: per-host limits, Retry-After, 410, health, migration."""

from __future__ import annotations

import asyncio
import itertools
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

from digest import health, store
from digest.collect import FeedState, collect, http
from digest.config import CollectSettings, Source
from tests.helpers.feedserver import FeedServer, feed_server

__all__ = ["feed_server"]

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
FEED = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>https://e.org/{n}/1</link></item></channel></rss>"""


def test_gate_spaces_request_starts_to_one_host() -> None:
    async def main() -> list[float]:
        gate = http.HostGate(per_host=5, interval=0.2)
        loop = asyncio.get_running_loop()
        starts: list[float] = []

        async def hit(url: str) -> None:
            async with gate.slot(url):
                starts.append(loop.time())

        await asyncio.gather(*(hit(f"http://a.example/{i}") for i in range(3)))
        return starts

    starts = asyncio.run(main())
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert all(g >= 0.19 for g in gaps), gaps


def test_gate_limits_requests_in_flight_per_host_not_across_hosts() -> None:
    async def main() -> dict[str, int]:
        gate = http.HostGate(per_host=1, interval=0.0)
        in_flight: dict[str, int] = {"a.example": 0, "b.example": 0}
        peak: dict[str, int] = {"a.example": 0, "b.example": 0, "both": 0}

        async def hit(host: str) -> None:
            async with gate.slot(f"http://{host}/x"):
                in_flight[host] += 1
                peak[host] = max(peak[host], in_flight[host])
                peak["both"] = max(peak["both"], sum(in_flight.values()))
                await asyncio.sleep(0.05)
                in_flight[host] -= 1

        await asyncio.gather(*(hit(h) for h in ["a.example"] * 3 + ["b.example"] * 3))
        return peak

    peak = asyncio.run(main())
    assert peak["a.example"] == 1 and peak["b.example"] == 1
    assert peak["both"] == 2  # two hosts are asked at the same time


def test_collect_waits_between_feeds_on_one_host(feed_server: FeedServer) -> None:
    sources = tuple(
        Source(f"F{n}", "rss", feed_server.serve(f"/f{n}.xml", FEED.format(n=n))) for n in range(3)
    )
    start = time.monotonic()
    result = asyncio.run(collect(sources, NOW, settings=CollectSettings(politeness_seconds=0.3)))
    assert time.monotonic() - start >= 0.59  # three starts, two intervals
    assert all(len(r.articles) == 1 for r in result.reports)


def test_retry_after_in_seconds_and_as_a_date() -> None:
    assert http.retry_after("120", NOW) == NOW + timedelta(seconds=120)
    assert http.retry_after("Wed, 25 Nov 2026 10:00:00 GMT", NOW) == datetime(
        2026, 11, 25, 10, tzinfo=UTC
    )
    assert http.retry_after("soon", NOW) is None
    assert http.retry_after(None, NOW) is None


def engine_at(tmp_path: Path) -> sa.engine.Engine:
    return store.open_engine(f"sqlite:///{tmp_path / 'd.db'}")


def run(engine: sa.engine.Engine, sources: tuple[Source, ...], now: datetime) -> dict[str, str]:
    urls = {s.name: s.url or "" for s in sources}
    result = asyncio.run(
        collect(
            sources,
            now,
            store.feed_states(engine, urls),
            settings=CollectSettings(politeness_seconds=0),
        )
    )
    store.save_collect(engine, result, now, urls)
    return {
        r.source: (r.skipped or (r.failure.reason if r.failure else "ok")) for r in result.reports
    }


def test_429_with_retry_after_is_honoured_then_asked_again(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    url = feed_server.serve(
        "/busy.xml",
        b"slow down",
        status=429,
        content_type="text/plain",
        headers={"Retry-After": "3600"},
    )
    engine = engine_at(tmp_path)
    src = (Source("Busy", "rss", url),)
    first = run(engine, src, NOW)["Busy"]
    assert "HTTP 429" in first and "asked to wait" in first
    asked = len(feed_server.requests_to("/busy.xml"))
    second = run(engine, src, NOW + timedelta(minutes=30))["Busy"]
    assert second.startswith("waiting until") and "Retry-After" in second
    assert len(feed_server.requests_to("/busy.xml")) == asked  # not asked while waiting
    feed_server.serve("/busy.xml", FEED.format(n=1))
    assert run(engine, src, NOW + timedelta(hours=2))["Busy"] == "ok"
    (row,) = store.feed_health(engine)
    assert row["failures"] == 0 and row["retry_after"] is None


def test_410_disables_the_source_until_its_url_changes(
    feed_server: FeedServer, tmp_path: Path
) -> None:
    gone = feed_server.error("/gone.xml", 410)
    engine = engine_at(tmp_path)
    assert "410 Gone" in run(engine, (Source("Old", "rss", gone),), NOW)["Old"]
    again = run(engine, (Source("Old", "rss", gone),), NOW + timedelta(days=1))["Old"]
    assert "410 Gone" in again
    assert len(feed_server.requests_to("/gone.xml")) == 1  # asked once, then left alone
    moved = feed_server.serve("/new.xml", FEED.format(n=2))
    assert run(engine, (Source("Old", "rss", moved),), NOW + timedelta(days=2))["Old"] == "ok"
    assert store.feed_states(engine)["Old"].disabled is None


def test_health_flags() -> None:
    cfg = CollectSettings(failing_after=3, silent_after_days=14)
    sources = [
        Source(n, "rss", "https://e.org/") for n in ("ok", "failing", "silent", "never", "gone")
    ]
    rows = {
        "ok": {"failures": 0, "last_success": NOW, "last_new": NOW - timedelta(days=2)},
        "failing": {"failures": 3, "last_success": NOW - timedelta(days=1), "last_new": NOW},
        "silent": {"failures": 0, "last_success": NOW, "last_new": NOW - timedelta(days=20)},
        "gone": {"failures": 1, "disabled": "HTTP 410 Gone"},
    }
    flags = {h.name: h.flag for h in health.assess(sources, rows, cfg, NOW)}
    assert flags == {
        "ok": None,
        "failing": "failing: 3 times in a row",
        "silent": "silent: nothing new for over 14 days",
        "never": "never collected",
        "gone": "disabled: HTTP 410 Gone",
    }


def test_a_version_1_database_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    engine = store.open_engine(f"sqlite:///{path}")
    with engine.begin() as conn:  # make it look like schema 1
        for column in ("config_url", "retry_after", "disabled"):
            conn.execute(sa.text(f"ALTER TABLE feeds DROP COLUMN {column}"))
        conn.execute(sa.text("DROP TABLE folder_files"))
        conn.execute(sa.text("UPDATE meta SET value = '1' WHERE key = 'schema'"))
        conn.execute(sa.text("INSERT INTO feeds (source, failures) VALUES ('Kept', 2)"))
    engine.dispose()
    engine = store.open_engine(f"sqlite:///{path}")
    columns = {c["name"] for c in sa.inspect(engine).get_columns("feeds")}
    assert {"config_url", "retry_after", "disabled"} <= columns
    assert "folder_files" in sa.inspect(engine).get_table_names()
    assert store.feed_states(engine)["Kept"] == FeedState()
    assert store.feed_health(engine)[0]["failures"] == 2


PAGE = """<!doctype html><html lang="en"><head><title>Talks resume | Example Daily</title></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article><h1>Talks resume</h1>
<p>Negotiators met again in Geneva on Monday after a pause of three months in the talks.</p>
<p>Both delegations said the first session had been constructive and that a second round
would follow within weeks, according to officials who spoke after the meeting ended.</p>
<p>Observers cautioned that the main disagreements over verification remain unresolved.</p>
</article><footer>Copyright Example Daily</footer></body></html>"""


def test_fetch_full_text_replaces_a_summary_once(feed_server: FeedServer, tmp_path: Path) -> None:
    page = feed_server.serve("/story", PAGE, content_type="text/html; charset=utf-8")
    feed = f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>T</title>
<item><title>Talks resume</title><link>{page}</link><description>Short.</description></item>
</channel></rss>"""
    src = (Source("Summaries", "rss", feed_server.serve("/feed.xml", feed), fetch_full_text=True),)
    engine = engine_at(tmp_path)

    def collect_once() -> None:
        result = asyncio.run(
            collect(
                src,
                NOW,
                settings=CollectSettings(politeness_seconds=0),
                is_known=lambda key, h: store.is_known(engine, key, h),
            )
        )
        store.save_collect(engine, result, NOW)

    collect_once()
    (stored,) = store.list_articles(engine)
    assert "Negotiators met again in Geneva" in stored.text
    assert "Observers cautioned" in stored.text
    assert "Home" not in stored.text and "Copyright" not in stored.text
    assert stored.excerpt.startswith("Negotiators met again")
    collect_once()
    assert len(feed_server.requests_to("/story")) == 1  # a known article is not fetched again
    assert store.list_articles(engine)[0].text == stored.text


def test_status_shows_each_source_and_list(feed_server: FeedServer, tmp_path: Path) -> None:
    from tests.helpers.cli import run_digest

    good = feed_server.serve("/good.xml", FEED.format(n=1))
    bad = feed_server.error("/bad.xml", 500)
    (tmp_path / "digest.toml").write_text(
        f"""
[digest]
database = "d.db"
[[sources]]
name = "Good"
type = "rss"
url = "{good}"
[[sources]]
name = "Bad"
type = "rss"
url = "{bad}"
[[themes]]
id = "t"
terms = ["x"]
[[lists]]
id = "weekly"
from = "d@example.org"
schedule = "0 7 * * mon"
timezone = "Europe/Paris"
[collect]
failing_after = 1
politeness_seconds = 0
""",
        encoding="utf-8",
    )
    collected = run_digest(tmp_path, "collect")
    assert collected.returncode == 1 and "Bad" in collected.stderr
    # a source added to the config after that collection has no state yet
    config = (tmp_path / "digest.toml").read_text(encoding="utf-8")
    (tmp_path / "digest.toml").write_text(
        config.replace(
            "[[themes]]",
            f"""[[sources]]
name = "Later"
type = "rss"
url = "{good}?later"
[[themes]]""",
        ),
        encoding="utf-8",
    )
    shown = run_digest(tmp_path, "status")
    assert shown.returncode == 0, shown.stderr
    rows = {
        cells[0]: cells
        for cells in (
            [c.strip() for c in line.split("│")[1:-1]]
            for line in shown.stdout.splitlines()
            if line.startswith("│")
        )
    }
    assert rows["Good"][4] == "0" and rows["Good"][-1] == "ok"
    assert rows["Bad"][4] == "1" and rows["Bad"][5].startswith("HTTP 500")
    assert rows["Bad"][-1] == "failing: 1 time in a row"
    assert rows["Later"][-1] == "never collected" and rows["Later"][2] == "never"
    assert rows["weekly"][1] == "none" and rows["weekly"][-1].endswith("CET")
