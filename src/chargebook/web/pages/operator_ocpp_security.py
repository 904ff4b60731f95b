"""The operator's OCPP security page: each OCPP charger's minimum security profile (raised
by the charger itself when it connects higher; set or lowered here, the same service as
`chargebook ocpp security --min-profile`), the certificates chargebook's CA issued and when
they expire, and asking a charger to renew its certificate."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from chargebook.db.ocpp.chargers import OcppChargerRepository
from chargebook.domain.ocpp_security import PROFILES, describe_profile
from chargebook.web.deps import Ctx, DbSession, OperatorViewer
from chargebook.web.errors import InvalidInputError
from chargebook.web.rendering import render

router = APIRouter(prefix="/operator/ocpp-security")


@router.get("")
def security_list(
    request: Request, context: Ctx, viewer: OperatorViewer, db: DbSession
) -> Response:
    from chargebook.db.ocpp.security import OcppSecurityRepository

    values = {
        "chargers": OcppChargerRepository(db, context.clock).list(),
        "certificates": OcppSecurityRepository(db, context.clock).certificates(),
        "profiles": [(p, describe_profile(p)) for p in PROFILES],
        "describe": describe_profile,
        "renewed": request.query_params.get("renewed"),
    }
    return render(request, "operator/ocpp_security.html", values)


@router.post("")
def security_set(
    context: Ctx,
    viewer: OperatorViewer,
    db: DbSession,
    charge_point_id: Annotated[str, Form(max_length=100)],
    min_profile: Annotated[int, Form(ge=0, le=3)],
) -> Response:
    from chargebook.central_system.security_profiles import (
        InvalidSecurityProfileError,
        set_minimum_profile_in,
    )

    try:
        set_minimum_profile_in(db, context.clock, charge_point_id.strip(), min_profile)
    except InvalidSecurityProfileError as exc:
        raise InvalidInputError(exc.message, field="min_profile") from None
    return RedirectResponse("/operator/ocpp-security", status_code=303)


@router.post("/{charge_point_id}/renew")
async def security_renew(charge_point_id: str, context: Ctx, viewer: OperatorViewer) -> Response:
    from chargebook.central_system.security_profiles import renew_certificate

    await renew_certificate(
        context.database,
        charge_point_id,
        timeout_s=context.settings.ocpp_response_timeout_s,
        central=context.central_system,
    )
    return RedirectResponse("/operator/ocpp-security?renewed=1", status_code=303)
