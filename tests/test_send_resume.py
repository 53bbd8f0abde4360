"""A whole send on a real SQLite file and on the PostgreSQL server: the ledger, a stop and a
resume, and an unsubscribe made through `digest serve` while the send is under way."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from digest import config, pipeline, store, subscribers
from digest.web import create_app
from tests.helpers.postgres import fresh_database
from tests.helpers.project import WEEKLY, project_config, write_project
from tests.helpers.webserver import serving

SECRET = b"postgres-send-secret"
NOW = datetime.now(UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
def project(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[config.Config]:
    def write(database: str) -> config.Config:
        text = project_config(WEEKLY, database=database)
        return write_project(tmp_path, text, SECRET, monkeypatch)

    if request.param == "sqlite":
        yield write("d.db")
    else:
        with fresh_database() as url:
            yield write(url)


def test_a_stop_leaves_the_rest_pending_and_an_unsubscribe_during_the_send_holds(
    project: config.Config,
) -> None:
    cfg = project
    engine = store.open_engine(cfg.settings.database)
    try:
        people = [f"reader{i}@example.org" for i in range(6)]
        ids = {p: subscribers.add(engine, "weekly", p, NOW)[0].id for p in people}
        asyncio.run(pipeline.collect(cfg, engine, NOW))
        with serving(create_app(cfg, engine, SECRET)) as url:
            stop = asyncio.Event()
            sent: list[str] = []

            def after_each(email: str, result: str) -> None:
                sent.append(email)
                if len(sent) == 2:  # reader5 unsubscribes by one-click POST, then we stop
                    token = subscribers.make_token(SECRET, ids["reader5@example.org"])
                    answer = httpx.post(
                        f"{url}/u/{token}",
                        content="List-Unsubscribe=One-Click",
                        headers={"Content-Type": "application/x-www-form-urlencoded"},
                    )
                    assert answer.status_code == 200
                    stop.set()

            first = asyncio.run(
                pipeline.send_list(cfg, engine, "weekly", NOW, on_sent=after_each, stop=stop)
            )
            # the stop came with the second result: no third message, even one built ahead
            assert (first.sent, first.pending) == (2, 4)
            second = asyncio.run(pipeline.send_list(cfg, engine, "weekly", NOW, build=False))
        assert second.resumed and second.number == first.number
        assert (second.sent, second.skipped, second.pending) == (5, 1, 0)
        outbox = cfg.delivery.outbox_dir / "weekly" / f"{first.number:04d}"
        got = sorted(p.name.removesuffix(".eml") for p in outbox.iterdir())
        assert got == sorted(p for p in people if p != "reader5@example.org")
        assert subscribers.get(engine, ids["reader5@example.org"]).status == "unsubscribed"
        # nothing left to send, and nothing is sent twice
        third = asyncio.run(pipeline.send_list(cfg, engine, "weekly", NOW))
        assert third.sent == 0
        assert len(list(outbox.iterdir())) == 5
    finally:
        engine.dispose()
