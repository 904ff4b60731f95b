"""The CLI's tables on an 80-column terminal (issue 18): no line wider than the terminal, ids
and dates whole (never "73995500…" or "2026-12-…"), one unit per quantity."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from rich.console import Console
from rich.table import Table

from chargebook.cli.sync import summary_table
from chargebook.cli.wallbox_render import chargers_table, sessions_table
from chargebook.db.core.testing import example_charger
from chargebook.domain.models import ChargerSource, ChargingSession, SessionRecord
from chargebook.sync.report import AccountReport, SyncReport

START = datetime(2026, 12, 5, 16, 10, tzinfo=UTC)  # 17:10 in Amsterdam


def render(table: Table) -> str:
    out = io.StringIO()
    Console(file=out, width=80, color_system=None).print(table)
    text = out.getvalue()
    assert max(len(line) for line in text.splitlines()) <= 80, text
    return text


def cells(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.split("│")[1:-1]]
        for line in text.splitlines()
        if line.count("│") > 2
    ]


def _record(index: int) -> SessionRecord:
    started = START - timedelta(days=index)
    session = ChargingSession(
        source=ChargerSource.WALLBOX_CLOUD, external_id=f"7399550000{index}",
        charger_external_id="7449933", started_at=started,
        ended_at=started + timedelta(hours=13, minutes=43), energy_kwh=Decimal("9.221"),
        mid_energy_kwh=None, discharged_energy_kwh=Decimal(0), duration_s=4380,
        cost=Decimal("2.859"), currency="EUR",
    )  # fmt: skip
    return SessionRecord(
        source=ChargerSource.WALLBOX_CLOUD, external_id=session.external_id,
        charger_external_id="7449933", raw={}, session=session, problem=None,
    )  # fmt: skip


def test_wallbox_sessions_keep_ids_and_dates_whole() -> None:
    held = SessionRecord(
        source=ChargerSource.WALLBOX_CLOUD, external_id="73995499999",
        charger_external_id="7449933", raw={}, session=None,
        problem="energy is negative (-3.2 kWh): held back until the cloud corrects it",
    )  # fmt: skip
    text = render(sessions_table([_record(0), _record(1), held]))
    rows = cells(text)
    first = next(row for row in rows if row[0] == "73995500000")
    # Start with its date; the end's time on the next day; charging time as the web writes
    # durations; kWh with two decimals; money in cents.
    assert first[1:] == ["2026-12-05 17:10", "06:53 +1d", "9.22", "1 h 13 min", "2.86 EUR"]
    assert "73995499999" in [row[0] for row in rows]
    assert "held back until the cloud corrects it" in " ".join(text.split())


def test_wallbox_chargers_name_the_current_limit_with_its_unit() -> None:
    text = render(chargers_table([example_charger("7449933", name="A rather long charger name")]))
    assert "current limit" in text
    assert "Max A" not in text
    row = next(row for row in cells(text) if row[0] == "7449933")
    assert row[4] == "32 A"


def test_the_sync_summary_fits_with_a_long_address() -> None:
    report = SyncReport(
        [AccountReport(1, "a.very.long.address@example.com", chargers=2, new=51, requests=4)]
    )
    text = render(summary_table(report))
    assert "quarantined" in text  # the header whole
    assert "a.very.long.address@example.com: 4 requests, 0 retries" in " ".join(text.split())
