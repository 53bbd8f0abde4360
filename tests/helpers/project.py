"""A small digest project on disk for the web tests: one folder source (`pages/`, one saved
page about Russia in French), the Russia theme in English and French, some lists, outbox
delivery."""

from __future__ import annotations

from pathlib import Path

import pytest

from digest import config

PUBLIC_URL = "https://news.example.org"
RUSSIA_PAGE = "La Russie et le blé - Carnet\n\nLa Russie exporte plus de blé cette année.\n"
WEEKLY_EN = ("weekly-en", "The Monday Letter", "en")
WEEKLY_FR = ("weekly-fr", "La lettre du lundi", "fr")
WEEKLY = ("weekly", "La lettre du lundi", "fr")  # where one list is enough


def project_config(*lists: tuple[str, str, str], database: str = "d.db", extra: str = "") -> str:
    """digest.toml with these lists (id, title, locale); `extra` lines go in [digest]."""
    listed = "".join(
        f'[[lists]]\nid = "{id_}"\ntitle = "{title}"\nlocale = "{locale}"\n'
        'from = "Digest <digest@example.org>"\n'
        for id_, title, locale in lists
    )
    return f"""
[digest]
title = "World Digest"
database = "{database}"
public_url = "{PUBLIC_URL}"
{extra}
[[sources]]
name = "Pages"
type = "folder"
path = "pages"
[[themes]]
id = "russia"
title = {{ en = "Russia", fr = "Russie" }}
terms = ["Russia*", "Russie"]
{listed}[delivery]
transport = "outbox"
outbox_dir = "outbox"
"""


def write_project(
    root: Path, config_text: str, secret: bytes, monkeypatch: pytest.MonkeyPatch
) -> config.Config:
    """The config and the saved page written under `root`, DIGEST_SECRET set; the config."""
    (root / "digest.toml").write_text(config_text, encoding="utf-8")
    (root / "pages").mkdir()
    (root / "pages" / "a.txt").write_text(RUSSIA_PAGE, encoding="utf-8")
    monkeypatch.setenv("DIGEST_SECRET", secret.decode())
    return config.load(root / "digest.toml")
