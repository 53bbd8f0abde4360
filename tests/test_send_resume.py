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
from tests.helpers.webserver import RUSSIA_PAGE, serving

SECRET = b"postgres-send-secret"
NOW = datetime.now(UTC)
CONFIG = """
[digest]
title = "World Digest"
database = "{database}"
public_url = "https://news.example.org"
[[sources]]
name = "Pages"
type = "folder"
path = "pages"
[[themes]]
id = "russia"
title = {{ en = "Russia", fr = "Russie" }}
terms = ["Russia*", "Russie"]
[[lists]]
id = "weekly"
title = "La lettre du lundi"
locale = "fr"
from = "Digest <digest@example.org>"
[delivery]
transport = "outbox"
outbox_dir = "outbox"
"""


@pytest.fixture(params=["sqlite", "postgresql"])
def project(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[config.Config]:
    def write(database: str) -> config.Config:
        (tmp_path / "digest.toml").write_text(CONFIG.format(database=database), "utf-8")
        (tmp_path / "pages").mkdir()
        (tmp_path / "pages" / "a.txt").write_text(RUSSIA_PAGE, encoding="utf-8")
        monkeypatch.setenv("DIGEST_SECRET", SECRET.decode())
        return config.load(tmp_path / "digest.toml")

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
