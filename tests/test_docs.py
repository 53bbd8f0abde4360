"""The README and --help stay true to the code."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from digest.cli import cli
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def commands(group: click.Group, prefix: str = "digest") -> list[tuple[str, click.Command]]:
    found = []
    for name, cmd in sorted(group.commands.items()):
        found.append((f"{prefix} {name}", cmd))
        if isinstance(cmd, click.Group):
            found += commands(cmd, f"{prefix} {name}")
    return found


@pytest.mark.parametrize(("name", "cmd"), commands(cli), ids=lambda v: str(v))
def test_every_command_has_help_and_is_in_the_readme(name: str, cmd: click.Command) -> None:
    assert cmd.help, f"{name} has no help text"
    assert f"`{name}" in README, f"README does not mention `{name}`"
    result = CliRunner().invoke(cli, [*name.split()[1:], "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage:" in result.output


def test_readme_shows_the_two_commands() -> None:
    assert "make demo" in README and "make test" in README
