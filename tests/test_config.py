from __future__ import annotations

from pathlib import Path

import pytest

from digest import config
from digest.errors import ConfigError
from tests.conftest import ROOT

MINIMAL = """
[digest]
title = "T"
database = "data/d.db"

[[sources]]
name = "Saved"
type = "folder"
path = "pages"

[[themes]]
id = "russia"
title = { en = "Russia", fr = "Russie" }
terms = ["Russia*"]

[[lists]]
id = "weekly"
from = "D <d@example.org>"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digest.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_example_config_loads_with_every_documented_key() -> None:
    cfg = config.load(ROOT / "config.example.toml")
    assert [lst.id for lst in cfg.lists] == ["weekly-en", "weekly-fr"]
    assert [t.id for t in cfg.themes] == ["korean-peninsula", "russia"]
    assert cfg.delivery.transport == "outbox"
    assert cfg.smtp.password_env == "DIGEST_SMTP_PASSWORD"
    folder = next(s for s in cfg.sources if s.type == "folder")
    assert folder.path == (ROOT / "examples" / "pages").resolve()
    assert folder.path.is_dir()
    for src in cfg.sources:
        if src.type == "rss":
            assert src.url and Path(src.url).is_file(), src


def test_relative_paths_resolve_against_the_config_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, MINIMAL)
    monkeypatch.chdir("/")
    cfg = config.load(path)
    assert cfg.settings.database == f"sqlite:///{tmp_path / 'data' / 'd.db'}"
    assert cfg.sources[0].path == tmp_path / "pages"
    assert cfg.delivery.outbox_dir == tmp_path / "out" / "outbox"


def test_lookup_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_CONFIG", str(tmp_path / "env.toml"))
    assert config.find_config("given.toml") == Path("given.toml")
    assert config.find_config(None) == tmp_path / "env.toml"
    monkeypatch.delenv("DIGEST_CONFIG")
    assert config.find_config(None) == Path("digest.toml")


def test_every_problem_is_reported_at_once_with_its_key_path(tmp_path: Path) -> None:
    text = (
        MINIMAL.replace('title = "T"', 'titel = "T"').replace(
            'from = "D <d@example.org>"',
            'from = "nobody"\nschedule = "mon 7"\ntimezone = "Mars/Olympus"\nthemes = ["nope"]',
        )
        + '\n[smtp]\npassword = "hunter2"\nport = "25"\n'
    )
    with pytest.raises(ConfigError) as err:
        config.load(write(tmp_path, text))
    problems = "\n".join(err.value.problems)
    assert "digest.titel: unknown key (did you mean 'title'?)" in problems
    assert "lists[0].from: not an email address" in problems
    assert "lists[0].schedule: not a cron expression: 'mon 7'" in problems
    assert "lists[0].timezone: unknown time zone 'Mars/Olympus'" in problems
    assert "lists[0].themes: unknown theme 'nope'" in problems
    assert "smtp.password: secrets do not belong in the config file" in problems
    assert "smtp.port: expected an int, got '25'" in problems
    assert len(err.value.problems) == 7


def test_missing_required_keys_and_bad_types(tmp_path: Path) -> None:
    text = """
[[sources]]
type = "ftp"
[[themes]]
id = "Bad Id"
terms = []
[[lists]]
id = "x"
from = "a@b.c"
other = "yes"
"""
    with pytest.raises(ConfigError) as err:
        config.load(write(tmp_path, text))
    problems = err.value.problems
    assert "sources[0].name: required key is missing" in problems
    assert any(p.startswith("sources[0].type: expected one of rss, folder") for p in problems)
    assert any(p.startswith("themes[0].id: 'Bad Id'") for p in problems)
    assert "themes[0].terms: expected a non-empty list of non-empty strings" in problems
    assert "lists[0].other: expected a bool, got 'yes'" in problems


def test_invalid_toml_and_missing_file_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load(write(tmp_path, "[digest\n"))
    with pytest.raises(ConfigError, match="--config FILE"):
        config.load(tmp_path / "absent.toml")


def test_database_url_is_kept_as_is(tmp_path: Path) -> None:
    text = MINIMAL.replace('database = "data/d.db"', 'database = "postgresql://127.0.0.1/test"')
    assert config.load(write(tmp_path, text)).settings.database == "postgresql://127.0.0.1/test"


def test_an_unknown_top_level_table_is_named_without_a_prefix(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        config.load(write(tmp_path, MINIMAL + '\n[delivry]\ntransport = "outbox"\n'))
    assert err.value.problems == ["delivry: unknown key (did you mean 'delivery'?)"]


def test_templates_dir_and_the_older_templates_key(tmp_path: Path) -> None:
    new = config.load(write(tmp_path, MINIMAL.replace('title = "T"', 'templates_dir = "mine"')))
    assert new.settings.templates == tmp_path / "mine"
    old = config.load(write(tmp_path, MINIMAL.replace('title = "T"', 'templates = "old"')))
    assert old.settings.templates == tmp_path / "old"


def test_subject_and_preheader_templates_are_checked_and_used(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from digest import issue
    from digest.models import Issue, IssueItem, Section

    bad = MINIMAL + 'subject = "{{ title"\npreheader = "{% if %}"\n'
    with pytest.raises(ConfigError) as caught:
        config.load(write(tmp_path, bad))
    problems = caught.value.problems
    assert any(p.startswith("lists[0].subject: not a valid template") for p in problems)
    assert any(p.startswith("lists[0].preheader: not a valid template") for p in problems)
    good = MINIMAL + 'preheader = "{{ count }} stories, first: {{ top }} ({{ sections }})"\n'
    cfg = config.load(write(tmp_path, good))
    lst = cfg.lists[0]
    from tests.test_stories import art

    section = Section("russia", "Russia", "#000", (IssueItem(art("Kremlin budget", "W", 1)),))
    made = issue.variant(
        Issue(lst.id, 3, datetime.now(UTC), "", "", "en", (section,)), lst, cfg.themes, "T", "en"
    )
    assert made.preheader == "1 stories, first: Kremlin budget (Russia (1))"


def test_a_language_is_one_catalog(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Adding a language is adding digest/locales/<code>/LC_MESSAGES/digest.po."""
    from digest import i18n

    assert i18n.available_locales() == config.LOCALES
    assert {"en", "fr"} <= set(config.LOCALES)
    catalog = tmp_path / "de" / "LC_MESSAGES" / "digest.po"
    catalog.parent.mkdir(parents=True)
    catalog.write_text('msgid "Read more"\nmsgstr "Weiterlesen"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        assert i18n.available_locales() == ("en", "de")
        assert i18n.gettext("de", "Read more") == "Weiterlesen"
    finally:
        i18n.translations.cache_clear()


def test_news_terms_file_is_resolved_and_checked(tmp_path: Path) -> None:
    terms = tmp_path / "terms.toml"
    terms.write_text('[heatwave]\nen = ["heatwave*"]\nfr = ["canicule*"]\n', encoding="utf-8")
    good = config.load(write(tmp_path, MINIMAL.replace('title = "T"', 'news_terms = "terms.toml"')))
    assert good.settings.news_terms == terms
    assert config.load(write(tmp_path, MINIMAL)).settings.news_terms is None

    # each mistake is one line naming the key, the file and the place
    for text, expected in [
        ('[heatwave]\nen = "heatwave"\n', "[heatwave] en must be a list of terms"),
        ('heatwave = ["heatwave"]\n', "[heatwave] must be a table of languages"),
        ('[heatwave]\nEnglish = ["heatwave"]\n', "'English' is not a language code"),
        ('[heatwave]\nen = ["*"]\n', "en: '*' has no word to match"),
        ("[heatwave\n", "not valid TOML"),
    ]:
        terms.write_text(text, encoding="utf-8")
        with pytest.raises(ConfigError) as caught:
            config.load(
                write(tmp_path, MINIMAL.replace('title = "T"', 'news_terms = "terms.toml"'))
            )
        (problem,) = caught.value.problems
        assert problem.startswith(f"digest.news_terms: {terms}: ") and expected in problem
        assert "\n" not in problem
    missing = MINIMAL.replace('title = "T"', 'news_terms = "nowhere.toml"')
    with pytest.raises(ConfigError, match=r"digest.news_terms: .*nowhere.toml: cannot read it"):
        config.load(write(tmp_path, missing))
