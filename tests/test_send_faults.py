"""Delivery against a misbehaving real SMTP server (aiosmtpd): temporary refusals, hard
bounces, dropped connections; a pool of connections, a rate limit, renewal after M."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from digest import config, pipeline, send, store, subscribers
from digest.models import Article, CollectResult, SourceReport
from tests.helpers.smtpserver import SmtpServer, StoringHandler, start_server

NOW = datetime.now(UTC).replace(microsecond=0)


class Faulty(StoringHandler):
    """Refuses some DATA with 451/421 at random (seeded), 550s some addresses, can drop the
    connection mid-DATA, and tracks sessions and how many are busy at once."""

    def __init__(self) -> None:
        super().__init__()
        self.rng = random.Random(7)
        self.temporary = 0.0  # share of DATA answered 451 or 421
        self.refuse: set[str] = set()
        self.drop_first = 0  # DATA commands answered by dropping the connection
        self.delay = 0.0
        self.sessions: set[int] = set()
        self.busy = 0
        self.peak = 0

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        if address in self.refuse:
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.sessions.add(id(session))
        self.busy += 1
        self.peak = max(self.peak, self.busy)
        try:
            await asyncio.sleep(self.delay)
            if self.drop_first > 0:
                self.drop_first -= 1
                server.transport.close()
                return "421 closing"
            if self.rng.random() < self.temporary:
                return self.rng.choice(["451 4.3.0 try again later", "421 4.7.0 busy"])
            return await super().handle_DATA(server, session, envelope)
        finally:
            self.busy -= 1


@pytest.fixture
def faulty() -> Iterator[SmtpServer]:
    server, controller = start_server(handler_class=Faulty)
    try:
        yield server
    finally:
        controller.stop()


@pytest.fixture(autouse=True)
def quick_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(send, "BACKOFF", 0.01)  # the schedule, not the protocol, is shortened
    monkeypatch.setenv("DIGEST_SECRET", "faults")


def site(tmp_path: Path, port: int, delivery: str = "") -> tuple[config.Config, Engine]:
    (tmp_path / "digest.toml").write_text(
        f"""
[digest]
database = "d.db"
[[themes]]
id = "russia"
terms = ["Russia*"]
[[lists]]
id = "weekly"
from = "Digest <digest@example.org>"
[delivery]
transport = "smtp"
{delivery}
[smtp]
host = "127.0.0.1"
port = {port}
security = "none"
""",
        encoding="utf-8",
    )
    cfg = config.load(tmp_path / "digest.toml")
    engine = store.open_engine(cfg.settings.database)
    return cfg, engine


def issue_with(cfg: config.Config, engine: Engine, n: int, key: str = "a") -> list[str]:
    art = Article(
        key=key,
        source="Wire",
        title=f"Russia {key}",
        url=f"https://e.org/{key}",
        published=NOW - timedelta(minutes=5),
        excerpt="x",
        text="x",
        content_hash=key,
    )
    store.save_collect(engine, CollectResult((SourceReport("Wire", (art,)),)), NOW)
    emails = [f"r{i:03d}@example.org" for i in range(n)]
    for address in emails:
        subscribers.add(engine, "weekly", address, NOW)
    return emails


def send_now(cfg: config.Config, engine: Engine, period: str = "p1") -> pipeline.SendOutcome:
    return asyncio.run(pipeline.send_list(cfg, engine, "weekly", NOW, period=period))


def received(server: SmtpServer) -> Counter[str]:
    return Counter(r for m in server.messages for r in m.rcpt_tos)


def test_random_421_and_451_are_retried_until_all_arrive(
    tmp_path: Path, faulty: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    faulty.handler.temporary = 0.3  # type: ignore[attr-defined]
    cfg, engine = site(tmp_path, faulty.port, "retries = 8")
    emails = issue_with(cfg, engine, 40)
    outcome = send_now(cfg, engine)
    assert (outcome.sent, outcome.failed, outcome.pending) == (40, 0, 0)
    assert received(faulty) == Counter({e: 1 for e in emails})
    attempts = [d.attempts for d in store.deliveries_of(engine, outcome.issue_id or 0)]
    assert max(attempts) > 1  # some really were retried


def test_550_addresses_are_bounced_and_the_rest_delivered(
    tmp_path: Path, faulty: SmtpServer
) -> None:
    cfg, engine = site(tmp_path, faulty.port, "bounce_limit = 2")
    emails = issue_with(cfg, engine, 10)
    faulty.handler.refuse = {emails[0], emails[1]}  # type: ignore[attr-defined]
    first = send_now(cfg, engine)
    assert first.sent == 8
    rows = {d.email: d for d in store.deliveries_of(engine, first.issue_id or 0)}
    assert rows[emails[0]].status == "bounced" and rows[emails[0]].error.startswith("550")
    assert received(faulty) == Counter({e: 1 for e in emails[2:]})
    faulty.handler.refuse = {emails[0]}  # type: ignore[attr-defined]
    issue_with(cfg, engine, 0, key="b")
    second = send_now(cfg, engine, period="p2")
    assert second.sent == 9
    status = {s.email: (s.status, s.bounces) for s in subscribers.list_all(engine, "weekly")}
    assert status[emails[0]] == ("bounced", 2)  # two hard bounces in a row: no more mail
    assert status[emails[1]] == ("active", 0)  # it bounced once, then took mail again
    issue_with(cfg, engine, 0, key="c")
    third = send_now(cfg, engine, period="p3")
    assert third.sent == 9  # the bounced address is no longer sent to
    rows = {d.email for d in store.deliveries_of(engine, third.issue_id or 0)}
    assert emails[0] not in rows


def test_a_connection_dropped_mid_data_is_retried_without_loss(
    tmp_path: Path, faulty: SmtpServer
) -> None:
    faulty.handler.drop_first = 2  # type: ignore[attr-defined]  # retries = 3 covers it
    cfg, engine = site(tmp_path, faulty.port, "connections = 1")
    emails = issue_with(cfg, engine, 6)
    outcome = send_now(cfg, engine)
    assert outcome.sent == 6
    assert received(faulty) == Counter({e: 1 for e in emails})


def test_a_pool_of_connections_a_rate_limit_and_renewal(tmp_path: Path, faulty: SmtpServer) -> None:
    faulty.handler.delay = 0.05  # type: ignore[attr-defined]
    cfg, engine = site(tmp_path, faulty.port, "connections = 3\nreconnect_after = 4")
    issue_with(cfg, engine, 24)
    assert send_now(cfg, engine).sent == 24
    handler = faulty.handler
    assert handler.peak == 3  # type: ignore[attr-defined]
    assert len(handler.sessions) == 6  # type: ignore[attr-defined]  # 24 / 3 / 4

    (tmp_path / "rate").mkdir()
    slow, engine2 = site(tmp_path / "rate", faulty.port, "connections = 4\nrate_per_second = 20")
    issue_with(slow, engine2, 21)
    started = time.monotonic()
    assert send_now(slow, engine2).sent == 21
    assert time.monotonic() - started >= 0.95  # 21 starts at 20 per second
