"""Bad input gives one clear error (no traceback) and a non-zero exit, through the real CLI."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.cli import run_digest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"

GOOD_CONFIG = """\
[digest]
title = "World Digest"
database = "out/digest.db"
public_url = "https://news.example.org"
secret_env = "DIGEST_SECRET"

[[sources]]
name = "Good feed"
type = "rss"
url = "feeds/good.xml"

[[sources]]
name = "Broken feed"
type = "rss"
url = "feeds/broken.xml"

[[sources]]
name = "Good pages"
type = "folder"
path = "pages"

[[themes]]
id = "russia"
title = { en = "Russia", fr = "Russie" }
terms = ["Russie", "russe*", "Moscou", "Kremlin"]

[[lists]]
id = "weekly-fr"
title = "La lettre du lundi"
locale = "fr"
from = "Digest <digest@example.org>"

[delivery]
transport = "outbox"
outbox_dir = "out/outbox"
"""

MISTAKES_CONFIG = """\
[digest]
titel = "World Digest"
database = "out/digest.db"

[[sources]]
name = "Good feed"
type = "rss"
url = "feeds/good.xml"

[[themes]]
id = "russia"
terms = ["Russie"]

[[lists]]
id = "weekly-fr"
from = "Digest <digest@example.org>"
schedule = "0 25 * * mon"
themes = ["russia", "korea"]

[smtp]
host = "127.0.0.1"
password = "hunter2-do-not-print"
"""


def digest(
    cwd: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_digest(cwd, *args, env=env)


def one_clear_error(result: subprocess.CompletedProcess[str]) -> str:
    """A non-zero exit, a single 'Error:' on stderr, no traceback. Returns stderr."""
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert result.stderr.count("Error:") == 1, result.stderr
    return result.stderr


@pytest.fixture
def project(tmp_path: Path) -> Path:
    feeds = tmp_path / "feeds"
    feeds.mkdir()
    shutil.copy(EXAMPLES / "feeds" / "lettre-fr.xml", feeds / "good.xml")
    (feeds / "broken.xml").write_text("<html>not a feed", encoding="utf-8")
    (tmp_path / "pages").mkdir()
    shutil.copy(EXAMPLES / "pages" / "climate-note.md", tmp_path / "pages" / "climate-note.md")
    (tmp_path / "digest.toml").write_text(GOOD_CONFIG, encoding="utf-8")
    return tmp_path


def test_missing_config_says_how_to_fix(tmp_path: Path) -> None:
    for args, env in (
        (("-c", str(tmp_path / "nope.toml"), "collect"), None),
        (("collect",), None),  # no --config, no $DIGEST_CONFIG, no ./digest.toml
        (("collect",), {"DIGEST_CONFIG": str(tmp_path / "gone.toml")}),
    ):
        result = digest(tmp_path, *args, env=env)
        err = one_clear_error(result)
        assert result.returncode == 2
        assert "not found" in err
        for hint in ("--config", "DIGEST_CONFIG", "digest.toml"):
            assert hint in err, err
    assert not (tmp_path / "out").exists()


def test_every_config_mistake_reported_at_once(tmp_path: Path) -> None:
    config = tmp_path / "digest.toml"
    config.write_text(MISTAKES_CONFIG, encoding="utf-8")
    result = digest(tmp_path, "-c", str(config), "collect")
    err = one_clear_error(result)
    assert result.returncode == 2
    assert str(config) in err
    problems = [line.strip()[2:] for line in err.splitlines() if line.strip().startswith("- ")]
    assert len(problems) == 4, err
    assert any(p.startswith("digest.titel:") and "did you mean 'title'" in p for p in problems), (
        problems
    )
    assert any(
        p.startswith("lists[0].schedule:") and "cron" in p and "0 25 * * mon" in p for p in problems
    ), problems
    assert any(p.startswith("lists[0].themes:") and "'korea'" in p for p in problems), problems
    assert any(p.startswith("smtp.password:") and "password_env" in p for p in problems), problems
    assert "hunter2-do-not-print" not in result.stdout + result.stderr  # never echo a secret
    assert not (tmp_path / "out").exists()  # nothing ran


def test_unknown_list_on_send(project: Path) -> None:
    result = digest(project, "-c", "digest.toml", "send", "weekly-xx")
    err = one_clear_error(result)
    assert "'weekly-xx'" in err
    assert "weekly-fr" in err  # names the lists that do exist
    assert not (project / "out" / "outbox").exists()


def test_subscribers_add_invalid_address(project: Path) -> None:
    result = digest(project, "-c", "digest.toml", "subscribers", "add", "weekly-fr", "not-an-email")
    err = one_clear_error(result)
    assert "not-an-email" in err
    assert "valid address" in err
    listed = digest(project, "-c", "digest.toml", "subscribers", "export", "weekly-fr")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.strip().splitlines() == ["email,name,locale,themes,status"]


def test_broken_feed_does_not_stop_the_others(project: Path) -> None:
    result = digest(project, "-c", "digest.toml", "collect")
    assert "Traceback" not in result.stderr, result.stderr
    # the failure is named, once, on stderr, and shown as failed in the table
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, result.stderr
    assert "Broken feed" in errors[0]
    assert "not an RSS/Atom feed" in errors[0]
    row = next(line for line in result.stdout.splitlines() if "Broken feed" in line)
    assert "failed" in row
    for good in ("Good feed", "Good pages"):
        line = next(x for x in result.stdout.splitlines() if good in x)
        assert re.search(r"\bok\b", line), line
    # a failed source makes collect exit 1 (for cron and ops), after storing the rest
    assert result.returncode == 1, result.returncode
    assert "Error: some sources failed" in result.stderr

    # the good sources' articles are stored
    listed = digest(project, "-c", "digest.toml", "articles", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    by_source: dict[str, int] = {}
    for r in rows:
        by_source[r["source"]] = by_source.get(r["source"], 0) + 1
    good_items = (project / "feeds" / "good.xml").read_text(encoding="utf-8").count("<item>")
    assert by_source == {"Good feed": good_items, "Good pages": 1}, by_source
