"""`GET /sessions/monthly`: energy and cost per calendar month, as a chart and a table.

The months are the book's (`BookService.energy_by_month`, the same query as the API's
`/api/v1/energy/monthly` and the CLI's `chart --monthly`), in the chosen charger's time zone
(the first charger's when all are shown). Registered before the sessions router, so that
"monthly" is not read as a session id.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chargebook.book.service import BookService
from chargebook.domain.stored import MonthlyEnergy, StoredCharger
from chargebook.web.deps import DbSession, PageViewer
from chargebook.web.errors import InvalidInputError
from chargebook.web.params import parse_row_id
from chargebook.web.rendering import render

router = APIRouter()

DEFAULT_ZONE = "Europe/Amsterdam"


def _zone(chargers: list[StoredCharger], charger_id: int | None) -> str:
    chosen = [c for c in chargers if c.id == charger_id] or chargers
    return (chosen[0].charger.time_zone if chosen else None) or DEFAULT_ZONE


def _chart_data(months: list[MonthlyEnergy]) -> list[dict[str, Any]]:
    """The chart script's rows (numbers as strings, as the API writes money)."""
    return [
        {
            "month": f"{m.month:%Y-%m}",
            "label": f"{m.month:%b %Y}",
            "energy_kwh": str(m.energy_kwh),
            "cost_eur": None if m.cost is None else str(m.cost),
            "sessions": m.session_count,
        }
        for m in months
    ]


@router.get("/sessions/monthly")
def monthly_page(
    request: Request, viewer: PageViewer, db: DbSession, charger: str | None = None
) -> Response:
    book = BookService(db, viewer)
    chargers = book.list_chargers()
    try:
        charger_id = parse_row_id(charger, "charger")
        zone = _zone(chargers, charger_id)
        months = book.energy_by_month(charger_id=charger_id, time_zone=zone)
    except InvalidInputError as error:
        values: dict[str, Any] = {
            "chargers": chargers, "charger_id": None, "months": [], "zone": DEFAULT_ZONE,
            "chart": [], "error": error.message,
        }  # fmt: skip
        return render(request, "monthly.html", values, status_code=422)
    values = {
        "chargers": chargers,
        "charger_id": charger_id,
        "months": months,
        "zone": zone,
        "chart": _chart_data(months),
        "error": None,
    }
    return render(request, "monthly.html", values)
