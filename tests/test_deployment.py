"""The deployment guide and files cannot rot silently: every `chargebook ...` command they run
is a real CLI command with real options, and every CHARGEBOOK_* variable is a real setting."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer
import yaml

from chargebook.cli.app import app
from chargebook.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
GUIDE = ROOT / "docs" / "deployment.md"
UNITS = [
    DEPLOY / "systemd" / "chargebook-serve.service",
    DEPLOY / "systemd" / "chargebook-worker@.service",
]
VARIABLE = re.compile(r"\bCHARGEBOOK_[A-Z0-9_]+\b")


def check_command(words: list[str]) -> None:
    """Fail unless `chargebook <words>` names a command and only options it has."""
    assert words, "empty command"
    # Typer vendors click: walk its command objects by duck typing, not click's classes.
    command: Any = typer.main.get_command(app)
    context = command.context_class(command)
    arguments_seen = skip_value = False
    for word in words:
        if skip_value:
            skip_value = False
            continue
        if word.startswith("-"):
            option = word.split("=", 1)[0]
            found = [param for param in command.params if option in param.opts]
            assert found, f"`{option}` is not an option of {command.name}: {words}"
            skip_value = "=" not in word and not getattr(found[0], "is_flag", False)
            continue
        if hasattr(command, "get_command") and not arguments_seen:
            sub = command.get_command(context, word)
            assert sub is not None, f"`{word}` is not a sub-command of {command.name}: {words}"
            command, context = sub, sub.context_class(sub, parent=context)
            continue
        arguments_seen = True  # an argument or an option's value
    assert not hasattr(command, "get_command") or command.invoke_without_command, words


def _compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((DEPLOY / "compose.yaml").read_text())
    return loaded


def test_compose_services_run_real_commands() -> None:
    services = _compose()["services"]
    assert {"postgres", "migrate", "web", "worker"} <= set(services)
    commands = {name: s["command"] for name, s in services.items() if "command" in s}
    assert commands["migrate"][:3] == ["chargebook", "db", "upgrade"]
    assert commands["worker"][:2] == ["chargebook", "worker"]
    assert commands["web"][:2] == ["chargebook", "serve"]
    for command in commands.values():
        assert command[0] == "chargebook"
        check_command(command[1:])
    # The app waits for the migration, which waits for PostgreSQL.
    assert services["worker"]["depends_on"]["migrate"]["condition"] == (
        "service_completed_successfully"
    )
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_compose_environment_names_real_settings_and_keeps_secrets_out() -> None:
    services = _compose()["services"]
    environment = services["worker"]["environment"]
    assert environment == services["web"]["environment"] == services["migrate"]["environment"]
    for name in environment:
        _assert_setting(name)
    # Secrets come from deploy/.env, never from the committed file.
    assert environment["CHARGEBOOK_SECRET_KEY"].startswith("${CHARGEBOOK_SECRET_KEY:?")


def test_systemd_units_run_real_commands() -> None:
    for path in UNITS:
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        parser.optionxform = str  # type: ignore[assignment, method-assign]
        parser.read_string(path.read_text())
        service = parser["Service"]
        lines = [service["ExecStart"], *filter(None, [service.get("ExecStartPre")])]
        for line in lines:
            program, *words = shlex.split(line)
            assert program.endswith("/bin/chargebook"), line
            check_command(words)
        assert service["KillSignal"] == "SIGTERM"
        assert service["EnvironmentFile"] == "/etc/chargebook/chargebook.env"
        assert "SECRET" not in path.read_text().replace("CHARGEBOOK_SECRET_KEY", "")


def test_the_guide_and_env_examples_name_real_commands_and_settings() -> None:
    guide = GUIDE.read_text()
    commands = [
        line.strip().split("#", 1)[0]
        for line in guide.splitlines()
        if line.strip().startswith("chargebook ")
    ]
    commands += re.findall(r"`(chargebook [a-z][^`]*)`", guide)
    assert len(commands) >= 8
    for command in commands:
        check_command([w for w in shlex.split(command)[1:] if w not in {"|", "..."}][:4])
    texts = [guide, *(p.read_text() for p in DEPLOY.rglob("*") if p.is_file())]
    for name in {match for text in texts for match in VARIABLE.findall(text)}:
        _assert_setting(name)


def test_readme_links_the_guide() -> None:
    assert "docs/deployment.md" in (ROOT / "README.md").read_text()


@pytest.mark.parametrize("words", [["wroker"], ["worker", "--concurency", "2"], ["db", "upgrad"]])
def test_the_checker_catches_typos(words: list[str]) -> None:
    with pytest.raises(AssertionError):
        check_command(words)


def _assert_setting(name: str) -> None:
    field = name.removeprefix("CHARGEBOOK_").lower()
    assert field in Settings.model_fields, f"{name} is not a chargebook setting"
