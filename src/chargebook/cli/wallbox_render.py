"""Rich tables and CSV for `chargebook wallbox ...`; pure formatting, no I/O besides writing."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from rich.table import Table

from chargebook.domain.display import duration_text, kwh_number
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
    return UNKNOWN if seconds is None else duration_text(seconds)


def _amps(value: int | None) -> str:
    return UNKNOWN if value is None else f"{value} A"


def chargers_table(chargers: Iterable[Charger]) -> Table:
    """One row per charger; "current limit" is the limit set (as in `wallbox status`), not
    the most the charger can give."""
    table = Table(title="Chargers")
    table.add_column("id", no_wrap=True)
    table.add_column("name", overflow="fold")
    table.add_column("model", overflow="fold")
    table.add_column("firmware", no_wrap=True)
    table.add_column("current limit", no_wrap=True, justify="right")
    table.add_column("MID", no_wrap=True)
    table.add_column("group", overflow="fold")
    for charger in chargers:
        table.add_row(
            charger.external_id,
            charger.name,
            charger.model,
            charger.firmware_version or "-",
            _amps(charger.max_current_a) if charger.max_current_a is not None else "-",
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
        ("Session energy", _number(status.session_energy_kwh, ".2f", "kWh")),
        ("Charging time", _duration(status.session_duration_s)),
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


def _end(started: datetime, ended: datetime, zone: str | None) -> str:
    """The end's local time of day, with "+1d" when it is on a later day than the start: the
    start column already has the date, and the table must fit 80 columns."""
    tz = ZoneInfo(zone) if zone else LOCAL_ZONE
    first, last = started.astimezone(tz), ended.astimezone(tz)
    days = (last.date() - first.date()).days
    return last.strftime("%H:%M") + (f" +{days}d" if days else "")


def sessions_table(records: Iterable[SessionRecord], zone: str | None = None) -> Table:
    """Sessions with local start (24-hour) and end; the charging time is the time the car
    drew power (Wallbox's `time`), not start to end. Problems of held-back items are listed
    under the table, where they can wrap."""
    problems: list[str] = []
    table = Table(title="Sessions", caption_justify="left")
    table.add_column("id", no_wrap=True)
    table.add_column("start", no_wrap=True)
    table.add_column("end", no_wrap=True)
    table.add_column("kWh", no_wrap=True, justify="right")
    table.add_column("charging", no_wrap=True, justify="right")
    table.add_column("cost", no_wrap=True, justify="right")
    for record in records:
        session = record.session
        if session is None:
            problems.append(f"{record.external_id or '-'}: {record.problem or 'unreadable'}")
            table.add_row(record.external_id or "-", "-", "-", "-", "-", "held back")
            continue
        cost = "-"
        if session.cost is not None:
            cost = f"{session.cost:.2f} {session.currency or ''}".strip()
        table.add_row(
            session.external_id,
            _local(session.started_at, zone),
            _end(session.started_at, session.ended_at, zone),
            kwh_number(session.energy_kwh),
            _duration(session.duration_s),
            cost,
        )
    table.caption = "\n".join([f"times: {zone or LOCAL_ZONE.key}", *problems])
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
