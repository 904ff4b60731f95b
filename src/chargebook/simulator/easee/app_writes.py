"""FastAPI routes of the simulated Easee Cloud that change something: commands, settings,
cable lock, dynamic and circuit currents, schedules, access and the site's price.

A command answers 202 with `{"device","commandId","ticks"}` (reference §2.3); settings and
circuit writes answer 200 without a body (pyeasee reads neither).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import Response

from chargebook.simulator.easee import control
from chargebook.simulator.easee.gate import Call, admit
from chargebook.simulator.easee.state import ChargerState

if TYPE_CHECKING:
    from chargebook.simulator.easee.simulator import SimulatedEasee

Handler = Callable[..., Awaitable[Response]]
SCHEDULE_KINDS = frozenset({"daily", "weekly", "delayed"})


async def _body(call: Call, request: Request) -> object:
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        raise call.refuse(400, "Body is not JSON") from None


def add_write_routes(
    app: FastAPI, sim: SimulatedEasee, refusals: Callable[[Handler], Handler]
) -> None:
    async def charger_write(
        request: Request, charger_id: str, change: Callable[[ChargerState, object], Any]
    ) -> Call:
        call = await admit(sim, request)
        call.check_charger(charger_id)
        body = await _body(call, request)
        with sim.lock:
            try:
                change(sim.state(charger_id), body)
            except control.BadRequest as exc:
                raise call.refuse(400, str(exc)) from None
            except KeyError:
                raise call.refuse(404, "Unknown command") from None
            sim.applied_writes.append((call.method, call.path))
        return call

    @app.post("/api/chargers/{charger_id}/commands/{name}")
    @refusals
    async def command(charger_id: str, name: str, request: Request) -> Response:
        def apply(state: ChargerState, body: object) -> None:
            control.command(state, name, body, sim.clock.now())
            if name.startswith("poll_") or name == "update_firmware":
                sim.polls.append((charger_id, name))

        call = await charger_write(request, charger_id, apply)
        return call.respond(sim.command_reply(charger_id), status=202)

    @app.post("/api/chargers/{charger_id}/settings")
    @refusals
    async def settings(charger_id: str, request: Request) -> Response:
        call = await charger_write(
            request,
            charger_id,
            lambda state, body: control.settings(state, body, sim.clock.now()),
        )
        return call.respond(None)

    @app.put("/api/chargers/{charger_id}/access")
    @refusals
    async def access(charger_id: str, request: Request) -> Response:
        def apply(_: ChargerState, body: object) -> None:
            if body not in (1, 2, 3) or isinstance(body, bool):
                raise control.BadRequest("level of access must be 1, 2 or 3")
            sim.access_levels[charger_id] = int(body)

        call = await charger_write(request, charger_id, apply)
        return call.respond(None)

    @app.delete("/api/chargers/{charger_id}/access")
    @refusals
    async def access_reset(charger_id: str, request: Request) -> Response:
        call = await charger_write(
            request, charger_id, lambda _, __: sim.access_levels.pop(charger_id, None)
        )
        return call.respond(None)

    @app.get("/api/chargers/{charger_id}/schedules/{kind}")
    @refusals
    async def schedule_get(charger_id: str, kind: str, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_charger(charger_id)
        found = sim.schedules.get((charger_id, kind))
        if kind not in SCHEDULE_KINDS or found is None:
            raise call.refuse(404, "No schedule")
        return call.respond(found)

    @app.api_route("/api/chargers/{charger_id}/schedules/{kind}", methods=["POST", "DELETE"])
    @refusals
    async def schedule_set(charger_id: str, kind: str, request: Request) -> Response:
        def apply(_: ChargerState, body: object) -> None:
            if kind not in SCHEDULE_KINDS:
                raise KeyError(kind)
            if request.method == "DELETE":
                sim.schedules.pop((charger_id, kind), None)
            elif not isinstance(body, dict):
                raise control.BadRequest("a schedule is a JSON object")
            else:
                sim.schedules[(charger_id, kind)] = body

        call = await charger_write(request, charger_id, apply)
        return call.respond(None)

    @app.post("/api/chargers/{charger_id}/schedules/{kind}/{switch}")
    @refusals
    async def schedule_switch(
        charger_id: str, kind: str, switch: str, request: Request
    ) -> Response:
        def apply(_: ChargerState, __: object) -> None:
            if kind not in SCHEDULE_KINDS or switch not in ("enable", "disable"):
                raise KeyError(switch)
            found = sim.schedules.setdefault((charger_id, kind), {"periods": []})
            found["enabled"] = switch == "enable"

        call = await charger_write(request, charger_id, apply)
        return call.respond(None)

    @app.post("/api/sites/{site_id}/circuits/{circuit_id}/{what}")
    @refusals
    async def circuit(site_id: int, circuit_id: int, what: str, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_site(site_id)
        if circuit_id != call.account.circuit_id or what not in ("dynamicCurrent", "settings"):
            raise call.refuse(404, "Circuit not found")
        body = await _body(call, request)
        with sim.lock:
            states = [sim.state(cid) for cid in call.account.charger_ids]
            try:
                if what == "dynamicCurrent":
                    control.circuit_dynamic(states, body, sim.clock.now())
                elif isinstance(body, dict) and body:
                    sim.circuit_settings.setdefault(circuit_id, {}).update(body)
                else:
                    raise control.BadRequest("body must be a non-empty JSON object")
            except control.BadRequest as exc:
                raise call.refuse(400, str(exc)) from None
            sim.applied_writes.append((call.method, call.path))
        return call.respond(None)

    @app.put("/api/sites/{site_id}")
    @refusals
    async def site_update(site_id: int, request: Request) -> Response:
        """pyeasee `Site.set_name` / `set_currency`: the site back with a field changed."""
        call = await admit(sim, request)
        call.check_site(site_id)
        body = await _body(call, request)
        if not isinstance(body, dict) or not isinstance(body.get("name", ""), str):
            raise call.refuse(400, "a site is a JSON object with a name")
        with sim.lock:
            kept = {k: body[k] for k in ("name", "currencyId") if k in body}
            sim.site_prices.setdefault(site_id, {}).update(kept)
            sim.applied_writes.append((call.method, call.path))
        return call.respond(None)

    @app.get("/local-ocpp/v1/connection-details/{charger_id}")
    @refusals
    async def ocpp_get(charger_id: str, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_charger(charger_id)
        found = sim.ocpp.get(charger_id)
        if found is None:
            raise call.refuse(404, "No OCPP connection details")
        return call.respond(found)

    @app.post("/local-ocpp/v1/connection-details/{charger_id}")
    @refusals
    async def ocpp_set(charger_id: str, request: Request) -> Response:
        """Stores the details as a new version; answers `{"version": n}` (the one field
        pyeasee reads; the rest of the real answer is not recorded)."""

        def apply(_: ChargerState, body: object) -> None:
            mode = body.get("connectivityMode") if isinstance(body, dict) else None
            args = body.get("websocketConnectionArgs") if isinstance(body, dict) else None
            if mode not in ("DualProtocol", "OcppOff") or not isinstance(args, dict):
                raise control.BadRequest("connectivityMode and websocketConnectionArgs needed")
            version = int(sim.ocpp.get(charger_id, {}).get("version", 0)) + 1
            sim.ocpp[charger_id] = {**body, "version": version, "applied": False}  # type: ignore[dict-item]

        call = await charger_write(request, charger_id, apply)
        return call.respond({"version": sim.ocpp[charger_id]["version"]})

    @app.post("/local-ocpp/v1/connections/chargers/{charger_id}")
    @refusals
    async def ocpp_apply(charger_id: str, request: Request) -> Response:
        def apply(_: ChargerState, body: object) -> None:
            stored = sim.ocpp.get(charger_id)
            version = body.get("version") if isinstance(body, dict) else None
            if stored is None or version != stored["version"]:
                raise control.BadRequest("no stored OCPP details of that version")
            stored["applied"] = True

        call = await charger_write(request, charger_id, apply)
        return call.respond({"version": sim.ocpp[charger_id]["version"]})

    @app.post("/api/sites/{site_id}/price")
    @refusals
    async def price(site_id: int, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_site(site_id)
        body = await _body(call, request)
        if not isinstance(body, dict) or not isinstance(body.get("costPerKWh"), int | float):
            raise call.refuse(400, "costPerKWh must be a number")
        with sim.lock:
            sim.site_prices[site_id] = dict(body)
            sim.applied_writes.append((call.method, call.path))
        return call.respond(None)
