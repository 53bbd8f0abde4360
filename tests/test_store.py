"""The store on a real SQLite file and on the PostgreSQL server (where there is one)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from digest import store, subscribers
from digest.models import Article, CollectResult, Issue, IssueItem, Section, SourceReport
from tests.helpers.postgres import fresh_database

NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
PART = store.Rendition("en:*", "S", "P", "<html>", "text")


def _postgres() -> Iterator[Engine]:
    with fresh_database() as url:
        engine = store.open_engine(url)
        try:
            yield engine
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        eng = store.open_engine(f"sqlite:///{tmp_path / 'digest.db'}")
        yield eng
        eng.dispose()
    else:
        yield from _postgres()


def article(key: str, text: str = "body", published: datetime | None = NOW) -> Article:
    return Article(
        key=key,
        source="Wire",
        title=f"Title {key}",
        url=f"https://e.org/{key}",
        published=published,
        excerpt=text,
        text=text,
        content_hash=f"{key}:{text}",
    )


def save(engine: Engine, *arts: Article, now: datetime = NOW) -> dict[str, int]:
    result = store.save_collect(engine, CollectResult((SourceReport("Wire", arts),)), now)
    s = result["Wire"]
    return {"new": s.new, "updated": s.updated, "unchanged": s.unchanged}


def test_migration_is_idempotent_and_versioned(engine: Engine) -> None:
    store.migrate(engine)
    store.migrate(engine)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SELECT value FROM meta WHERE key = 'schema'")).scalar()
    assert version == str(store.SCHEMA_VERSION)


def test_new_unchanged_and_updated_articles(engine: Engine) -> None:
    assert save(engine, article("a"), article("b")) == {"new": 2, "updated": 0, "unchanged": 0}
    assert save(engine, article("a"), article("b")) == {"new": 0, "updated": 0, "unchanged": 2}
    assert save(engine, article("a", "changed")) == {"new": 0, "updated": 1, "unchanged": 0}
    stored = {a.key: a for a in store.list_articles(engine)}
    assert stored["a"].text == "changed"
    assert stored["a"].published == NOW and stored["a"].published.tzinfo is not None
    assert stored["a"].first_seen == NOW


def test_feed_state_counts_failures_and_remembers_validators(engine: Engine) -> None:
    from digest.models import SourceFailure

    ok = SourceReport("Wire", (article("a"),), etag='"v1"', last_modified="Mon, 01 Jan 2026")
    bad = SourceReport("Wire", failure=SourceFailure("Wire", "HTTP 500"))
    store.save_collect(engine, CollectResult((ok,)), NOW)
    store.save_collect(engine, CollectResult((bad,)), NOW)
    store.save_collect(engine, CollectResult((bad,)), NOW)
    (row,) = store.feed_health(engine)
    assert row["failures"] == 2 and row["last_error"] == "HTTP 500"
    assert store.feed_states(engine)["Wire"].etag == '"v1"'


def test_an_article_goes_into_one_issue_of_a_list_only(engine: Engine) -> None:
    save(engine, article("a"), article("b"), article("old", published=NOW - timedelta(days=30)))
    since = NOW - timedelta(days=7)
    found = store.candidates(engine, "weekly", since)
    assert sorted(a.key for a in found) == ["a", "b"]
    assert [a.key for a in store.too_old(engine, "weekly", since)] == ["old"]
    sub, _ = subscribers.add(engine, "weekly", "x@example.org", NOW)
    issue = Issue(
        "weekly",
        1,
        NOW,
        "S",
        "P",
        "en",
        (Section("t", "T", "#000000", tuple(IssueItem(a) for a in found)),),
    )
    with engine.begin() as conn:
        issue_id = store.insert_issue(
            conn, issue, "[]", [PART], [store.Recipient(sub.id, sub.email, "<m@e.org>", "en:*")]
        )
    assert store.candidates(engine, "weekly", since) == []
    assert len(store.candidates(engine, "other-list", since)) == 2
    with engine.begin() as conn, pytest.raises(sa.exc.IntegrityError):
        store.insert_issue(conn, issue, "[]", [PART], [])

    (pending,) = store.pending_deliveries(engine, issue_id)
    assert store.finish_issue_if_done(engine, issue_id) is False
    store.mark_delivery(engine, pending, "sent", NOW, attempts=2)
    assert store.pending_deliveries(engine, issue_id) == []
    assert store.delivery_counts(engine, issue_id) == {"sent": 1}
    assert store.finish_issue_if_done(engine, issue_id) is True
    assert store.unfinished_issue(engine, "weekly") is None


def test_naive_datetimes_are_refused(engine: Engine) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"):
        save(engine, article("a"), now=datetime(2026, 1, 1))


def test_exclusive_locks_across_connections_and_release(engine: Engine) -> None:
    with store.exclusive(engine, "send-weekly"):
        with pytest.raises(store.Busy), store.exclusive(engine, "send-weekly"):
            pass
        with store.exclusive(engine, "send-other"):  # another name is another lock
            pass
    with store.exclusive(engine, "send-weekly"):  # released
        pass
