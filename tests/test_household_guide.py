"""The household guide and its files cannot rot: the home unit runs real commands, every
`chargebook ...` the guide shows is a real command with real options, every CHARGEBOOK_*
variable is a setting, and the example settings load (issue 18)."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest

from chargebook.settings import Settings
from test_deployment import VARIABLE, _assert_setting, check_command

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "household.md"
UNIT = ROOT / "deploy" / "systemd" / "chargebook-home.service"
ENV = ROOT / "deploy" / "household.env.example"
# `chargebook` words up to the end of the command: a comment, a pipe, a quote or a shell variable.
COMMAND = re.compile(r"(?:^|bin/)chargebook ([^#|`'\"$\n]*)", re.MULTILINE)
INLINE = re.compile(r"`(?:\S*/)?chargebook ([^`]*)`")


def _commands(guide: str) -> list[str]:
    """`chargebook ...` in code spans, and on the lines of the guide's code blocks."""
    found = INLINE.findall(guide)
    blocks = re.findall(r"```sh\n(.*?)```", guide, flags=re.DOTALL)
    found += [m for block in blocks for m in COMMAND.findall(block)]
    return [c.strip() for c in found if c.strip()]


def _unit() -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment, method-assign]
    parser.read_string(UNIT.read_text())
    return parser["Service"]


def test_the_home_unit_runs_real_commands_on_the_guides_paths() -> None:
    service = _unit()
    for line in (service["ExecStartPre"], service["ExecStart"]):
        program, *words = shlex.split(line)
        assert program == "/opt/chargebook/venv/bin/chargebook", line
        check_command(words)
    assert shlex.split(service["ExecStart"])[1] == "serve"
    assert service["KillSignal"] == "SIGTERM"
    assert service["EnvironmentFile"] == "/etc/chargebook/chargebook.env"
    data_dir = "/var/lib/chargebook"
    assert service["ReadWritePaths"] == data_dir
    assert f"CHARGEBOOK_DATA_DIR={data_dir}" in ENV.read_text()
    guide = GUIDE.read_text()
    for path in (UNIT, ENV):
        assert str(path.relative_to(ROOT)) in guide


def test_every_command_in_the_guide_is_real() -> None:
    commands = _commands(GUIDE.read_text())
    assert len(commands) >= 8, commands
    for command in commands:
        words = [w for w in shlex.split(command) if w not in {"ID", "..."}]
        check_command(words[:6])


def test_every_variable_is_a_setting_and_the_example_loads(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    texts = [GUIDE.read_text(), UNIT.read_text(), ENV.read_text()]
    for name in {match for text in texts for match in VARIABLE.findall(text)}:
        _assert_setting(name)
    for line in ENV.read_text().splitlines():
        if line and not line.startswith("#"):
            name, value = line.split("=", 1)
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("CHARGEBOOK_DATA_DIR", str(tmp_path))
    settings = Settings()
    assert settings.signup == "closed"
    assert settings.ocpp_public_url == "ws://192.168.1.20:8887/"
    assert settings.database_url is None  # SQLite in the data dir


@pytest.mark.parametrize("words", [["serv"], ["serve", "--hots", "192.168.1.20"]])
def test_the_checker_catches_typos(words: list[str]) -> None:
    with pytest.raises(AssertionError):
        check_command(words)
