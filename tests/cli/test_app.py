"""The root CLI: every registered command loads, and start-up stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import COMMANDS, app


@pytest.mark.parametrize("name", list(COMMANDS))
def test_every_registered_command_loads_and_has_help(name: str) -> None:
    result = CliRunner().invoke(app, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"chargebook {name}" in result.output


def test_root_help_lists_every_command() -> None:
    result = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for name in COMMANDS:
        assert f" {name} " in result.output


def test_starting_the_cli_does_not_import_the_heavy_parts() -> None:
    # A scripted `chargebook wallbox status` must not pay for charts, the web app or the DB.
    probe = (
        "import sys, chargebook.cli.app as a; a.load_command('wallbox');"
        "print(sorted(m for m in ('matplotlib', 'fastapi', 'sqlalchemy') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
