"""`/settings/tariff`: the owner's own tariff (fixed, dynamic or day/night) and its history.

The tariffs service parses and stores (`parse_tariff`, `set_owner_tariff`); this page shows
the tariff in force, the earlier periods, and turns a refused value into a message on its
field. Plans, savings and session costs follow the tariff from the day it applies.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import RedirectResponse, Response

from chargebook.domain.tariffs import TariffKind
from chargebook.tariffs.service import (
    KIND_LABELS,
    TariffInputError,
    owner_schedule,
    parse_day,
    parse_tariff,
    set_owner_tariff,
    tariff_fields,
)
from chargebook.web.deps import Ctx, PageViewer
from chargebook.web.rendering import render

router = APIRouter(prefix="/settings/tariff")

_FORM_FIELDS = (
    "kind", "price", "surcharge", "energy_tax", "vat_pct", "normal", "low", "low_from",
    "low_until", "low_weekends", "low_holidays", "valid_from",
)  # fmt: skip


def _page(
    request: Request,
    context: Ctx,
    viewer: PageViewer,
    *,
    form: dict[str, str] | None = None,
    error: TariffInputError | None = None,
    saved: bool = False,
) -> Response:
    with context.database.session() as session:
        schedule = owner_schedule(session, context.settings, viewer.user.id)
    current = schedule.tariff_at(context.clock.now())
    values: dict[str, object] = {
        "current": current.describe(),
        "own": schedule.own,
        "periods": list(reversed(schedule.periods)),
        "form": form or tariff_fields(current),
        "kinds": [(kind.value, KIND_LABELS[kind]) for kind in TariffKind],
        "error": error.message if error else None,
        "error_field": error.field if error else None,
        "saved": saved,
    }
    return render(request, "tariff.html", values, status_code=422 if error else 200)


@router.get("")
def tariff_page(
    request: Request,
    context: Ctx,
    viewer: PageViewer,
    saved: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    return _page(request, context, viewer, saved=bool(saved))


@router.post("")
async def save_tariff(request: Request, context: Ctx, viewer: PageViewer) -> Response:
    posted = await request.form()
    form = {name: str(posted.get(name) or "")[:40] for name in _FORM_FIELDS}
    # Unticked checkboxes send nothing; the form marks itself so "nothing" means off.
    for flag in ("low_weekends", "low_holidays"):
        form[flag] = "true" if posted.get(flag) else "false"
    try:
        tariff = parse_tariff(form)
        day = parse_day(form["valid_from"])
        with context.database.transaction() as session:
            set_owner_tariff(session, context.clock, viewer.user.id, tariff, day)
    except TariffInputError as error:
        return _page(request, context, viewer, form=form, error=error)
    return RedirectResponse("/settings/tariff?saved=1", status_code=303)
