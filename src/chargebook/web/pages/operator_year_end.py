"""The operator's year-end page: the booking year's deadlines, what is due and what blocks it
(`chargebook.ere.service.year_end`, the same as `chargebook ere year-end`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from chargebook.db.ere.store import EreStore
from chargebook.ere import load_parameters
from chargebook.ere.periods import DUTCH_ZONE
from chargebook.ere.service.year_end import kwh, year_end
from chargebook.web.deps import Ctx, DbSession, OperatorViewer
from chargebook.web.rendering import render

router = APIRouter(prefix="/operator")


@router.get("/year-end")
def year_end_page(
    request: Request,
    context: Ctx,
    viewer: OperatorViewer,
    db: DbSession,
    year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
) -> Response:
    now = context.clock.now()
    today = now.astimezone(DUTCH_ZONE).date()
    # By default the year whose year-end is running: last year until its submission is due.
    chosen = year if year is not None else (today.year - 1 if today.month <= 4 else today.year)
    found = year_end(
        EreStore(db, context.clock), chosen, today=today, parameters=load_parameters(), now=now
    )
    values = {"found": found, "year": chosen, "waiting_kwh": kwh(found.waiting_kwh)}
    return render(request, "operator/year_end.html", values)
