"""No input ever ends in a traceback: every bad value is a clear message naming it and an exit
code the README documents (`chargebook.cli.errors`), never an exception (issue 18)."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from types import UnionType
from typing import Any

import pytest
from typer.core import TyperGroup, TyperOption
from typer.testing import CliRunner, Result

from chargebook.cli.app import COMMANDS, app, load_command
from chargebook.clock import SystemClock
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    SimulatorConfig,
    WallboxSimulator,
)

DOCUMENTED_EXIT_CODES = {0, 1, 2, 3, 4, 5, 6, 7, 8}

# No source gives an id this long (the book's column holds 100 characters).
TOO_LONG = "9" * 101

# (arguments, the bad value the message must name). The list first, then the same
# class of value on every other command that reads a time, energy, day, id, zone or amount.
BAD_INPUTS: list[tuple[list[str], str]] = [
    (["plan", "--by", "7am", "--energy", "10"], "7am"),
    (["plan", "--by", "25:00", "--energy", "10"], "25:00"),
    (["plan", "--energy", "-5", "--by", "07:00"], "-5"),
    (
        [
            "plan",
            "add",
            "--charger",
            "1",
            "--days",
            "daily",
            "--depart",
            "07:00",
            "--energy",
            "1e400",
        ],
        "inf",
    ),
    (
        [
            "plan",
            "add",
            "--charger",
            "1",
            "--days",
            "daily",
            "--depart",
            "07:00",
            "--energy",
            "nan",
        ],
        "nan",
    ),
    (["wallbox", "sessions", "--from", "0001-01-01"], "0001-01-01"),
    (["chart", TOO_LONG, "-o", "x.png"], TOO_LONG),
    (["chart", "--monthly", "--tz", "Mars/Olympus", "-o", "x.png"], "Mars/Olympus"),
    (["ere", "price", "set", "2026-Q1", "1e999"], "1e999"),
    # More of the same class.
    (["plan", "--by", "07:00", "--energy", "10", "--max-power-kw", "inf"], "inf"),
    (["plan", "--by", "07:00", "--energy", "10", "--min-block", "-3"], "-3"),
    (["plan", "--by", "07:00", "--energy", "10", "--now", "0001-01-01T00:00"], "0001-01-01"),
    (["plan", "--by", "07:00", "--energy", "10", "--price-cap", "nan"], "nan"),
    (
        ["plan", "add", "--charger", "1", "--days", "daily", "--depart", "24:61", "--energy", "10"],
        "24:61",
    ),
    (
        [
            "plan",
            "add",
            "--charger",
            "1",
            "--days",
            "daily",
            "--depart",
            "07:00",
            "--soc",
            "250",
            "--capacity",
            "60",
        ],
        "250",
    ),
    (
        [
            "plan",
            "add",
            "--charger",
            "1",
            "--days",
            "daily",
            "--depart",
            "07:00",
            "--energy",
            "10",
            "--zone",
            "Mars/Olympus",
        ],
        "Mars/Olympus",
    ),
    (["plan", "pause", "99999999999999999999"], "99999999999999999999"),
    (["plan", "remove", "0"], "0"),
    (["plan", "backtest", "--energy", "1e400"], "inf"),
    (["plan", "backtest", "--plug-in", "6pm"], "6pm"),
    (["prices", "show", "--day", "0001-01-01"], "0001-01-01"),
    (["prices", "show", "--day", "tomorrow"], "tomorrow"),
    (["wallbox", "sessions", "--to", "9999-12-31"], "9999-12-31"),
    (["chart", "--monthly", "--charger", TOO_LONG, "-o", "x.png"], TOO_LONG),
    (["ere", "price", "set", "2026-Q1", "nan"], "nan"),
    (["ere", "batch", "show", "99999999999999999999"], "99999999999999999999"),
    (["ere", "payouts", "mark-paid", "99999999999999999999"], "99999999999999999999"),
    (["chargers", "transfer", " ", "--to", "a@b.c"], "' '"),
    (["tokens", "revoke", "--email", "a@b.c", "99999999999999999999"], "99999999999999999999"),
]


def _run(args: list[str]) -> Result:
    return CliRunner().invoke(app, args, env={"COLUMNS": "200"})


def _assert_no_traceback(result: Result) -> None:
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback: {result.exception!r}\n{result.output}")
    assert result.exit_code in DOCUMENTED_EXIT_CODES, (result.exit_code, result.output)


@pytest.mark.parametrize(("args", "bad"), BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_a_bad_value_is_a_message_naming_it_and_a_documented_exit_code(
    args: list[str], bad: str
) -> None:
    result = _run(args)
    _assert_no_traceback(result)
    assert "Internal error" not in result.output  # the last-resort net is not a message
    assert result.exit_code == 2, result.output  # wrong usage
    assert bad in result.output


# A reference that may be a source's id (any text) but names nothing: exit 1, named, and
# the listing command to find the right one.
UNKNOWN_REFERENCES: list[list[str]] = [
    ["chart", "99999999999999999999", "-o", "x.png"],
    ["chart", "--monthly", "--charger", "99999999999999999999", "-o", "x.png"],
    ["chargers", "transfer", "99999999999999999999", "--to", "a@b.c"],
    ["plan", "add", "--charger", "99999999999999999999", "--days", "daily", "--depart", "07:00",
     "--energy", "10"],
    ["ere", "connection", "link", "123456789012345678", "99999999999999999999"],
]  # fmt: skip


@pytest.mark.parametrize("args", UNKNOWN_REFERENCES, ids=[" ".join(a) for a in UNKNOWN_REFERENCES])
def test_an_unknown_reference_names_it_and_where_the_ids_are(args: list[str]) -> None:
    result = _run(args)
    _assert_no_traceback(result)
    assert result.exit_code == 1, result.output
    assert "99999999999999999999" in result.output
    assert "chargebook sessions" in result.output or "chargebook chargers list" in result.output


@pytest.mark.parametrize(
    "url", ["not a url", "http://[bad", "http://host:99999", "ftp://host", "https://"]
)
def test_a_malformed_wallbox_url_is_a_configuration_error_naming_the_variable(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_API_URL", url)
    result = _run(["wallbox", "status"])
    _assert_no_traceback(result)
    assert result.exit_code == 8, result.output
    assert "CHARGEBOOK_WALLBOX_API_URL" in result.output


def test_any_malformed_setting_is_a_configuration_error_never_echoing_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHARGEBOOK_OCPP_PORT", "s3cret-not-a-port")
    result = _run(["chargers", "list"])
    _assert_no_traceback(result)
    assert result.exit_code == 8, result.output
    assert "CHARGEBOOK_OCPP_PORT" in result.output
    assert "s3cret" not in result.output


# Commands that start servers or long-running loops when their values are accepted.
_LONG_RUNNING = {"demo", "serve", "simulator", "worker", "ocpp serve"}


def _leaf_commands() -> Iterator[tuple[str, Any]]:
    def walk(prefix: str, command: Any) -> Iterator[tuple[str, Any]]:
        if isinstance(command, TyperGroup):
            for name, child in command.commands.items():
                yield from walk(f"{prefix} {name}", child)
        yield prefix, command

    for name in COMMANDS:
        if name not in _LONG_RUNNING:
            yield from walk(name, load_command(name))


def _number_kind(annotation: Any) -> Any:
    """int or float for `int`, `float | None` and the like; None otherwise."""
    if isinstance(annotation, UnionType) or typing.get_origin(annotation) is typing.Union:
        found = [a for a in typing.get_args(annotation) if a is not type(None)]
        annotation = found[0] if len(found) == 1 else None
    return annotation if annotation in (int, float) else None


def _numeric_options() -> list[tuple[list[str], str]]:
    """Every number option of every command (found from the app), with an absurd value."""
    cases = []
    for path, command in _leaf_commands():
        if path in _LONG_RUNNING:
            continue
        for param in command.params:
            if not isinstance(param, TyperOption) or param.is_flag:
                continue
            flag, kind = param.opts[0], _number_kind(param.type_descriptor.annotation)
            if kind is int:
                cases.append(
                    ([*path.split(), flag, "99999999999999999999"], "99999999999999999999")
                )
            elif kind is float:
                cases.append(([*path.split(), flag, "nan"], "nan"))
    return cases


NUMERIC_OPTIONS = _numeric_options()


def test_the_sweep_finds_the_commands_numbers() -> None:
    assert len(NUMERIC_OPTIONS) >= 10


@pytest.mark.parametrize(
    ("args", "bad"), NUMERIC_OPTIONS, ids=[" ".join(a) for a, _ in NUMERIC_OPTIONS]
)
def test_no_number_option_of_any_command_ends_in_a_traceback(args: list[str], bad: str) -> None:
    result = _run(args)
    _assert_no_traceback(result)
    assert "Internal error" not in result.output  # the last-resort net is not a message


def test_a_current_above_the_chargers_maximum_reports_what_the_charger_really_has(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    config = SimulatorConfig(
        seed=3, accounts=1, chargers_per_account=1, days=2, latency_ms=0, partner_mode=True
    )
    sim = WallboxSimulator(config, clock=SystemClock())
    (cid,) = sim.charger_ids(DEMO_EMAIL)
    ceiling = sim.chargers[cid].model.max_current_a
    asked = min(ceiling + 8, 80)  # 80 A: the command's own upper bound
    assert asked > ceiling
    with ServedApp(sim.app) as served:
        for name, value in {
            "CHARGEBOOK_WALLBOX_API_URL": served.url,
            "CHARGEBOOK_WALLBOX_AUTH_URL": served.url,
            "CHARGEBOOK_WALLBOX_PARTNER_MODE": "true",
            "CHARGEBOOK_WALLBOX_MAX_RETRIES": "0",
            "CHARGEBOOK_WALLBOX_EMAIL": DEMO_EMAIL,
            "CHARGEBOOK_WALLBOX_PASSWORD": DEMO_PASSWORD,
        }.items():
            monkeypatch.setenv(name, value)
        result = _run(["wallbox", "current", str(asked)])
    _assert_no_traceback(result)
    assert result.exit_code == 0, result.output
    assert f"maximum current {ceiling} A" in result.output
    assert f"maximum current {asked} A" not in result.output
