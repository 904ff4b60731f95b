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
    assert "Cost € 4.68" in result.output
    assert "saving € 1.40" in result.output


def test_prices_show_one_local_day() -> None:
    args = ["prices", "show", "--day", "2025-12-17", "--prices-file", QUARTER]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Wed 17 Dec 00:00" in result.output
    assert "0.0885" in result.output


def test_file_source_without_a_file_is_a_configuration_error() -> None:
    result = CliRunner().invoke(app, ["prices", "show", "--source", "file"])
    assert result.exit_code == 8


def _one_line(text: str) -> str:
    return " ".join(text.split())  # the message may wrap at the terminal's width


def test_a_plan_outside_the_files_dates_says_which_it_holds_and_how_to_get_prices() -> None:
    args = ["plan", "--energy", "20", "--by", "07:00", "--prices-file", QUARTER]
    result = CliRunner().invoke(app, [*args, "--now", "2026-01-10T18:00"])
    assert result.exit_code == 1, result.output  # not a €0.00 plan with exit 0
    text = _one_line(result.output)
    assert "no prices for 2026-01-10 18:00 to 2026-01-11 07:00" in text
    assert "holds prices from 2025-12-16 00:00 to 2025-12-19 00:00" in text
    assert "CHARGEBOOK_ENTSOE_TOKEN" in text
    assert "no_prices" not in text


def test_prices_show_for_a_day_the_file_lacks_says_which_it_holds() -> None:
    args = ["prices", "show", "--day", "2026-01-10", "--prices-file", QUARTER]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    text = _one_line(result.output)
    assert "no prices for 2026-01-10 00:00 to 2026-01-11 00:00" in text
    assert "holds prices from 2025-12-16 00:00" in text


def test_a_partly_covered_plan_says_up_to_where_and_how_to_get_more() -> None:
    args = ["plan", "--energy", "20", "--by", "07:00", "--prices-file", QUARTER]
    result = CliRunner().invoke(app, [*args, "--now", "2025-12-18T12:00"])
    assert result.exit_code == 0, result.output
    text = _one_line(result.output)
    assert "prices known for 2025-12-18 12:00 to 2025-12-19 00:00 only" in text
    assert "CHARGEBOOK_ENTSOE_TOKEN" in text
    assert "prices known until 2025-12-18T23:00:00+00:00" not in text  # said once, locally
