"""FastAPI routes of the simulated Easee Cloud: sign-in and the reads (writes: app_writes.py).

Paths are those of reference §2.3 and of pyeasee 0.8.21 (`easee.py`, `charger.py`, `site.py`).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import wraps
from typing import TYPE_CHECKING, Any

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chargebook.simulator.easee import render, render_sites
from chargebook.simulator.easee.app_writes import add_write_routes
from chargebook.simulator.easee.auth import AuthFailure
from chargebook.simulator.easee.gate import Call, Refused, admit, latency, problem

if TYPE_CHECKING:
    from chargebook.simulator.easee.simulator import SimulatedEasee

Handler = Callable[..., Awaitable[Response]]


def refusals(handler: Handler) -> Handler:
    """Turn a `Refused` raised anywhere in the handler into its response."""

    @wraps(handler)
    async def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return await handler(*args, **kwargs)
        except Refused as refused:
            return refused.response

    return wrapper


def parse_moment(call: Call, text: str) -> datetime:
    """A `from`/`to` path segment: ISO date or date-time; naive means UTC (as pyeasee sends
    `datetime.isoformat()`, easee-rs `YYYY-MM-DD`)."""
    try:
        moment = datetime.fromisoformat(text.replace(" ", "+"))
    except ValueError:
        raise call.refuse(400, "Invalid date") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


async def _json_body(request: Request) -> object:
    try:
        return json.loads(await request.body() or b"null")
    except ValueError:
        return None


def create_app(sim: SimulatedEasee) -> FastAPI:
    """Build the app around `sim` (called by `EaseeSimulator`; use `sim.app`)."""
    app = FastAPI(title="Easee Cloud simulator", openapi_url=None, docs_url=None)

    async def token_route(request: Request, refresh: bool) -> Response:
        await latency(sim)
        body = await _json_body(request)
        now = sim.clock.now()
        with sim.lock:
            if refresh and isinstance(body, dict) and sim.faults.refresh_expired():
                sim.auth.expire_refresh(str(body.get("refreshToken", "")))
            try:
                change = sim.auth.refresh if refresh else sim.auth.login
                account, tokens = change(body, now)
            except AuthFailure as failure:
                return JSONResponse(failure.body, status_code=failure.status)
        sim.log(account.email, "POST", request.url.path, 200)
        return JSONResponse(tokens)

    @app.post("/api/accounts/login")
    async def login(request: Request) -> Response:
        return await token_route(request, refresh=False)

    @app.post("/api/accounts/refresh_token")
    async def refresh(request: Request) -> Response:
        return await token_route(request, refresh=True)

    @app.get("/api/chargers")
    @refusals
    async def chargers(request: Request) -> Response:
        call = await admit(sim, request)
        with sim.lock:
            items = [
                render.charger_item(c, sim.access_levels.get(c.id, 1))
                for c in sim.chargers_of(call.account)
            ]
        return call.respond(items)

    @app.get("/api/chargers/{charger_id}")
    @refusals
    async def charger(charger_id: str, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_charger(charger_id)
        level = sim.access_levels.get(charger_id, 1)
        return call.respond(render.charger_item(sim.chargers[charger_id], level))

    @app.get("/api/chargers/{charger_id}/state")
    @refusals
    async def state(charger_id: str, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_charger(charger_id)
        with sim.lock:
            payload = render.charger_state(sim.state(charger_id), sim.clock.now())
        return call.respond(payload)

    @app.get("/api/chargers/{charger_id}/config")
    @refusals
    async def config(charger_id: str, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_charger(charger_id)
        with sim.lock:
            payload = render.charger_config(sim.state(charger_id), sim.clock.now())
        return call.respond(payload)

    @app.get("/api/chargers/{charger_id}/site")
    @refusals
    async def charger_site(charger_id: str, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_charger(charger_id)
        account = call.account
        price = sim.site_prices.get(account.site_id, {})
        return call.respond(render_sites.site(account, sim.chargers_of(account), price))

    @app.get("/api/chargers/{charger_id}/sessions/ongoing")
    @refusals
    async def ongoing(charger_id: str, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_charger(charger_id)
        now = sim.clock.now()
        with sim.lock:
            session = sim.current_session(charger_id)
            if session is None:  # nothing plugged in: no content (inferred)
                return call.respond(None, status=204)
            outcome = sim.state(charger_id).outcome(session, now)
        return call.respond(render.ongoing(session, outcome, now))

    @app.get("/api/sessions/charger/{charger_id}/sessions/{start}/{end}")
    @refusals
    async def history(charger_id: str, start: str, end: str, request: Request) -> Response:
        call = await admit(sim, request, history=True)
        call.check_charger(charger_id)
        since, until = parse_moment(call, start), parse_moment(call, end)
        return call.respond(sim.sessions_between(charger_id, since, until))

    @app.get("/api/sessions/charger/{charger_id}/total/{start}/{end}")
    @refusals
    async def total(charger_id: str, start: str, end: str, request: Request) -> Response:
        call = await admit(sim, request, history=True)
        call.check_charger(charger_id)
        since, until = parse_moment(call, start), parse_moment(call, end)
        items = sim.sessions_between(charger_id, since, until)
        energy = sum(i["kiloWattHours"] for i in items if isinstance(i.get("kiloWattHours"), float))
        return call.respond(round(max(energy, 0.0), 6))  # a bare number (reference §2.3)

    @app.get("/api/sites")
    @refusals
    async def sites(request: Request) -> Response:
        call = await admit(sim, request)
        return call.respond([render_sites.site_summary(call.account)])

    @app.get("/api/sites/{site_id}")
    @refusals
    async def site(site_id: int, request: Request) -> Response:
        call = await admit(sim, request, history=True)  # 10 calls an hour (reference §2.2)
        call.check_site(site_id)
        account = call.account
        price = sim.site_prices.get(site_id, {})
        return call.respond(render_sites.site(account, sim.chargers_of(account), price))

    @app.get("/api/sites/{site_id}/state")
    @refusals
    async def site_state(site_id: int, request: Request) -> Response:
        call = await admit(sim, request)
        call.check_site(site_id)
        account = call.account
        with sim.lock:
            payload = render_sites.site_state(
                account, sim.chargers_of(account), sim.state, sim.clock.now()
            )
        return call.respond(payload)

    @app.get("/api/accounts/products")
    @refusals
    async def account_products(request: Request) -> Response:
        call = await admit(sim, request)
        account = call.account
        return call.respond(render_sites.products(account, sim.chargers_of(account)))

    add_write_routes(app, sim, refusals)

    @app.api_route("/{path:path}", methods=["GET", "POST", "PUT", "DELETE"])
    async def unknown(path: str) -> Response:
        return problem(404, "Not found")

    return app
