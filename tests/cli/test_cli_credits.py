"""`chargebook ere credits EMAIL`: the same breakdown per quarter (sessions and kWh per
outcome and reason, with the fix) and the same estimate as the service and the web page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import FixedClock
from chargebook.db import Database, open_database
from chargebook.settings import load_settings
from ere_book.credit_world import EXPECTED, NOW, build_credit_world

OUTCOMES = ("eligible", "held back", "registered", "paid")


@pytest.fixture
def database(isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Database]:
    monkeypatch.setenv("COLUMNS", "240")  # wide Rich tables: no wrapped words in assertions
    database = open_database(load_settings())
    yield database
    database.dispose()


def _credits(email: str) -> str:
    result = CliRunner().invoke(app, ["ere", "credits", email, "--now", NOW.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"[│|]", line) if cell.strip()]


def test_cli_credits_shows_the_services_breakdown(database: Database) -> None:
    build_credit_world(database, FixedClock(NOW))
    out = _credits("rosa@example.com")
    sections = re.split(r"\n(?=\d{4}-Q\d)", out)
    for period, expected in EXPECTED.items():
        (section,) = [s for s in sections if s.startswith(period.label)]
        rows = [_cells(line) for line in section.splitlines()]
        for name, (sessions, kwh) in expected.items():
            label = name.replace("_", " ")
            if label in OUTCOMES:
                assert [label, str(sessions), f"{kwh:,.1f}"] in rows, (period, name)
            else:
                (row,) = [r for r in rows if r and r[-1] == name]
                assert row[0].startswith(f"{sessions} session"), (period, name, row)
                assert row[1] == f"{kwh:,.1f}", (period, name, row)
    assert "2 sessions without a mandate for 2026" in out
    assert "no mandate for 2026 — sign one" in out
    assert "charger has no MID meter — upgrade or SAP" in out
    assert "Estimate" not in out  # a 2026 mandate


def test_cli_credits_estimate_before_signing(database: Database) -> None:
    build_credit_world(database, FixedClock(NOW))
    out = " ".join(_credits("nina@example.com").split())
    assert "Estimate, no mandate for 2026 yet: 4 MID-metered sessions, 34.845 kWh" in out
    assert f"about {Decimal('11.6')} ERE (34.845 × 0.332694)" in out
    assert "about € 4.36 at € 0.47 per ERE after the 20 % fee" in out


def test_cli_credits_unknown_owner_is_a_clear_error(database: Database) -> None:
    result = CliRunner().invoke(app, ["ere", "credits", "nobody@example.com"])
    assert result.exit_code != 0
    assert "no user with e-mail nobody@example.com" in result.output
    assert "Traceback" not in result.output
