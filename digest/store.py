"""The database: SQLAlchemy Core. SQLite by default (WAL, foreign keys), PostgreSQL by URL."""

from __future__ import annotations

import fcntl
import json
import os
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from digest.collect import FeedState
from digest.errors import DigestError
from digest.models import Article, CollectResult, Delivery, Issue, SourceReport, StoreResult

SCHEMA_VERSION = 4


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores UTC without tz info; always returns tz-aware UTC datetimes."""

    impl = sa.DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass tz-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.replace(tzinfo=UTC) if value is not None else None


meta = sa.MetaData()

meta_table = sa.Table(
    "meta",
    meta,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)

feeds = sa.Table(
    "feeds",
    meta,
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("url", sa.Text),
    sa.Column("etag", sa.Text),
    sa.Column("last_modified", sa.Text),
    sa.Column("last_success", UTCDateTime),
    sa.Column("last_error", sa.Text),
    sa.Column("last_error_at", UTCDateTime),
    sa.Column("failures", sa.Integer, nullable=False, default=0),
    sa.Column("last_new", UTCDateTime),
    sa.Column("config_url", sa.Text),  # v2: the url in the config when state was saved
    sa.Column("retry_after", UTCDateTime),  # v2: Retry-After from a 429/503
    sa.Column("disabled", sa.Text),  # v2: why digest stopped asking (410)
)

folder_files = sa.Table(  # v2: what a folder source has read, to read only what changed
    "folder_files",
    meta,
    sa.Column("source", sa.String(200), primary_key=True),
    sa.Column("path", sa.Text, primary_key=True),
    sa.Column("mtime_ns", sa.BigInteger, nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
)

articles = sa.Table(
    "articles",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("key", sa.Text, nullable=False, unique=True),
    sa.Column("source", sa.String(200), nullable=False, index=True),
    sa.Column("title", sa.Text, nullable=False),
    sa.Column("url", sa.Text),
    sa.Column("published", UTCDateTime),
    sa.Column("first_seen", UTCDateTime, nullable=False),
    sa.Column("updated", UTCDateTime, nullable=False),
    sa.Column("excerpt", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("site", sa.Text),
    sa.Column("author", sa.Text),
    sa.Column("lang", sa.String(8)),
    sa.Column("image", sa.Text),
    sa.Column("tags", sa.Text, nullable=False, default="[]"),
)

issues = sa.Table(
    "issues",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("list_id", sa.String(100), nullable=False),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("created", UTCDateTime, nullable=False),
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("preheader", sa.Text, nullable=False),
    sa.Column("locale", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # sending | done
    sa.Column("sections", sa.Text, nullable=False),  # JSON: [{theme_id, title, items: [...]}]
    sa.Column("period", sa.String(32)),  # v3: the scheduled local time it belongs to
    sa.UniqueConstraint("list_id", "number"),
)

issue_articles = sa.Table(
    "issue_articles",
    meta,
    sa.Column("issue_id", sa.ForeignKey("issues.id", ondelete="CASCADE"), nullable=False),
    sa.Column("list_id", sa.String(100), nullable=False),
    sa.Column("article_id", sa.ForeignKey("articles.id"), nullable=False),
    sa.Column("section", sa.String(100), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.UniqueConstraint("list_id", "article_id"),  # an article goes into one issue of a list
)

renditions = sa.Table(
    "renditions",
    meta,
    sa.Column("issue_id", sa.ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("variant", sa.String(100), primary_key=True),  # the locale, for now
    sa.Column("subject", sa.Text, nullable=False),
    sa.Column("preheader", sa.Text, nullable=False),
    sa.Column("html", sa.Text, nullable=False),
    sa.Column("text", sa.Text, nullable=False),
)

subscribers = sa.Table(
    "subscribers",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("list_id", sa.String(100), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("name", sa.Text, nullable=False, default=""),
    sa.Column("locale", sa.String(16)),
    sa.Column("status", sa.String(16), nullable=False),  # active | unsubscribed | bounced
    sa.Column("themes", sa.Text),  # v4: JSON list of chosen theme ids; NULL: every theme
    sa.Column("bounces", sa.Integer, nullable=False, default=0),  # v4: hard bounces in a row
    sa.Column("created", UTCDateTime, nullable=False),
    sa.Column("updated", UTCDateTime, nullable=False),
    sa.UniqueConstraint("list_id", "email"),
)

deliveries = sa.Table(
    "deliveries",
    meta,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("issue_id", sa.ForeignKey("issues.id", ondelete="CASCADE"), nullable=False),
    sa.Column("subscriber_id", sa.ForeignKey("subscribers.id"), nullable=False),
    sa.Column("email", sa.String(320), nullable=False),
    sa.Column("variant", sa.String(100), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending|sent|failed|bounced|skipped
    sa.Column("attempts", sa.Integer, nullable=False, default=0),
    sa.Column("error", sa.Text),
    sa.Column("message_id", sa.Text, nullable=False),
    sa.Column("updated", UTCDateTime, nullable=False),
    sa.UniqueConstraint("issue_id", "subscriber_id"),
)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def open_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, ImportError) as exc:
        raise DigestError(f"digest.database: cannot use {url!r}: {exc}") from exc
    if engine.dialect.name == "sqlite":
        sa.event.listen(engine, "connect", _sqlite_pragmas)
    migrate(engine)
    return engine


def _add_columns(conn: Connection, table: str, columns: dict[str, str]) -> None:
    """ALTER TABLE ADD COLUMN for those not there yet (a half-applied step is resumed)."""
    present = {c["name"] for c in sa.inspect(conn).get_columns(table)}
    for name, kind in columns.items():
        if name not in present:
            conn.execute(sa.text(f"ALTER TABLE {table} ADD COLUMN {name} {kind}"))


def _v2(conn: Connection) -> None:
    _add_columns(
        conn, "feeds", {"config_url": "TEXT", "retry_after": "TIMESTAMP", "disabled": "TEXT"}
    )
    folder_files.create(conn, checkfirst=True)


def _v3(conn: Connection) -> None:
    _add_columns(conn, "issues", {"period": "VARCHAR(32)"})
    conn.execute(
        sa.text(
            "CREATE UNIQUE INDEX IF NOT EXISTS ix_issues_list_period ON issues (list_id, period)"
        )
    )


def _v4(conn: Connection) -> None:
    _add_columns(conn, "subscribers", {"themes": "TEXT", "bounces": "INTEGER NOT NULL DEFAULT 0"})
    for table in ("renditions", "deliveries"):  # variants were a bare locale; now locale:themes
        conn.execute(
            sa.text(f"UPDATE {table} SET variant = variant || ':*' WHERE variant NOT LIKE '%:%'")
        )


MIGRATIONS = {2: _v2, 3: _v3, 4: _v4}


class Busy(DigestError):
    """Another process holds the lock; `holder` says who, where that is known."""

    def __init__(self, name: str, holder: str) -> None:
        super().__init__(f"{name} is held by {holder}")
        self.holder = holder


@contextmanager
def exclusive(engine: Engine, name: str) -> Iterator[None]:
    """Hold the lock `name` for this database, across processes (and hosts, on
    PostgreSQL), or raise Busy at once. SQLite: a file lock beside the database;
    PostgreSQL: a session advisory lock."""
    if engine.dialect.name == "postgresql":
        key = zlib.crc32(f"digest {name}".encode()) & 0x7FFFFFFF
        with engine.connect() as conn:
            got = conn.execute(sa.text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
            if not got:
                raise Busy(name, "another process (PostgreSQL advisory lock)")
            try:
                yield
            finally:
                conn.execute(sa.text("SELECT pg_advisory_unlock(:k)"), {"k": key})
        return
    database = engine.url.database
    if not database or database == ":memory:":
        yield
        return
    path = Path(f"{database}.{name}.lock")
    with path.open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            raise Busy(name, f"pid {handle.read().strip() or '?'} ({path})") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def migrate(engine: Engine) -> None:
    """Bring the schema to SCHEMA_VERSION. Each version adds one step here."""
    try:
        with engine.begin() as conn:
            meta_table.create(conn, checkfirst=True)
            row = conn.execute(sa.select(meta_table.c.value).where(meta_table.c.key == "schema"))
            current = int(row.scalar() or 0)
            if current > SCHEMA_VERSION:
                raise DigestError(
                    f"the database has schema {current}, newer than this digest "
                    f"({SCHEMA_VERSION}); upgrade digest"
                )
            if current < 1:
                meta.create_all(conn)  # a new database starts at the latest schema
                _v3(conn)  # and gets the index that only a migration creates
            else:
                for version in range(current + 1, SCHEMA_VERSION + 1):
                    MIGRATIONS[version](conn)
            if current != SCHEMA_VERSION:
                conn.execute(sa.delete(meta_table).where(meta_table.c.key == "schema"))
                conn.execute(sa.insert(meta_table).values(key="schema", value=str(SCHEMA_VERSION)))
    except sa.exc.OperationalError as exc:
        raise DigestError(f"cannot open the database: {exc.orig}") from exc


# --- feeds and articles ---------------------------------------------------------------


def feed_states(
    engine: Engine, config_urls: Mapping[str, str] | None = None
) -> dict[str, FeedState]:
    """Each source's remembered state. A source whose url changed in the config starts
    afresh (no validators, no redirect, not disabled)."""
    with engine.connect() as conn:
        seen: dict[str, dict[str, tuple[int, int]]] = {}
        for f in conn.execute(sa.select(folder_files)):
            seen.setdefault(f.source, {})[f.path] = (f.mtime_ns, f.size)
        rows = conn.execute(sa.select(feeds))
        return {
            r.source: FeedState(
                r.url, r.etag, r.last_modified, r.retry_after, r.disabled, seen.get(r.source)
            )
            for r in rows
            if config_urls is None or r.config_url in (None, config_urls.get(r.source))
        }


def save_collect(
    engine: Engine,
    result: CollectResult,
    now: datetime,
    config_urls: Mapping[str, str] | None = None,
) -> dict[str, StoreResult]:
    """Store every article (new, updated or unchanged) and each source's state."""
    out: dict[str, StoreResult] = {}
    for report in result.reports:
        counts = {"new": 0, "updated": 0, "unchanged": 0}
        with engine.begin() as conn:
            for article in report.articles:
                counts[_upsert_article(conn, article, now)] += 1
            counts["unchanged"] += report.unchanged_files
            if not report.skipped:
                url = (config_urls or {}).get(report.source)
                _save_feed_state(conn, report, now, counts["new"] > 0, url)
            if report.files is not None:
                _save_folder_files(conn, report.source, report.files)
        out[report.source] = StoreResult(**counts)
    return out


def is_known(engine: Engine, key: str, content_hash: str) -> bool:
    with engine.connect() as conn:
        found = conn.execute(
            sa.select(articles.c.content_hash).where(articles.c.key == key)
        ).scalar()
    return found == content_hash


def _upsert_article(conn: Connection, a: Article, now: datetime) -> str:
    row = conn.execute(
        sa.select(articles.c.id, articles.c.content_hash).where(articles.c.key == a.key)
    ).first()
    values = dict(
        source=a.source,
        title=a.title,
        url=a.url,
        published=a.published,
        excerpt=a.excerpt,
        text=a.text,
        content_hash=a.content_hash,
        site=a.site,
        author=a.author,
        lang=a.lang,
        image=a.image,
        tags=json.dumps(list(a.tags), ensure_ascii=False),
        updated=now,
    )
    if row is None:
        conn.execute(sa.insert(articles).values(key=a.key, first_seen=now, **values))
        return "new"
    if row.content_hash == a.content_hash:
        return "unchanged"
    values.pop("published") if a.published is None else None
    conn.execute(sa.update(articles).where(articles.c.id == row.id).values(**values))
    return "updated"


def _save_feed_state(
    conn: Connection, report: SourceReport, now: datetime, got_new: bool, config_url: str | None
) -> None:
    row = conn.execute(sa.select(feeds).where(feeds.c.source == report.source)).first()
    values: dict[str, Any] = {"config_url": config_url} if config_url else {}
    if row is not None and config_url and row.config_url not in (None, config_url):
        # the config now names another url: forget what was learnt about the old one
        values.update(url=None, etag=None, last_modified=None, retry_after=None, disabled=None)
    if report.failure:
        values.update(
            last_error=report.failure.reason,
            last_error_at=now,
            failures=(row.failures if row else 0) + 1,
            retry_after=report.retry_after,
            disabled=report.failure.reason if report.gone else None,
        )
    else:
        values.update(
            last_success=now,
            failures=0,
            etag=report.etag,
            last_modified=report.last_modified,
            retry_after=None,
            disabled=None,
        )
        if report.moved_to:
            values["url"] = report.moved_to
        if got_new:
            values["last_new"] = now
    if row is None:
        conn.execute(sa.insert(feeds).values(source=report.source, **{"failures": 0, **values}))
    else:
        conn.execute(sa.update(feeds).where(feeds.c.source == report.source).values(**values))


def _save_folder_files(conn: Connection, source: str, seen: Mapping[str, tuple[int, int]]) -> None:
    """Replace what a folder source has read (a deleted file drops out; its article stays)."""
    conn.execute(sa.delete(folder_files).where(folder_files.c.source == source))
    if seen:
        conn.execute(
            sa.insert(folder_files),
            [
                {"source": source, "path": rel, "mtime_ns": m, "size": n}
                for rel, (m, n) in seen.items()
            ],
        )


def feed_health(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(sa.select(feeds).order_by(feeds.c.source))]


def row_to_article(r: Any) -> Article:
    return Article(
        key=r.key,
        source=r.source,
        title=r.title,
        url=r.url,
        published=r.published,
        excerpt=r.excerpt,
        text=r.text,
        content_hash=r.content_hash,
        site=r.site,
        author=r.author,
        lang=r.lang,
        image=r.image,
        tags=tuple(json.loads(r.tags or "[]")),
        id=r.id,
        first_seen=r.first_seen,
    )


def list_articles(engine: Engine, limit: int = 100, source: str | None = None) -> list[Article]:
    query = (
        sa.select(articles)
        .order_by(
            sa.func.coalesce(articles.c.published, articles.c.first_seen).desc(),
            articles.c.id.desc(),
        )
        .limit(limit)
    )
    if source:
        query = query.where(articles.c.source == source)
    with engine.connect() as conn:
        return [row_to_article(r) for r in conn.execute(query)]


def get_article(engine: Engine, article_id: int) -> Article | None:
    with engine.connect() as conn:
        row = conn.execute(sa.select(articles).where(articles.c.id == article_id)).first()
        return row_to_article(row) if row else None


def find_article(engine: Engine, ref: str) -> Article | None:
    """An article by its id, its key or its URL (with or without tracking parameters)."""
    from digest.collect.clean import safe_url

    ref = ref.strip()
    where = [articles.c.key == ref, articles.c.url == ref]
    if ref.isdigit():
        where.append(articles.c.id == int(ref))
    if (clean := safe_url(ref)) and clean != ref:
        where += [articles.c.key == clean, articles.c.url == clean]
    with engine.connect() as conn:
        row = conn.execute(sa.select(articles).where(sa.or_(*where)).limit(1)).first()
        return row_to_article(row) if row else None


def articles_between(engine: Engine, start: datetime, end: datetime, limit: int) -> list[Article]:
    """Articles dated (or first seen) in [start, end], newest first, at most `limit`."""
    when = sa.func.coalesce(articles.c.published, articles.c.first_seen)
    query = (
        sa.select(articles)
        .where(when >= start, when <= end)
        .order_by(when.desc(), articles.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [row_to_article(r) for r in conn.execute(query)]


def candidates(engine: Engine, list_id: str, since: datetime) -> list[Article]:
    """Articles not yet in any issue of the list, dated (or first seen) since `since`."""
    when = sa.func.coalesce(articles.c.published, articles.c.first_seen)
    taken = sa.select(issue_articles.c.article_id).where(issue_articles.c.list_id == list_id)
    query = (
        sa.select(articles)
        .where(when >= since)
        .where(articles.c.id.not_in(taken))
        .order_by(when.desc(), articles.c.id.desc())
    )
    with engine.connect() as conn:
        return [row_to_article(r) for r in conn.execute(query)]


def already_in_issues(
    engine: Engine, list_id: str, since: datetime, limit: int = 200
) -> list[tuple[Article, int]]:
    """Articles of the window that an issue of the list carried, with that issue's number
    (for preview's left-out list), newest first."""
    when = sa.func.coalesce(articles.c.published, articles.c.first_seen)
    query = (
        sa.select(articles, issues.c.number.label("issue_number"))
        .join(issue_articles, issue_articles.c.article_id == articles.c.id)
        .join(issues, issues.c.id == issue_articles.c.issue_id)
        .where(issue_articles.c.list_id == list_id, when >= since)
        .order_by(when.desc(), articles.c.id.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [(row_to_article(r), int(r.issue_number)) for r in conn.execute(query)]


def too_old(engine: Engine, list_id: str, since: datetime) -> list[Article]:
    """Articles first seen in the window but dated before it (for preview's left-out list)."""
    taken = sa.select(issue_articles.c.article_id).where(issue_articles.c.list_id == list_id)
    query = (
        sa.select(articles)
        .where(articles.c.first_seen >= since, articles.c.published < since)
        .where(articles.c.id.not_in(taken))
        .order_by(articles.c.published.desc())
        .limit(200)
    )
    with engine.connect() as conn:
        return [row_to_article(r) for r in conn.execute(query)]


# --- issues and the ledger --------------------------------------------------------------


def next_issue_number(conn: Connection, list_id: str) -> int:
    current = conn.execute(
        sa.select(sa.func.max(issues.c.number)).where(issues.c.list_id == list_id)
    ).scalar()
    return int(current or 0) + 1


@dataclass(frozen=True, slots=True)
class StoredIssue:
    id: int
    list_id: str
    number: int
    locale: str


@dataclass(frozen=True, slots=True)
class Rendition:
    variant: str  # issue.variant_key(locale, themes)
    subject: str
    preheader: str
    html: str
    text: str


@dataclass(frozen=True, slots=True)
class Recipient:
    subscriber_id: int
    email: str
    message_id: str
    variant: str
    skip: str | None = None  # why this subscriber gets nothing this time


def insert_issue(
    conn: Connection,
    issue: Issue,
    sections_json: str,
    parts: Sequence[Rendition],
    recipients: Iterable[Recipient],
    period: str | None = None,
) -> int:
    """Store a frozen issue, its articles, its renditions and one ledger row per recipient
    (pending, or skipped with the reason)."""
    pk = conn.execute(
        sa.insert(issues).values(
            period=period,
            list_id=issue.list_id,
            number=issue.number,
            created=issue.created,
            subject=issue.subject,
            preheader=issue.preheader,
            locale=issue.locale,
            status="sending",
            sections=sections_json,
        )
    ).inserted_primary_key
    assert pk is not None
    issue_id = int(pk[0])
    rows = [
        dict(
            issue_id=issue_id,
            list_id=issue.list_id,
            article_id=article.id,
            section=section.theme_id,
            position=pos,
        )
        for section in issue.sections
        for pos, item in enumerate(section.items)
        for article in (item.article, *item.also)
    ]
    if rows:
        conn.execute(sa.insert(issue_articles), rows)
    conn.execute(
        sa.insert(renditions),
        [
            dict(
                issue_id=issue_id,
                variant=p.variant,
                subject=p.subject,
                preheader=p.preheader,
                html=p.html,
                text=p.text,
            )
            for p in parts
        ],
    )
    ledger = [
        dict(
            issue_id=issue_id,
            subscriber_id=r.subscriber_id,
            email=r.email,
            variant=r.variant,
            status="skipped" if r.skip else "pending",
            error=r.skip,
            attempts=0,
            message_id=r.message_id,
            updated=issue.created,
        )
        for r in recipients
    ]
    if ledger:
        conn.execute(sa.insert(deliveries), ledger)
    return issue_id


def _first_issue(engine: Engine, list_id: str, *where: Any) -> StoredIssue | None:
    """The list's first issue (lowest number) meeting `where`, if any."""
    query = (
        sa.select(issues)
        .where(issues.c.list_id == list_id, *where)
        .order_by(issues.c.number)
        .limit(1)
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return StoredIssue(row.id, row.list_id, row.number, row.locale) if row else None


def issue_number_of(engine: Engine, list_id: str, article_id: int) -> int | None:
    """The number of the list's issue that carried the article, if one did."""
    query = (
        sa.select(issues.c.number)
        .join(issue_articles, issue_articles.c.issue_id == issues.c.id)
        .where(issue_articles.c.list_id == list_id, issue_articles.c.article_id == article_id)
    )
    with engine.connect() as conn:
        return conn.execute(query).scalar()


def find_issue(engine: Engine, list_id: str, number: int) -> StoredIssue | None:
    return _first_issue(engine, list_id, issues.c.number == number)


def issue_for_period(engine: Engine, list_id: str, period: str) -> StoredIssue | None:
    return _first_issue(engine, list_id, issues.c.period == period)


def ping(engine: Engine) -> None:
    """Raises when the database does not answer."""
    with engine.connect() as conn:
        conn.execute(sa.text("SELECT 1"))


def unfinished_issue(engine: Engine, list_id: str) -> StoredIssue | None:
    """The list's issue that still has recipients pending, if any."""
    return _first_issue(engine, list_id, issues.c.status == "sending")


def rendition(engine: Engine, issue_id: int, variant: str) -> dict[str, Any]:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(renditions).where(
                renditions.c.issue_id == issue_id, renditions.c.variant == variant
            )
        ).first()
        if row is None:
            raise DigestError(f"issue {issue_id} has no stored rendition {variant!r}")
        return dict(row._mapping)


def pending_deliveries(engine: Engine, issue_id: int) -> list[Delivery]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(deliveries)
            .where(deliveries.c.issue_id == issue_id, deliveries.c.status == "pending")
            .order_by(deliveries.c.id)
        )
        return [_delivery(r) for r in rows]


def iter_pending(engine: Engine, issue_id: int, chunk: int = 500) -> Iterator[Delivery]:
    """The issue's pending rows in ledger order, read `chunk` at a time (memory stays flat
    whatever the list's size; no read stays open between chunks)."""
    last = 0
    while True:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.select(deliveries)
                .where(
                    deliveries.c.issue_id == issue_id,
                    deliveries.c.status == "pending",
                    deliveries.c.id > last,
                )
                .order_by(deliveries.c.id)
                .limit(chunk)
            ).all()
        yield from (_delivery(r) for r in rows)
        if len(rows) < chunk:
            return
        last = rows[-1].id


def deliveries_of(engine: Engine, issue_id: int) -> list[Delivery]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(deliveries)
            .where(deliveries.c.issue_id == issue_id)
            .order_by(deliveries.c.email)
        )
        return [_delivery(r) for r in rows]


def _delivery(r: Any) -> Delivery:
    return Delivery(
        r.issue_id, r.subscriber_id, r.email, r.status, r.attempts, r.error, r.message_id, r.variant
    )


def mark_delivery(
    engine: Engine,
    d: Delivery,
    status: str,
    now: datetime,
    error: str | None = None,
    attempts: int = 1,
) -> None:
    """Record one result at once, so a crash loses nothing that was done."""
    with engine.begin() as conn:
        conn.execute(
            sa.update(deliveries)
            .where(
                deliveries.c.issue_id == d.issue_id, deliveries.c.subscriber_id == d.subscriber_id
            )
            .values(
                status=status, error=error, attempts=deliveries.c.attempts + attempts, updated=now
            )
        )


@dataclass(frozen=True, slots=True)
class Mark:
    """One result for the ledger (see mark_deliveries)."""

    delivery: Delivery
    status: str
    error: str | None = None
    attempts: int = 1


def mark_deliveries(conn: Connection, marks: Sequence[Mark], now: datetime) -> None:
    """Record several results in one transaction: one commit (one fsync) for them all.
    `conn` is the sender's own, held for the whole send (no pool round trip per batch)."""
    if not marks:
        return
    with conn.begin():
        conn.execute(
            sa.update(deliveries)
            .where(
                deliveries.c.issue_id == sa.bindparam("m_issue"),
                deliveries.c.subscriber_id == sa.bindparam("m_subscriber"),
            )
            .values(
                status=sa.bindparam("m_status"),
                error=sa.bindparam("m_error"),
                attempts=deliveries.c.attempts + sa.bindparam("m_attempts"),
                updated=now,
            ),
            [
                dict(
                    m_issue=m.delivery.issue_id,
                    m_subscriber=m.delivery.subscriber_id,
                    m_status=m.status,
                    m_error=m.error,
                    m_attempts=m.attempts,
                )
                for m in marks
            ],
        )


def requeue_failed(engine: Engine, list_id: str, now: datetime) -> int:
    """Failed rows of the list's issues go back to pending (bounced ones stay)."""
    with engine.begin() as conn:
        ids = sa.select(issues.c.id).where(issues.c.list_id == list_id)
        done = conn.execute(
            sa.update(deliveries)
            .where(deliveries.c.issue_id.in_(ids), deliveries.c.status == "failed")
            .values(status="pending", updated=now)
        )
        conn.execute(
            sa.update(issues)
            .where(
                issues.c.id.in_(
                    sa.select(deliveries.c.issue_id).where(deliveries.c.status == "pending")
                ),
                issues.c.list_id == list_id,
            )
            .values(status="sending")
        )
        return int(done.rowcount or 0)


def issue_detail(engine: Engine, issue_id: int) -> dict[str, Any]:
    """One issue: its row, its sections with article titles, and every delivery."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(issues).where(issues.c.id == issue_id)).first()
        if row is None:
            raise DigestError(f"no issue with id {issue_id}; 'digest issues' lists them")
        query = (
            sa.select(articles.c.id, articles.c.title)
            .join(issue_articles, issue_articles.c.article_id == articles.c.id)
            .where(issue_articles.c.issue_id == issue_id)
        )
        titles = {r.id: r.title for r in conn.execute(query)}
    sections = [
        {
            "title": s["title"],
            "articles": [titles.get(a["id"], "?") for a in s["articles"]],
            "also": [[titles.get(i, "?") for i in a.get("also", ())] for a in s["articles"]],
        }
        for s in json.loads(row.sections)
    ]
    return {
        "issue": dict(row._mapping),
        "sections": sections,
        "deliveries": deliveries_of(engine, issue_id),
    }


def delivery_counts(engine: Engine, issue_id: int) -> dict[str, int]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(deliveries.c.status, sa.func.count())
            .where(deliveries.c.issue_id == issue_id)
            .group_by(deliveries.c.status)
        )
        return {status: int(n) for status, n in rows}


def finish_issue_if_done(engine: Engine, issue_id: int) -> bool:
    with engine.begin() as conn:
        left = conn.execute(
            sa.select(sa.func.count())
            .select_from(deliveries)
            .where(deliveries.c.issue_id == issue_id, deliveries.c.status == "pending")
        ).scalar()
        if left:
            return False
        conn.execute(sa.update(issues).where(issues.c.id == issue_id).values(status="done"))
        return True


def list_issues(engine: Engine, list_id: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(
        issues.c.id,
        issues.c.list_id,
        issues.c.number,
        issues.c.created,
        issues.c.subject,
        issues.c.status,
    ).order_by(issues.c.id)
    if list_id:
        query = query.where(issues.c.list_id == list_id)
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]
