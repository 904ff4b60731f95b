"""FastAPI routes of the simulated Wallbox Cloud: user-api and data API on one origin."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chargebook.simulator.wallbox import control, render, variants
from chargebook.simulator.wallbox.auth import AuthFailure
from chargebook.simulator.wallbox.gate import Call, Refused, admit, bearer, error, latency
from chargebook.simulator.wallbox.render_sessions import stats_page
from chargebook.simulator.wallbox.state import ChargerState

if TYPE_CHECKING:
    from chargebook.simulator.wallbox.simulator import SimulatedCloud

Handler = Callable[..., Awaitable[Response]]
T = TypeVar("T")


def _refusals(handler: Handler) -> Handler:
    @wraps(handler)
    async def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return await handler(*args, **kwargs)
        except Refused as refused:
            return refused.response

    return wrapper


async def _body(call: Call, request: Request) -> object:
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        raise call.refuse(400, "body is not JSON") from None


async def _write(
    sim: SimulatedCloud,
    request: Request,
    charger_id: int,
    change: Callable[[ChargerState, object, datetime], T],
) -> tuple[Call, T]:
    """Admit a write to `charger_id`, parse its JSON body and apply `change` to the charger's
    state; a body the change rejects is a 400, as the real API answers."""
    call = await admit(sim, request)
    call.check_charger(charger_id, write=True)
    body = await _body(call, request)
    with sim.lock:
        try:
            result = change(sim.state(charger_id), body, sim.clock.now())
        except control.BadRequest as exc:
            raise call.refuse(400, str(exc)) from None
        sim.applied_writes.append((call.method, call.path))
        return call, result


def _token_response(attributes: dict[str, Any]) -> JSONResponse:
    return JSONResponse(
        {"data": {"type": "user_token", "id": str(attributes["user_id"]), "attributes": attributes}}
    )


def create_app(sim: SimulatedCloud) -> FastAPI:
    """Build the app around `sim` (called by `WallboxSimulator`; use `sim.app`)."""
    app = FastAPI(title="Wallbox Cloud simulator", openapi_url=None, docs_url=None)

    @app.get("/users/signin")
    async def signin(request: Request) -> Response:
        await latency(sim)
        if request.headers.get("partner", "").lower() != "wallbox":
            return error(400, "missing Partner header")
        scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
        try:
            email, _, password = base64.b64decode(encoded).decode().partition(":")
        except (binascii.Error, UnicodeDecodeError):
            email = password = ""
        if scheme.lower() != "basic" or not email:
            return error(403, "invalid credentials")
        with sim.lock:
            try:
                account, attributes = sim.auth.sign_in(email, password, sim.clock.now())
            except AuthFailure as failure:
                if sim.auth.account(email) is not None:
                    sim.log(email, "GET", request.url.path, failure.status)
                return error(failure.status, failure.message)
        sim.log(account.email, "GET", request.url.path, 200)
        return _token_response(attributes)

    @app.get("/users/refresh-token")
    async def refresh(request: Request) -> Response:
        await latency(sim)
        if request.headers.get("partner", "").lower() != "wallbox":
            return error(400, "missing Partner header")
        token = bearer(request)
        if token is None:
            return error(401, "missing refresh token")
        with sim.lock:
            owner = sim.auth.peek_refresh_owner(token)
            if owner is not None and sim.faults.revoke_on_refresh():
                sim.auth.revoke(owner.email)  # the server revoked it early (reference §1)
            try:
                account, attributes = sim.auth.refresh(token, sim.clock.now())
            except AuthFailure as failure:
                if owner is not None:
                    sim.log(owner.email, "GET", request.url.path, failure.status)
                return error(failure.status, failure.message)
        sim.log(account.email, "GET", request.url.path, 200)
        return _token_response(attributes)

    @app.get("/v3/chargers/groups")
    @_refusals
    async def groups(request: Request) -> Response:
        call = await admit(sim, request)
        with sim.lock:
            views = [sim.view(cid) for cid in call.account.charger_ids]
        payload = variants.groups(
            render.groups(call.account, views),
            seed=sim.config.seed,
            rate=sim.config.variant_rate,
            now=sim.clock.now(),
        )
        return call.respond(payload, "result")

    def charger_data(charger_id: int) -> dict[str, Any]:
        config = sim.config
        payload = render.charger_data(sim.view(charger_id))
        now = sim.clock.now()
        return variants.charger_data(payload, seed=config.seed, rate=config.variant_rate, now=now)

    @app.get("/v2/charger/{charger_id}")
    @_refusals
    async def charger_summary(charger_id: int, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_charger(charger_id, write=False)
        return call.respond(charger_data(charger_id), "data")

    @app.put("/v2/charger/{charger_id}")
    @_refusals
    async def charger_update(charger_id: int, request: Request) -> Response:
        call, _ = await _write(sim, request, charger_id, control.update_charger)
        return call.respond(charger_data(charger_id), "data")

    @app.get("/chargers/status/{charger_id}")
    @_refusals
    async def charger_status(charger_id: int, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_charger(charger_id, write=False)
        config = sim.config
        payload = variants.status(
            render.status(sim.view(charger_id)),
            seed=config.seed,
            rate=config.variant_rate,
            now=sim.clock.now(),
        )
        return call.respond(payload, "config_data")

    @app.get("/chargers/config/{charger_id}")
    @_refusals
    async def config_get(charger_id: int, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_charger(charger_id, write=False)
        return call.respond(render.config_data(sim.view(charger_id)), "software")

    @app.post("/chargers/config/{charger_id}")
    @_refusals
    async def config_post(charger_id: int, request: Request) -> Response:
        call, _ = await _write(sim, request, charger_id, control.update_config)
        return call.respond(render.config_data(sim.view(charger_id)), "software")

    @app.post("/v3/chargers/{charger_id}/remote-action")
    @_refusals
    async def remote_action(charger_id: int, request: Request) -> Response:
        call, action = await _write(sim, request, charger_id, control.remote_action)
        # Undocumented upstream (may be empty); JSON here because the PyPI client parses it.
        payload = {
            "data": {
                "type": "remote_action",
                "id": str(charger_id),
                "attributes": {"action": action, "status": "accepted"},
            }
        }
        return call.respond(payload, "data")

    @app.put("/v4/chargers/{charger_id}/eco-smart")
    @_refusals
    async def eco_smart(charger_id: int, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_charger(charger_id, write=True)
        if not sim.chargers[charger_id].model.has_ecosmart:
            raise call.refuse(404, "eco-smart is not available on this model")
        body = await _body(call, request)
        with sim.lock:
            try:
                eco = control.update_ecosmart(sim.state(charger_id), body, sim.clock.now())
            except control.BadRequest as exc:
                raise call.refuse(400, str(exc)) from None
            sim.applied_writes.append((call.method, call.path))
        attributes = {"enabled": int(eco.enabled), "mode": eco.mode, "percentage": eco.percentage}
        payload = {"data": {"type": "eco_smart", "id": str(charger_id), "attributes": attributes}}
        return call.respond(payload, "data")

    @app.get("/chargers/{charger_id}/schedules")
    @_refusals
    async def schedules_get(charger_id: int, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_charger(charger_id, write=False)
        return call.respond(_schedules(sim, charger_id), "schedules")

    @app.post("/chargers/{charger_id}/schedules")
    @_refusals
    async def schedules_post(charger_id: int, request: Request) -> Response:
        call, _ = await _write(sim, request, charger_id, control.update_schedules)
        return call.respond(_schedules(sim, charger_id), "schedules")

    @app.get("/v4/sessions/stats")
    @_refusals
    async def sessions_stats(request: Request) -> Response:
        query = dict(request.query_params)
        call = await admit(sim, request, is_page_after_first=query.get("offset", "0") != "0")
        try:
            charger_id = int(query.get("charger") or query.get("charger_id") or "")
            start = float(query.get("start_date", "0"))
            end = float(query.get("end_date", str(sim.clock.now().timestamp())))
            limit = max(1, min(1000, int(query.get("limit", "1000"))))
            offset = max(0, int(query.get("offset", "0")))
        except ValueError:
            raise call.refuse(400, "invalid query") from None
        call.check_charger(charger_id, write=False)
        items = [
            (session.id, attributes)
            for session, attributes in reversed(sim.ended_sessions(charger_id))
            if start <= session.start.timestamp() <= end
        ]  # newest first
        page = stats_page(items, query, limit, offset, shift_back=call.duplicate)
        return call.respond(page, "data")

    return app


def _schedules(sim: SimulatedCloud, charger_id: int) -> dict[str, Any]:
    controls = sim.state(charger_id).controls_at(sim.clock.now())
    return {"schedules": [s.to_wire(charger_id) for s in controls.schedules]}
