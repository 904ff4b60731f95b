"""`chargebook tariff show|set` on a real SQLite book: each kind, the owner by e-mail or the
only user, and bad input ending in a clear message with a documented exit code."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import SystemClock
from chargebook.db import UserRepository, open_database
from chargebook.domain.tariffs import DayNightTariff, FixedTariff, LowHours
from chargebook.settings import Settings
from chargebook.tariffs.service import owner_schedule

NIGHT = ["--kind", "day_night", "--normal", "0.3", "--low", "0.2"]


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture
def settings(isolated_data_dir: Path) -> Settings:
    return Settings(data_dir=isolated_data_dir)


def _add_user(settings: Settings, email: str) -> int:
    database = open_database(settings, upgrade=True)
    try:
        with database.transaction() as session:
            return UserRepository(session, SystemClock()).create(email=email, password_hash="x").id
    finally:
        database.dispose()


def _current(settings: Settings, user_id: int) -> object:
    database = open_database(settings)
    try:
        with database.session() as session:
            return owner_schedule(session, settings, user_id).tariff_at(SystemClock().now())
    finally:
        database.dispose()


def test_show_without_an_owner_is_the_default(settings: Settings) -> None:
    _add_user(settings, "home@example.com")
    code, out = _run("tariff", "show")
    assert code == 0, out
    assert "the default (CHARGEBOOK_TARIFF_*): dynamic: market + €0.02/kWh surcharge" in out


def test_set_each_kind_for_the_only_user(settings: Settings) -> None:
    user = _add_user(settings, "home@example.com")
    code, out = _run("tariff", "set", "--kind", "fixed", "--price", "0.28")
    assert code == 0, out
    assert "tariff of home@example.com from" in out
    assert "fixed €0.28/kWh" in out
    assert _current(settings, user) == FixedTariff(Decimal("0.28"))
    code, out = _run(
        "tariff", "set", "--kind", "day_night", "--normal", "0.30", "--low", "0.22",
        "--low-from", "21:00", "--weekends-normal",
    )  # fmt: skip
    assert code == 0, out
    hours = LowHours(start=LowHours().start.replace(hour=21), weekends=False)
    assert _current(settings, user) == DayNightTariff(Decimal("0.30"), Decimal("0.22"), hours)
    code, out = _run(
        "tariff", "set", "--kind", "dynamic", "--surcharge", "0.025", "--from", "2020-01-01"
    )
    assert code == 0, out
    code, out = _run("tariff", "show", "--owner", "HOME@example.com")
    assert code == 0, out
    assert "day/night €0.30/kWh normal, €0.22/kWh low (21:00–07:00 and holidays)" in out
    assert "2020-01-01" in out
    assert "dynamic: market + €0.025/kWh surcharge" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--kind", "cheap"], "choose the kind of tariff"),
        (["--kind", "fixed"], "enter the price per kWh"),
        (["--kind", "fixed", "--price", "abc"], "'abc' is not a number"),
        (["--kind", "fixed", "--price", "1e400"], "too much"),
        (["--kind", "fixed", "--price", "nan"], "not a number"),
        (["--kind", "dynamic", "--vat", "210"], "VAT must be between 0 and 100"),
        ([*NIGHT, "--low-from", "25:00"], "like 23:00"),
        (["--kind", "fixed", "--price", "0.28", "--from", "0001-01-01"], "between 2000 and 2100"),
    ],
)  # fmt: skip
def test_bad_input_is_a_usage_error_with_its_reason(
    settings: Settings, args: list[str], words: str
) -> None:
    _add_user(settings, "home@example.com")
    code, out = _run("tariff", "set", *args)
    assert code == 2, out  # wrong usage (cli/errors.py)
    assert words in " ".join(out.split())
    assert "Traceback" not in out


def test_the_owner_must_be_named_among_several(settings: Settings) -> None:
    _add_user(settings, "a@example.com")
    _add_user(settings, "b@example.com")
    code, out = _run("tariff", "set", "--kind", "fixed", "--price", "0.28")
    assert code == 1
    assert "name the owner with --owner EMAIL (users: a@example.com, b@example.com)" in out
    code, out = _run("tariff", "show", "--owner", "nobody@example.com")
    assert code == 1
    assert "no user with e-mail nobody@example.com" in out
