"""The documented local REST API, `/api/wlac/v1/` with the raw API token in `Authorization`
(reference §7.1; python-peblar `PeblarApi`)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import Response

from chargebook.simulator.peblar.gate import Gate, Refusal

REST_PREFIX = "/api/wlac/v1"


def _limit_ma(value: Any, max_a: int) -> int:
    # The documented API takes mA; 0 is what HA's charge switch sends to stop charging, and
    # values between 0 and 6 A are below what IEC 61851 lets a charger offer.
    if isinstance(value, bool) or not isinstance(value, int):
        raise Refusal(400, "ChargeCurrentLimit must be an integer (mA)")
    if value != 0 and not 6000 <= value <= max_a * 1000:
        raise Refusal(400, f"ChargeCurrentLimit must be 0 or within 6000..{max_a * 1000} mA")
    return value


def _apply_ev(gate: Gate, body: Any, *, complete: bool) -> None:
    charger = gate.charger
    if not isinstance(body, dict) or not body:
        raise Refusal(400, "Expected a JSON object")
    unknown = set(body) - {"ChargeCurrentLimit", "Force1Phase"}
    if unknown:
        raise Refusal(400, f"Unknown field(s): {', '.join(sorted(unknown))}")
    if complete and set(body) != {"ChargeCurrentLimit", "Force1Phase"}:
        raise Refusal(400, "A replacement needs ChargeCurrentLimit and Force1Phase")
    limit = body.get("ChargeCurrentLimit")
    force = body.get("Force1Phase")
    if force is not None and not isinstance(force, bool):
        raise Refusal(400, "Force1Phase must be a boolean")
    if force and charger.hardware.phases == 1:
        raise Refusal(400, "Force1Phase is not allowed on this charger")
    if limit is not None:
        charger.ev.limit_ma = _limit_ma(limit, charger.hardware.max_current_a)
        charger.ev.limit_source = "Local REST API"
    if force is not None:
        charger.ev.force_1phase = force


def rest_router(gate: Gate) -> APIRouter:
    router = APIRouter(prefix=REST_PREFIX)
    charger = gate.charger

    @router.get("/health")
    async def health(request: Request) -> Response:
        mode = charger.user["LocalRestApiAccessMode"]
        return await gate.serve(
            request, lambda _: {"AccessMode": mode, "ApiVersion": "1.0"}, api="rest"
        )

    @router.get("/meter")
    async def meter(request: Request) -> Response:
        return await gate.serve(request, lambda _: charger.meter(), api="rest")

    @router.get("/system")
    async def system(request: Request) -> Response:
        return await gate.serve(request, lambda _: charger.system(), api="rest")

    @router.get("/evinterface")
    async def ev_interface(request: Request) -> Response:
        return await gate.serve(request, lambda _: charger.ev_interface(), api="rest")

    @router.patch("/evinterface")
    async def patch_ev_interface(request: Request) -> Response:
        def handle(body: Any) -> dict[str, Any]:
            _apply_ev(gate, body, complete=False)
            return {}

        return await gate.serve(request, handle, api="rest", write=True)

    @router.put("/evinterface")
    async def put_ev_interface(request: Request) -> Response:
        def handle(body: Any) -> dict[str, Any]:
            _apply_ev(gate, body, complete=True)
            return charger.ev_interface()

        return await gate.serve(request, handle, api="rest", write=True)

    @router.post("/authorization/charge-session")
    async def authorize(request: Request) -> Response:
        def handle(body: Any) -> dict[str, Any]:
            if not isinstance(body, dict) or not (body.get("Token") or body.get("Name")):
                raise Refusal(400, "Token or Name is required")
            charger.actions.authorizations.append(body)
            return {}

        return await gate.serve(request, handle, api="rest", write=True)

    return router
