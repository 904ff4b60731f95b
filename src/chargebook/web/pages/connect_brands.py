"""The connect wizard's brand steps (issue 19): 2 sign in to Easee or Zaptec, or give a
Peblar's address and web password (checked live), then the same steps as a Wallbox: pick the
charger, confirm the MID meter, done with the history backfilling.

Only brands with a connector in this build (`brand_connectors`) are offered; another slug
is a 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from chargebook.domain.ownership import ALREADY_CONNECTED_HINT as HELD_HINT
from chargebook.web.brand_onboarding import (
    BrandChoice,
    brand_choice,
    connect_brand,
    load_brand_chargers,
)
from chargebook.web.deps import Ctx, CurrentUser, PageViewer
from chargebook.web.ere_setup import detect
from chargebook.web.errors import InvalidInputError
from chargebook.web.onboarding import ConnectFailure
from chargebook.web.page_services import backfills
from chargebook.web.rendering import render

router = APIRouter(prefix="/connect")


def _values(choice: BrandChoice, **extra: object) -> dict[str, object]:
    return {"step": 2, "brand": choice, **extra}


@router.get("/brand/{slug}")
def brand_form(request: Request, context: Ctx, viewer: PageViewer, slug: str) -> Response:
    choice = brand_choice(context, slug)
    return render(request, "connect/brand.html", _values(choice))


@router.post("/brand/{slug}")
async def brand_connect(
    request: Request,
    context: Ctx,
    user: CurrentUser,
    slug: str,
    username: Annotated[str, Form(max_length=320)] = "",
    secret: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    choice = brand_choice(context, slug)
    values = _values(choice, username=username)
    try:
        account = await connect_brand(context, user, choice, username=username, secret=secret)
        loaded = await load_brand_chargers(context, account)
    except InvalidInputError as error:
        return render(
            request, "connect/brand.html", {**values, "error": error.message}, status_code=422
        )
    except ConnectFailure as failure:
        values |= {"error": failure.message, "hint": failure.hint, "problem": failure.problem}
        return render(request, "connect/brand.html", values, status_code=failure.status)
    # The backfill reuses the chargers just read, as the Wallbox's does.
    backfills(request).start(account, [stored.charger for stored in loaded.owned])
    if loaded.held_by_others:
        values = {"step": 3, "chargers": loaded.owned, "held_by_others": loaded.held_by_others}
        return render(request, "connect/chargers.html", values | {"held_hint": HELD_HINT})
    if len(loaded.owned) == 1:
        with context.database.transaction() as session:
            detect(session, context.clock, loaded.owned[0])
        return RedirectResponse(f"/connect/{loaded.owned[0].id}/meter", status_code=303)
    return RedirectResponse(f"/connect/chargers?brand_account={account.id}", status_code=303)
