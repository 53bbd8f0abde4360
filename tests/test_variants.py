"""Each subscriber gets the issue in their language and with only the themes they chose."""

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
from tests.helpers.cli import run_digest

NOW = datetime.now(UTC).replace(microsecond=0)
CONFIG = """
[digest]
database = "d.db"
public_url = "https://news.example.org"
[[themes]]
id = "korean-peninsula"
title = { en = "Korean Peninsula", fr = "Péninsule coréenne" }
terms = ["Korea*", "Pyongyang"]
[[themes]]
id = "russia"
title = { en = "Russia", fr = "Russie" }
terms = ["Russia*"]
[[lists]]
id = "weekly"
title = "The Letter"
locale = "en"
from = "Digest <digest@example.org>"
other = true
[delivery]
transport = "outbox"
outbox_dir = "outbox"
"""


@pytest.fixture
def site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[config.Config, Engine]:
    monkeypatch.setenv("DIGEST_SECRET", "variants")
    (tmp_path / "digest.toml").write_text(CONFIG, encoding="utf-8")
    cfg = config.load(tmp_path / "digest.toml")
    engine = store.open_engine(cfg.settings.database)
    arts = tuple(
        Article(
            key=k,
            source="Wire",
            title=t,
            url=f"https://e.org/{k}",
            published=NOW - timedelta(hours=1),
            excerpt=t,
            text=t,
            content_hash=k,
        )
        for k, t in (("r", "Russia sets a budget"), ("o", "Weather turns cold"))
    )
    store.save_collect(engine, CollectResult((SourceReport("Wire", arts),)), NOW)
    return cfg, engine


def message(cfg: config.Config, address: str) -> email.message.EmailMessage:
    path = cfg.delivery.outbox_dir / "weekly" / "0001" / f"{address}.eml"
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(msg, email.message.EmailMessage)
    return msg


def text_of(msg: email.message.EmailMessage) -> str:
    part = msg.get_body(("plain",))
    assert part is not None
    return str(part.get_content())


def test_language_and_theme_choice_per_subscriber(site: tuple[config.Config, Engine]) -> None:
    cfg, engine = site
    known = {"korean-peninsula", "russia"}
    for address, locale, themes in (
        ("en@example.org", None, None),
        ("fr@example.org", "fr", None),
        ("fr-ru@example.org", "fr", ["russia"]),
        ("kp@example.org", None, ["korean-peninsula"]),
    ):
        subscribers.add(
            engine, "weekly", address, NOW, locale=locale, themes=themes, known_themes=known
        )
    outcome = asyncio.run(pipeline.send_list(cfg, engine, "weekly", NOW))
    assert (outcome.sent, outcome.skipped) == (3, 1)

    en = text_of(message(cfg, "en@example.org"))
    assert "RUSSIA (1)" in en and "OTHER (1)" in en and "Read more" in en
    fr = message(cfg, "fr@example.org")
    assert fr["Subject"].startswith("The Letter — ")  # the date in French:
    assert any(
        m in fr["Subject"]
        for m in (
            "janvier",
            "février",
            "mars",
            "avril",
            "mai",
            "juin",
            "juillet",
            "août",
            "septembre",
            "octobre",
            "novembre",
            "décembre",
        )
    )
    assert "RUSSIE (1)" in text_of(fr) and "AUTRES (1)" in text_of(fr)
    assert "Lire la suite" in text_of(fr)
    only = text_of(message(cfg, "fr-ru@example.org"))
    assert "RUSSIE (1)" in only and "AUTRES" not in only and "Weather" not in only
    assert not (cfg.delivery.outbox_dir / "weekly" / "0001" / "kp@example.org.eml").exists()
    (issue,) = store.list_issues(engine)
    by_email = {d.email: d for d in store.deliveries_of(engine, issue["id"])}
    assert by_email["kp@example.org"].status == "skipped"
    assert by_email["kp@example.org"].error == "nothing in the chosen themes this time"
    assert {d.variant for d in by_email.values()} == {
        "en:*",
        "fr:*",
        "fr:russia",
        "en:korean-peninsula",
    }


def test_theme_choices_are_checked_on_add_and_import(site: tuple[config.Config, Engine]) -> None:
    cfg, _ = site
    root = cfg.base_dir
    bad = run_digest(root, "subscribers", "add", "weekly", "a@example.org", "--themes", "sport")
    assert bad.returncode == 1 and "unknown theme 'sport'" in bad.stderr
    good = run_digest(root, "subscribers", "add", "weekly", "a@example.org", "--themes", "russia")
    assert good.returncode == 0, good.stderr
    (root / "subs.csv").write_text(
        "email,name,locale,themes\n"
        "b@example.org,B,fr,russia;korean-peninsula\n"
        "c@example.org,C,en,sport\n",
        encoding="utf-8",
    )
    imported = run_digest(root, "subscribers", "import", "weekly", "subs.csv")
    assert imported.returncode == 0
    assert "subs.csv, line 3: unknown theme 'sport'" in imported.stderr
    exported = run_digest(root, "subscribers", "export", "weekly").stdout.splitlines()
    assert exported == [
        "email,name,locale,themes,status",
        "a@example.org,,,russia,active",
        "b@example.org,B,fr,korean-peninsula;russia,active",
    ]


def test_preview_as_one_subscriber(site: tuple[config.Config, Engine]) -> None:
    cfg, engine = site
    subscribers.add(
        engine,
        "weekly",
        "fr-ru@example.org",
        NOW,
        locale="fr",
        themes=["russia"],
        known_themes={"russia", "korean-peninsula"},
    )
    root = cfg.base_dir
    shown = run_digest(root, "preview", "weekly", "--as", "fr-ru@example.org", "--out", "p.html")
    assert shown.returncode == 0, shown.stderr
    text = (root / "p.txt").read_text(encoding="utf-8")
    assert "RUSSIE (1)" in text and "AUTRES" not in text and "fr-ru@example.org" in text
    assert "Russie: 1" in shown.stdout and "warning" not in shown.stderr
    stranger = run_digest(root, "preview", "weekly", "--as", "nobody@example.org")
    assert (
        stranger.returncode == 1 and "nobody@example.org is not on list weekly" in stranger.stderr
    )
    assert store.list_issues(engine) == []
