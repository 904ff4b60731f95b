"""The operator's mirror settings: which OCPP chargers forward their traffic to an existing
central system, in which mode (the same service functions as `chargebook ocpp upstream`).
The password is write-only: the page says whether one is set, never what it is."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.ocpp_upstream import UpstreamMode
from chargebook.web.deps import Ctx, DbSession, OperatorViewer
from chargebook.web.errors import InvalidInputError
from chargebook.web.rendering import render

router = APIRouter(prefix="/operator/ocpp-upstreams")


@router.get("")
def upstream_list(
    request: Request, context: Ctx, viewer: OperatorViewer, db: DbSession
) -> Response:
    from chargebook.central_system.mirror import upstreams_in  # not the server, only settings

    values = {
        "chargers": OcppChargerRepository(db, context.clock).list(),
        "upstreams": upstreams_in(db, context.clock),
        "modes": [mode.value for mode in UpstreamMode],
    }
    return render(request, "operator/ocpp_upstreams.html", values)


@router.post("")
def upstream_set(
    context: Ctx,
    viewer: OperatorViewer,
    db: DbSession,
    charge_point_id: Annotated[str, Form(max_length=100)],
    url: Annotated[str, Form(max_length=500)],
    mode: Annotated[str, Form(max_length=30)],
    username: Annotated[str, Form(max_length=100)] = "",
    password: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    from chargebook.central_system.mirror import InvalidUpstreamError, parse_mode, set_upstream_in

    try:
        set_upstream_in(
            db, context.box, context.clock, charge_point_id.strip(), url=url.strip(),
            mode=parse_mode(mode), password=password or None, username=username.strip() or None,
        )  # fmt: skip
    except InvalidUpstreamError as exc:
        raise InvalidInputError(exc.message, field="url") from None
    return RedirectResponse("/operator/ocpp-upstreams", status_code=303)


@router.post("/{charge_point_id}/clear")
def upstream_clear(
    charge_point_id: str, context: Ctx, viewer: OperatorViewer, db: DbSession
) -> Response:
    from chargebook.central_system.mirror import clear_upstream_in

    clear_upstream_in(db, context.clock, charge_point_id)
    return RedirectResponse("/operator/ocpp-upstreams", status_code=303)
