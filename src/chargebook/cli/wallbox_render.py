"""Rich tables and CSV for `chargebook wallbox ...`; pure formatting, no I/O besides writing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from rich.table import Table

from chargebook.domain.freshness import updated_ago
from chargebook.domain.models import Charger, ChargerStatus, SessionRecord
from chargebook.spreadsheet_cells import SafeCsvWriter

LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
CSV_COLUMNS = (
    "id",
    "started_at",
    "ended_at",
    "energy_kwh",
    "mid_energy_kwh",
    "duration_s",
    "cost",
    "currency",
    "problem",
)


def _local(moment: datetime | None, zone: str | None = None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(ZoneInfo(zone) if zone else LOCAL_ZONE).strftime("%Y-%m-%d %H:%M")


UNKNOWN = "unknown"  # the source's reply did not say (a field missing or null)


def _last_sync(status: ChargerStatus) -> str:
    """When the charger last reported to the cloud, and how long before this reading."""
    if status.reported_at is None:
        return "-"
    when = _local(status.reported_at, status.time_zone)
    return f"{when} ({updated_ago(status.reported_at, status.observed_at)})"


def _yes_no(value: bool | None) -> str:
    if value is None:
        return UNKNOWN
    return "yes" if value else "no"


def _number(value: float | None, fmt: str, unit: str) -> str:
    return UNKNOWN if value is None else f"{value:{fmt}} {unit}"


def _duration(seconds: int | None) -> str:
    if seconds is None:
        return UNKNOWN
    return f"{seconds // 3600}h {seconds // 60 % 60:02d}m"


def _amps(value: int | None) -> str:
    return UNKNOWN if value is None else f"{value} A"


def chargers_table(chargers: Iterable[Charger]) -> Table:
    """One row per charger."""
    table = Table(title="Chargers")
    for column in ("ID", "Name", "Model", "Firmware", "Max A", "MID", "Group"):
        table.add_column(column)
    for charger in chargers:
        table.add_row(
            charger.external_id,
            charger.name,
            charger.model,
            charger.firmware_version or "-",
            str(charger.max_current_a) if charger.max_current_a is not None else "-",
            _yes_no(charger.mid.enabled),
            charger.group_name or "-",
        )
    return table


def status_table(status: ChargerStatus) -> Table:
    """Everything an owner checks at a glance, one field per row."""
    table = Table(title=f"Charger {status.charger_external_id}", show_header=False)
    table.add_column("Field", style="bold")
    table.add_column("Value")
    firmware = status.firmware_version or "-"
    if status.firmware_update_available:
        firmware += " (update available)"
    eco = "not available"
    if status.eco_smart is not None:
        eco = status.eco_smart.mode.value.replace("_", " ")
        if status.eco_smart.percentage is not None and status.eco_smart.enabled:
            eco += f" ({status.eco_smart.percentage} %)"
    price = "-"
    if status.energy_price_per_kwh is not None:
        price = f"{status.energy_price_per_kwh} {status.currency or ''}/kWh".replace(" /", "/")
    mid = "no"
    if status.mid.enabled:
        mid = f"enabled, serial {status.mid.serial_number or '-'}, status {status.mid.status}"
    code = "unknown" if status.status_code is None else status.status_code
    rows = [
        ("State", f"{status.state.value.replace('_', ' ')} (code {code})"),
        ("Car connected", _yes_no(status.car_connected)),
        ("Power", _number(status.charging_power_kw, ".2f", "kW")),
        ("Session energy", _number(status.session_energy_kwh, ".3f", "kWh")),
        ("Session time", _duration(status.session_duration_s)),
        (
            "Current limit",
            f"{_amps(status.max_charging_current_a)} of {_amps(status.max_available_current_a)}",
        ),
        ("Power Boost limit", f"{status.icp_max_current_a} A" if status.icp_max_current_a else "-"),
        ("Locked", _yes_no(status.locked)),
        ("Firmware", firmware),
        ("MID meter", mid),
        ("Eco-Smart", eco),
        ("Energy price", price),
        ("Last sync", _last_sync(status)),
    ]
    for field, value in rows:
        table.add_row(field, value)
    return table


def sessions_table(records: Iterable[SessionRecord], zone: str | None = None) -> Table:
    """Sessions with local start/end; quarantined items show their problem."""
    table = Table(title="Sessions")
    for column in ("ID", "Start", "End", "kWh", "Duration", "Cost", "Problem"):
        table.add_column(column)
    for record in records:
        session = record.session
        if session is None:
            table.add_row(record.external_id or "-", "-", "-", "-", "-", "-", record.problem or "")
            continue
        duration = f"{session.duration_s // 60} min" if session.duration_s is not None else "-"
        cost = (
            f"{session.cost} {session.currency or ''}".strip() if session.cost is not None else "-"
        )
        table.add_row(
            session.external_id,
            _local(session.started_at, zone),
            _local(session.ended_at, zone),
            f"{session.energy_kwh}",
            duration,
            cost,
            "",
        )
    return table


def write_sessions_csv(records: Iterable[SessionRecord], out: TextIO) -> int:
    """Write the records as CSV (UTC ISO times, kWh, seconds); returns the number of rows."""
    writer = SafeCsvWriter(out)
    writer.writerow(CSV_COLUMNS)
    rows = 0
    for record in records:
        session = record.session
        if session is None:
            writer.writerow([record.external_id or "", "", "", "", "", "", "", "", record.problem])
        else:
            writer.writerow(
                [
                    session.external_id,
                    session.started_at.isoformat(),
                    session.ended_at.isoformat(),
                    session.energy_kwh,
                    "" if session.mid_energy_kwh is None else session.mid_energy_kwh,
                    "" if session.duration_s is None else session.duration_s,
                    "" if session.cost is None else session.cost,
                    session.currency or "",
                    "",
                ]
            )
        rows += 1
    return rows
