"""`chargebook plan` and `chargebook prices show` on the recorded EnergyZero file (offline)."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from chargebook.cli.app import app

PRICES = Path(__file__).parent.parent / "fixtures" / "prices"
QUARTER = str(PRICES / "energyzero-rest-quarter-2025-12-16_18.json")


def test_plan_prints_slots_cost_and_saving() -> None:
    args = ["plan", "--energy", "20", "--by", "07:00", "--prices-file", QUARTER]
    result = CliRunner().invoke(app, [*args, "--now", "2025-12-16T18:00"])
    assert result.exit_code == 0, result.output
    assert "Cost €4.6794" in result.output
    assert "saving €1.3970" in result.output


def test_prices_show_one_local_day() -> None:
    args = ["prices", "show", "--day", "2025-12-17", "--prices-file", QUARTER]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Wed 17 Dec 00:00" in result.output
    assert "0.08849" in result.output


def test_file_source_without_a_file_is_a_configuration_error() -> None:
    result = CliRunner().invoke(app, ["prices", "show", "--source", "file"])
    assert result.exit_code == 8
