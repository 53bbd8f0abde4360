"""The pipeline on a real SQLite file: plan (preview), test copies, retrying failures."""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from digest import config, pipeline, store, subscribers
from digest.models import Article, CollectResult, SourceReport

# the CLI test runs at the real time, so the articles are dated relative to it
NOW = datetime.now(UTC).replace(microsecond=0)
CONFIG = """
[digest]
database = "d.db"
public_url = "https://news.example.org"
[[themes]]
id = "russia"
title = { en = "Russia" }
terms = ["Russia*"]
[[lists]]
id = "weekly"
title = "Weekly"
from = "Digest <digest@example.org>"
other = false
max_age_days = 7
[delivery]
transport = "outbox"
outbox_dir = "outbox"
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[config.Config, Engine]:
    monkeypatch.setenv("DIGEST_SECRET", "pipeline-test")
    (tmp_path / "digest.toml").write_text(CONFIG, encoding="utf-8")
    cfg = config.load(tmp_path / "digest.toml")
    engine = store.open_engine(cfg.settings.database)

    def art(key: str, title: str, days_old: int) -> Article:
        return Article(
            key=key,
            source="Wire",
            title=title,
            url=f"https://e.org/{key}",
            published=NOW - timedelta(days=days_old),
            excerpt=title,
            text=title,
            content_hash=key,
        )

    report = SourceReport(
        "Wire",
        (art("new", "Russia today", 1), art("old", "Russia then", 30), art("off", "Weather", 1)),
    )
    store.save_collect(engine, CollectResult((report,)), NOW)
    return cfg, engine


def test_plan_says_what_is_left_out_and_why(site: tuple[config.Config, Engine]) -> None:
    cfg, engine = site
    plan = pipeline.plan(cfg, engine, "weekly", NOW)
    assert [a.title for a in plan.issue.articles] == ["Russia today"]
    reasons = {x.article.title: x.reason for x in plan.left_out}
    assert reasons == {
        "Weather": "matches none of the list's themes",
        "Russia then": f"published {NOW - timedelta(days=30):%Y-%m-%d}, older than "
        "max_age_days (7)",
    }
    assert store.list_issues(engine) == []


def test_send_to_one_address_touches_no_ledger(site: tuple[config.Config, Engine]) -> None:
    cfg, engine = site
    sent_to = asyncio.run(pipeline.send_test(cfg, engine, "weekly", "Editor@Example.org", NOW))
    assert sent_to == "Editor@example.org"
    (path,) = (cfg.delivery.outbox_dir / "weekly" / "test").iterdir()
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["Subject"].startswith("[TEST] ") and msg["To"] == "Editor@example.org"
    assert store.list_issues(engine) == []
    assert len(store.candidates(engine, "weekly", NOW - timedelta(days=7))) == 2


def test_retry_failed_requeues_failed_rows_only(site: tuple[config.Config, Engine]) -> None:
    cfg, engine = site
    for address in ("a@example.org", "b@example.org", "c@example.org"):
        subscribers.add(engine, "weekly", address, NOW)
    outcome = asyncio.run(pipeline.send_list(cfg, engine, "weekly", NOW))
    assert outcome.sent == 3
    pending = {d.email: d for d in store.deliveries_of(engine, outcome.issue_id)}
    store.mark_delivery(engine, pending["b@example.org"], "failed", NOW, "451 try later")
    store.mark_delivery(engine, pending["c@example.org"], "bounced", NOW, "550 no such user")
    assert store.requeue_failed(engine, "weekly", NOW) == 1
    again = asyncio.run(pipeline.send_list(cfg, engine, "weekly", NOW))
    assert again.resumed and again.issue_id == outcome.issue_id
    assert (again.sent, again.failed) == (2, 0)  # a, and b again; c stays bounced
    detail = store.issue_detail(engine, outcome.issue_id)
    assert {d.email: d.status for d in detail["deliveries"]} == {
        "a@example.org": "sent",
        "b@example.org": "sent",
        "c@example.org": "bounced",
    }
    assert detail["sections"] == [{"title": "Russia", "articles": ["Russia today"], "also": [[]]}]


def test_cli_test_copy_issue_detail_and_retry(site: tuple[config.Config, Engine]) -> None:
    from tests.helpers.cli import run_digest

    cfg, engine = site
    subscribers.add(engine, "weekly", "a@example.org", NOW)
    root = cfg.base_dir
    test_copy = run_digest(root, "send", "weekly", "--to", "editor@example.org")
    assert test_copy.returncode == 0, test_copy.stderr
    assert "sent to editor@example.org; nothing stored" in test_copy.stdout
    assert run_digest(root, "send", "weekly").returncode == 0
    shown = run_digest(root, "issues", "show", "1")
    assert shown.returncode == 0, shown.stderr
    assert "Russia today" in shown.stdout and "a@example.org" in shown.stdout
    assert "sent" in shown.stdout
    retry = run_digest(root, "send", "weekly", "--retry-failed")
    assert retry.returncode == 0 and "0 failed deliveries of weekly queued again" in retry.stdout
    bad = run_digest(root, "issues", "show", "one")
    assert bad.returncode == 2 and "digest issues show ID" in bad.stderr
