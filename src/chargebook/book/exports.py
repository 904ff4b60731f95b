"""The book's sessions as files: CSV and XLSX of a `SessionList` (the web's downloads; any
door that exports sessions writes these same bytes)."""

from __future__ import annotations

import io
from datetime import datetime
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Font

from chargebook.book.service import BOOK_ZONE
from chargebook.book.sessions import SessionList
from chargebook.clock import in_zone
from chargebook.domain.stored import BookSession
from chargebook.ere.service.session_eres import SessionEre
from chargebook.spreadsheet_cells import SafeCsvWriter, append_row

EXPORT_COLUMNS = (
    "session_id",
    "charger",
    "started_local",
    "ended_local",
    "duration_min",
    "energy_kwh",
    "mid_energy_kwh",
    "discharged_kwh",
    "cost",
    "currency",
    "ere",  # registered EREs, or the estimate for an eligible session (`ere_status` says)
    "ere_status",  # registered | estimate | the reason code it is held back for
)


def _row(session: BookSession, names: dict[int, str], eres: dict[int, SessionEre]) -> list[object]:
    ere = eres.get(session.id)

    def local(moment: datetime | None) -> datetime | None:
        local_moment = in_zone(moment, BOOK_ZONE) if moment else None
        return local_moment.replace(tzinfo=None) if local_moment else None

    return [
        session.id,
        names.get(session.charger_id, str(session.charger_id)),
        local(session.started_at),
        local(session.ended_at),
        round(session.duration_s / 60, 1) if session.duration_s is not None else None,
        session.energy_kwh,
        session.mid_energy_kwh,
        session.discharged_energy_kwh,
        session.cost,
        session.currency,
        ere.ere if ere is not None else None,
        ere.label if ere is not None else None,
    ]


def sessions_csv(listed: SessionList, eres: dict[int, SessionEre]) -> str:
    """The sessions as CSV (local times ISO 8601, kWh with a dot)."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(EXPORT_COLUMNS)
    for session in listed.sessions:
        values = _row(session, listed.charger_names, eres)
        writer.writerow(
            "" if v is None else (v.isoformat(timespec="seconds") if isinstance(v, datetime) else v)
            for v in values
        )
    return out.getvalue()


def sessions_xlsx(listed: SessionList, eres: dict[int, SessionEre]) -> bytes:
    """The sessions as an Excel workbook (real dates and numbers, a totals row)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sessions"
    append_row(sheet, EXPORT_COLUMNS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for session in listed.sessions:
        values = _row(session, listed.charger_names, eres)
        append_row(sheet, [float(v) if isinstance(v, Decimal) else v for v in values])
    for column in ("C", "D"):
        for cell in sheet[column][1:]:
            cell.number_format = "yyyy-mm-dd hh:mm"
        sheet.column_dimensions[column].width = 18
    sheet.column_dimensions["B"].width = 22
    sheet.append([])
    # The totals line up under their columns: duration, kWh and (when any session has one)
    # the cost, in the currency of the sessions when they share one.
    currencies = {session.currency for session in listed.sessions if session.cost is not None}
    mixed = len(currencies) > 1  # euros and crowns do not add up
    total_cost = float(listed.cost) if listed.cost is not None and not mixed else None
    append_row(sheet, ["total", f"{listed.count} sessions", None, None,
                       round(listed.duration_s / 60, 1), float(listed.energy_kwh), None, None,
                       total_cost, currencies.pop() if len(currencies) == 1 else None])  # fmt: skip
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
