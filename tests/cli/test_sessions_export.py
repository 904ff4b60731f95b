"""`chargebook sessions` at 80 columns and `chargebook sessions export` (issue 18): the book's
CSV and XLSX from the CLI, the same file the web's export gives, with totals including cost."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook
from typer.testing import CliRunner, Result

from chargebook.cli.app import app
from chargebook.clock import SystemClock
from chargebook.db import ChargerRepository, open_database
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import example_charger
from chargebook.settings import load_settings

START = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)  # 18:00 in Amsterdam


def seed(sessions: int = 3, *, quarantined: bool = False) -> None:
    """Charger 1 (Wallbox 73995) with `sessions` ok sessions a day apart, 2 h 30 min and
    10.255 kWh each, €2.50 each; optionally one quarantined with a long reason."""
    database = open_database(load_settings())
    try:
        with database.transaction() as session:
            charger = ChargerRepository(session, SystemClock()).upsert(example_charger("73995"))
            rows = [(f"s{i}", START + timedelta(days=i), "ok", None) for i in range(sessions)]
            if quarantined:
                reason = "energy 9999 kWh is more than the charger can deliver in 2 h 30 min"
                rows.append(("q1", START + timedelta(days=30), "quarantined", reason))
            for external, started, state, reason in rows:
                text = canonical_json({"id": external})
                session.add(
                    ChargingSessionRow(
                        charger_id=charger.id,
                        source="wallbox_cloud",
                        external_id=external,
                        started_at=started,
                        ended_at=started + timedelta(hours=2, minutes=30),
                        energy_kwh=Decimal("10.255"),
                        discharged_energy_kwh=Decimal("0"),
                        cost=Decimal("2.50"),
                        currency="EUR",
                        raw_payload=text,
                        raw_sha256=sha256_hex(text),
                        state=state,
                        quarantine_reason=reason,
                        first_seen_at=started,
                        last_seen_at=started,
                    )
                )
    finally:
        database.dispose()


def run(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback: {result.exception!r}\n{result.output}")
    return result


def test_the_xlsx_export_has_the_sessions_and_a_totals_row_with_cost(tmp_path: Path) -> None:
    seed(3)
    out = tmp_path / "book.xlsx"
    result = run("sessions", "export", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "wrote 3 sessions (30.77 kWh)" in result.output
    sheet = load_workbook(out).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("session_id", "charger", "started_local")
    assert len([r for r in rows[1:] if r and isinstance(r[0], int)]) == 3
    total = rows[-1]
    assert total[0] == "total"
    assert total[5] == 30.765  # kWh under energy_kwh
    assert total[8] == 7.5  # cost under cost
    assert total[9] == "EUR"


def test_the_csv_export_filters_by_day_and_charger(tmp_path: Path) -> None:
    seed(3)
    out = tmp_path / "book.csv"
    result = run(
        "sessions", "export", "-o", str(out), "--from", "2026-03-02", "--to", "2026-03-03",
        "--charger", "73995",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [r["started_local"] for r in rows] == ["2026-03-03T18:00:00", "2026-03-02T18:00:00"]
    assert {r["duration_min"] for r in rows} == {"150.0"}


def test_an_export_with_an_unknown_suffix_or_charger_is_a_clear_error(tmp_path: Path) -> None:
    seed(1)
    result = run("sessions", "export", "-o", str(tmp_path / "book.txt"))
    assert result.exit_code == 2, result.output
    assert "csv or xlsx" in result.output
    result = run("sessions", "export", "-o", str(tmp_path / "b.csv"), "--charger", "999")
    assert result.exit_code == 1, result.output
    assert "no charger '999'" in result.output
    result = run("sessions", "export", "-o", str(tmp_path / "b.csv"), "--owner", "x@y.z")
    assert result.exit_code == 1, result.output
    assert "x@y.z" in result.output


def test_the_sessions_table_keeps_ids_and_times_whole_at_80_columns() -> None:
    seed(2, quarantined=True)
    result = run("sessions")
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80
    lines = [line for line in result.output.splitlines() if "│" in line]
    cells = [[cell.strip() for cell in line.split("│")[1:-1]] for line in lines]
    rows = [row for row in cells if row[0].isdigit()]
    assert {row[0] for row in rows} == {"1", "2", "3"}  # ids whole
    assert "2026-03-31 19:00" in [row[3] for row in rows]  # 24-hour local, whole
    assert "2 h 30 min" in [row[4] for row in rows]  # the web's way of writing a duration
    assert "10.26" in [row[5] for row in rows]  # kWh, two decimals
    text = " ".join(result.output.split())
    assert "session 3: energy 9999 kWh is more than the charger can deliver" in text
