"""FastAPI routes of the simulated Zaptec cloud (`https://api.zaptec.com`, reference §3).

Paths are matched without regard to case, as ASP.NET routes are (Home Assistant's client
calls `SendCommand`, the docs write `sendCommand`).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from functools import wraps
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fastapi import FastAPI
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from chargebook.simulator.zaptec import render
from chargebook.simulator.zaptec.gate import Refused, admit, message, pages

if TYPE_CHECKING:
    from chargebook.simulator.zaptec.simulator import ZaptecCloud

Handler = Callable[..., Awaitable[Response]]
MAX_HISTORY_PAGE = 5000  # "Default page size is 500 and maximum is 5000" (swagger)


def _refusals(handler: Handler) -> Handler:
    @wraps(handler)
    async def wrapper(*args: Any, **kwargs: Any) -> Response:
        try:
            return await handler(*args, **kwargs)
        except Refused as refused:
            return refused.response

    return wrapper


class _CaseInsensitivePaths:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            scope = {**scope, "path": scope["path"].lower()}
        await self.app(scope, receive, send)


def _int(request: Request, name: str, default: int) -> int:
    for key, value in request.query_params.items():
        if key.lower() == name.lower():
            try:
                return int(value)
            except ValueError:
                raise Refused(message(400, f"{name} is not a number")) from None
    return default


def _param(request: Request, name: str) -> str | None:
    return next((v for k, v in request.query_params.items() if k.lower() == name.lower()), None)


def _time(request: Request, name: str) -> datetime | None:
    value = _param(request, name)
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise Refused(message(400, f"{name} is not a date-time")) from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


def create_app(sim: ZaptecCloud) -> ASGIApp:
    app = FastAPI(title="Zaptec cloud simulator", openapi_url=None, docs_url=None)

    @app.post("/oauth/token")
    async def token(request: Request) -> Response:
        form = {
            k: v[0] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()
        }
        if form.get("grant_type") != "password":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        email = form.get("username", "")
        with sim.lock:
            if sim.over_limit(email.lower()):
                return message(429, "Too many requests", {"Retry-After": "1"})
            issued = sim.sign_in(email, form.get("password", ""))
        if issued is None:
            return JSONResponse(
                {
                    "error": "invalid_grant",
                    "error_description": "The user name or password is incorrect.",
                },
                status_code=400,
            )
        return JSONResponse(
            {"access_token": issued, "token_type": "Bearer", "expires_in": sim.config.token_ttl_s}
        )

    @app.get("/api/installation")
    @_refusals
    async def installations(request: Request) -> Response:
        call = admit(sim, request)
        item = {"Id": call.account.installation_id, "Name": _installation_name(call.account)}
        return call.answer({"Pages": 1, "Data": [item]})

    @app.get("/api/installation/{installation_id}")
    @_refusals
    async def installation(request: Request, installation_id: str) -> Response:
        call = admit(sim, request)
        if installation_id != call.account.installation_id:
            raise call.refuse(404, "installation not found")
        payload = {
            "Id": installation_id,
            "Name": _installation_name(call.account),
            "AvailableCurrent": 32.0,
            "MaxCurrent": 40.0,
            "TimeZoneName": "W. Europe Standard Time",
        }
        return call.answer(payload, None)

    @app.get("/api/installation/{installation_id}/hierarchy")
    @_refusals
    async def hierarchy(request: Request, installation_id: str) -> Response:
        call = admit(sim, request)
        if installation_id != call.account.installation_id:
            raise call.refuse(404, "installation not found")
        if sim.config.hierarchy_no_content:  # "204 since 2025-09-19" (HA's comment)
            sim.log(call.account.email, call.method, call.path, 204)
            return Response(status_code=204)
        chargers = [sim.chargers[cid] for cid in call.account.charger_ids]
        circuit = {
            "Id": chargers[0].circuit_id,
            "Name": "Circuit 1",
            "Chargers": [{"Id": c.id, "Name": c.name, "DeviceId": c.serial} for c in chargers],
        }
        payload = {"Id": installation_id, "Name": chargers[0].installation_name}
        return call.answer({**payload, "Circuits": [circuit]}, "Circuits")

    @app.get("/api/chargers")
    @_refusals
    async def chargers(request: Request) -> Response:
        call = admit(sim, request)
        size, index = _int(request, "PageSize", 100), _int(request, "PageIndex", 0)
        with sim.lock:
            items = [
                render.charger_item(sim.chargers[cid], call.account.roles, True, sim.mode(cid)[0])
                for cid in call.account.charger_ids
            ]
        size = max(1, size)
        return call.answer(
            {"Pages": pages(len(items), size), "Data": items[index * size : (index + 1) * size]}
        )

    @app.get("/api/chargers/{charger_id}")
    @_refusals
    async def charger(request: Request, charger_id: str) -> Response:
        call = admit(sim, request)
        call.check_charger(charger_id, owner_only=True)  # 403 for users (HA's note)
        with sim.lock:
            item = render.charger_item(
                sim.chargers[charger_id], call.account.roles, True, sim.mode(charger_id)[0]
            )
        return call.answer(item, None)

    @app.get("/api/chargers/{charger_id}/state")
    @_refusals
    async def state(request: Request, charger_id: str) -> Response:
        call = admit(sim, request)
        call.check_charger(charger_id)
        with sim.lock:
            entries = sim.state(charger_id)
        return call.answer(entries, None)

    @app.get("/api/chargerfirmware/installation/{installation_id}")
    @_refusals
    async def firmware(request: Request, installation_id: str) -> Response:
        call = admit(sim, request)
        if installation_id != call.account.installation_id:
            raise call.refuse(404, "installation not found")
        if not call.owner:
            raise call.refuse(403, "the user is not the installation's owner")
        entries = [
            {
                "ChargerId": c.id,
                "DeviceId": c.serial,
                "DeviceName": c.name,
                "DeviceType": c.device_type,
                "IsOnline": True,
                "CurrentVersion": c.firmware,
                "AvailableVersion": c.firmware,
                "IsUpToDate": True,
            }
            for c in (sim.chargers[cid] for cid in call.account.charger_ids)
        ]
        return call.answer(entries, None)

    @app.get("/api/chargehistory")
    @_refusals
    async def chargehistory(request: Request) -> Response:
        call = admit(sim, request)
        charger_id = _param(request, "ChargerId")
        if charger_id is not None:
            call.check_charger(charger_id)
        ids = [charger_id] if charger_id else list(call.account.charger_ids)
        start, end = _time(request, "From"), _time(request, "To")
        size = _int(request, "PageSize", 500)
        index = _int(request, "PageIndex", 0)
        if not 1 <= size <= MAX_HISTORY_PAGE or index < 0:
            raise call.refuse(400, f"PageSize is 1 to {MAX_HISTORY_PAGE}; PageIndex from 0")
        detail = _int(request, "DetailLevel", 0) & 1 == 1
        descending = (_param(request, "SortDescending") or "true").lower() != "false"
        with sim.lock:
            found = [
                (session.start, sim.chargers[cid], session)
                for cid in ids
                for session in sim.ended_sessions(cid)
                if (start is None or session.start >= start)
                and (end is None or session.start <= end)
            ]
            found.sort(key=lambda f: f[0], reverse=descending)
            page = found[index * size : (index + 1) * size]
            items = [render.history_item(c, s, detail) for _, c, s in page]
        return call.answer({"Pages": pages(len(found), size), "Data": items})

    @app.post("/api/chargers/{charger_id}/sendcommand/{command}")
    @_refusals
    async def send_command(request: Request, charger_id: str, command: int) -> Response:
        call = admit(sim, request)
        call.check_charger(charger_id, owner_only=True)
        call.act(lambda: sim.command(charger_id, command))
        return call.answer(None, None)

    @app.post("/api/chargers/{charger_id}/update")
    @_refusals
    async def update(request: Request, charger_id: str) -> Response:
        call = admit(sim, request)
        call.check_charger(charger_id, owner_only=True)
        body = _json(await request.body())
        call.act(lambda: sim.update(charger_id, body))
        return call.answer(None, None)

    @app.post("/api/installation/{installation_id}/update")
    @_refusals
    async def installation_update(request: Request, installation_id: str) -> Response:
        call = admit(sim, request)
        if installation_id != call.account.installation_id or not call.owner:
            raise call.refuse(403, "the user may not change this installation")
        body = _json(await request.body())
        call.act(lambda: _check_installation_update(body))
        return call.answer(None, None)

    return _CaseInsensitivePaths(app)


def _installation_name(account: Any) -> str:
    return f"Installation {account.installation_id[:8]}"


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise Refused(message(400, "the body is not JSON")) from None


def _check_installation_update(body: Any) -> None:
    from chargebook.simulator.zaptec.simulator import BadRequest

    allowed = {"availableCurrent", "availableCurrentPhase1", "availableCurrentPhase2",
               "availableCurrentPhase3", "threeToOnePhaseSwitchCurrent"}  # fmt: skip
    if not isinstance(body, dict) or not body or set(body) - allowed:
        raise BadRequest(f"installation settings are {sorted(allowed)}")
