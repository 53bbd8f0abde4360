"""Subscribers: add, import and export CSV, list, remove; signed unsubscribe tokens."""

from __future__ import annotations

import base64
import csv
import hashlib
import hmac
import io
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from email_validator import EmailNotValidError, validate_email
from sqlalchemy.engine import Connection, Engine

from digest.config import LOCALES
from digest.errors import DigestError, NotFound
from digest.models import Subscriber
from digest.store import subscribers as table

MAX_CSV_BYTES = 50 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class ImportReport:
    added: int
    updated: int
    unchanged: int
    problems: tuple[str, ...]  # "file.csv, line 4: ..." each


def normalize_email(raw: str) -> str:
    """A deliverable-looking address, normalised; raises DigestError saying why not."""
    try:
        info = validate_email(raw.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise DigestError(f"not a valid address {raw.strip()!r}: {exc}") from exc
    return info.normalized


def row_to_subscriber(r: sa.Row[object]) -> Subscriber:
    m = r._mapping
    themes = tuple(json.loads(m["themes"])) if m["themes"] else None
    return Subscriber(
        m["id"],
        m["list_id"],
        m["email"],
        m["name"],
        m["locale"],
        m["status"],
        themes,
        int(m["bounces"] or 0),
        _utc(m["updated"]),
    )


def _utc(when: datetime | None) -> datetime | None:
    return when.replace(tzinfo=UTC) if when is not None and when.tzinfo is None else when


def add(
    engine: Engine,
    list_id: str,
    email: str,
    now: datetime,
    name: str = "",
    locale: str | None = None,
    themes: Sequence[str] | None = None,
    known_themes: Collection[str] | None = None,
) -> tuple[Subscriber, str]:
    """Add or update one subscriber; returns it and 'added' | 'updated' | 'unchanged'."""
    with engine.begin() as conn:
        return _upsert(
            conn,
            list_id,
            normalize_email(email),
            name.strip(),
            locale,
            themes_json(themes, known_themes),
            now,
        )


def themes_json(chosen: Sequence[str] | None, known: Collection[str] | None = None) -> str | None:
    """A theme choice as stored (a JSON list), checked against the list's theme ids."""
    if not chosen:
        return None
    unknown = [t for t in chosen if known is not None and t not in known]
    if unknown:
        raise DigestError(
            f"unknown theme {unknown[0]!r} (themes: {', '.join(sorted(known or ())) or 'none'})"
        )
    return json.dumps(sorted(set(chosen)))


def _upsert(
    conn: Connection,
    list_id: str,
    email: str,
    name: str,
    locale: str | None,
    themes: str | None,
    now: datetime,
) -> tuple[Subscriber, str]:
    if locale is not None and locale not in LOCALES:
        raise DigestError(f"unsupported locale {locale!r}; supported: {', '.join(LOCALES)}")
    row = conn.execute(
        sa.select(table).where(table.c.list_id == list_id, table.c.email == email)
    ).first()
    if row is None:
        conn.execute(
            sa.insert(table).values(
                list_id=list_id,
                email=email,
                name=name,
                locale=locale,
                themes=themes,
                status="active",
                bounces=0,
                created=now,
                updated=now,
            )
        )
        outcome = "added"
    elif row.status == "pending":  # added by hand: the list owner vouches for it
        conn.execute(
            sa.update(table)
            .where(table.c.id == row.id)
            .values(
                status="active",
                name=name or row.name,
                locale=locale or row.locale,
                themes=themes or row.themes,
                updated=now,
            )
        )
        outcome = "confirmed"
    elif row.status != "active":
        raise DigestError(
            f"{email} is {row.status} on {list_id}; digest does not re-subscribe "
            "an address that left (they can subscribe again themselves)"
        )
    else:
        wanted = (name or row.name, locale or row.locale, themes or row.themes)
        if (row.name, row.locale, row.themes) != wanted:
            conn.execute(
                sa.update(table)
                .where(table.c.id == row.id)
                .values(name=wanted[0], locale=wanted[1], themes=wanted[2], updated=now)
            )
            outcome = "updated"
        else:
            outcome = "unchanged"
    new = conn.execute(
        sa.select(table).where(table.c.list_id == list_id, table.c.email == email)
    ).one()
    return row_to_subscriber(new), outcome


def import_csv(
    engine: Engine,
    list_id: str,
    path: Path,
    now: datetime,
    known_themes: Collection[str] | None = None,
) -> ImportReport:
    """CSV with a header `email,name,locale,themes` (all but email optional; themes are
    theme ids separated by ";"). Bad rows are reported with their line number; the others
    are imported."""
    if path.stat().st_size > MAX_CSV_BYTES:
        raise DigestError(f"{path}: over {MAX_CSV_BYTES:,} bytes; split the file")
    text = path.read_bytes().decode("utf-8-sig", errors="replace")
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    if "email" not in fields:
        raise DigestError(
            f"{path}, line 1: no 'email' column in the header "
            f"(expected email,name,locale,themes; got {','.join(fields) or 'nothing'})"
        )
    reader.fieldnames = fields
    counts = {"added": 0, "updated": 0, "unchanged": 0}
    problems: list[str] = []
    with engine.begin() as conn:
        for row in reader:
            line = reader.line_num
            try:
                email = normalize_email(row.get("email") or "")
                locale = (row.get("locale") or "").strip() or None
                chosen = [t.strip() for t in (row.get("themes") or "").split(";") if t.strip()]
                _, outcome = _upsert(
                    conn,
                    list_id,
                    email,
                    (row.get("name") or "").strip(),
                    locale,
                    themes_json(chosen, known_themes),
                    now,
                )
                counts[outcome] += 1
            except DigestError as exc:
                problems.append(f"{path.name}, line {line}: {exc}")
    return ImportReport(counts["added"], counts["updated"], counts["unchanged"], tuple(problems))


def export_csv(engine: Engine, list_id: str) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["email", "name", "locale", "themes", "status"])
    for s in list_all(engine, list_id):
        writer.writerow([s.email, s.name, s.locale or "", ";".join(s.themes or ()), s.status])
    return out.getvalue()


def list_all(engine: Engine, list_id: str, status: str | None = None) -> list[Subscriber]:
    query = sa.select(table).where(table.c.list_id == list_id).order_by(table.c.email)
    if status:
        query = query.where(table.c.status == status)
    with engine.connect() as conn:
        return [row_to_subscriber(r) for r in conn.execute(query)]


def find(engine: Engine, list_id: str, email: str) -> Subscriber:
    """One subscriber of a list by address; raises NotFound naming the list."""
    email = normalize_email(email)
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(table).where(table.c.list_id == list_id, table.c.email == email)
        ).first()
    if row is None:
        raise NotFound(f"{email} is not on list {list_id}")
    return row_to_subscriber(row)


def history(engine: Engine, subscriber_id: int, limit: int = 20) -> list[dict[str, object]]:
    """Their latest deliveries, newest first: issue number, status, attempts, error, when."""
    from digest.store import deliveries, issues

    query = (
        sa.select(
            issues.c.number,
            deliveries.c.status,
            deliveries.c.attempts,
            deliveries.c.error,
            deliveries.c.updated,
            deliveries.c.variant,
        )
        .join(issues, issues.c.id == deliveries.c.issue_id)
        .where(deliveries.c.subscriber_id == subscriber_id)
        .order_by(issues.c.number.desc())
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(r._mapping) for r in conn.execute(query)]


def get(engine: Engine | Connection, subscriber_id: int) -> Subscriber:
    """One subscriber as stored now. Given a connection (a sender reads one per message),
    that connection is used as it is: open it with `reader()`, which sees every commit."""
    if isinstance(engine, Connection):
        row = engine.execute(_BY_ID, {"id": subscriber_id}).first()
    else:
        with engine.connect() as conn:
            row = conn.execute(_BY_ID, {"id": subscriber_id}).first()
    if row is None:
        raise NotFound(f"no subscriber {subscriber_id}")
    return row_to_subscriber(row)


_BY_ID = sa.select(table).where(table.c.id == sa.bindparam("id"))


def reader(engine: Engine) -> Connection:
    """A connection that stays open for a whole send and reads outside any transaction
    (autocommit), so each read sees the latest unsubscribe. Close it when done."""
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


def set_status(engine: Engine, subscriber_id: int, status: str, now: datetime) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.update(table).where(table.c.id == subscriber_id).values(status=status, updated=now)
        )


def note_bounce(engine: Engine, sub: Subscriber, limit: int, now: datetime) -> bool:
    """Count a hard bounce; at `limit` in a row the subscriber is marked bounced (and gets
    no more mail). Returns whether that happened."""
    bounces = sub.bounces + 1
    with engine.begin() as conn:
        conn.execute(
            sa.update(table)
            .where(table.c.id == sub.id)
            .values(
                bounces=bounces, status="bounced" if bounces >= limit else sub.status, updated=now
            )
        )
    return bounces >= limit


def clear_bounces(engine: Engine, subscriber_id: int) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(table).where(table.c.id == subscriber_id).values(bounces=0))


def remove(engine: Engine, list_id: str, email: str, now: datetime) -> Subscriber:
    """Unsubscribe an address. The row stays, so a later import cannot re-subscribe it."""
    sub = find(engine, list_id, email)
    set_status(engine, sub.id, "unsubscribed", now)
    return get(engine, sub.id)


# --- signed links ------------------------------------------------------------------------


def _mac(secret: bytes, purpose: str, subscriber_id: int) -> str:
    digest = hmac.new(secret, f"{purpose}:{subscriber_id}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_token(secret: bytes, subscriber_id: int, purpose: str = "unsubscribe") -> str:
    """An opaque token: the subscriber id and an HMAC-SHA256 of it. Reveals no address."""
    return f"{subscriber_id}.{_mac(secret, purpose, subscriber_id)}"


def read_token(secret: bytes, token: str, purpose: str = "unsubscribe") -> int | None:
    """The subscriber id of a genuine token, else None (compared in constant time)."""
    sid, _, mac = token.partition(".")
    if not sid.isdigit() or len(sid) > 18:
        return None
    expected = _mac(secret, purpose, int(sid))
    return int(sid) if hmac.compare_digest(expected.encode(), mac.encode()) else None
