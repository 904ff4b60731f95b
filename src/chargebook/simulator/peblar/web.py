"""The charger's web-interface API, `/api/v1/`, behind a password login and a session cookie
(reference §7.1; python-peblar `Peblar`): configuration, the API token, system info, actions
and the MID meter log (`statistics/meterhistory`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from starlette.responses import JSONResponse, Response

from chargebook.simulator.peblar.gate import SESSION_COOKIE, Gate, Refusal, json_body, refusal

WEB_PREFIX = "/api/v1"


def _moment(value: str | None, zone: str) -> datetime | None:
    # The charger reads ISO 8601 and quietly ignores what it cannot parse (python-peblar's
    # `meter_history` docstring); a naive moment is the charger's local time.
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(zone))


def web_router(gate: Gate) -> APIRouter:
    router = APIRouter(prefix=WEB_PREFIX)
    charger = gate.charger

    def read(path: str, produce: Any) -> None:
        async def endpoint(request: Request) -> Response:
            return await gate.serve(request, lambda _: produce(request), api="web")

        router.add_api_route(path, endpoint, methods=["GET"])

    def write(path: str, method: str, act: Any) -> None:
        async def endpoint(request: Request) -> Response:
            return await gate.serve(request, act, api="web", write=True)

        router.add_api_route(path, endpoint, methods=[method])

    @router.post("/auth/login")
    async def login(request: Request) -> Response:
        try:
            body = await json_body(request)
        except Refusal as exc:
            return refusal(exc.status, exc.message)
        password = body.get("Password") if isinstance(body, dict) else None
        if not isinstance(password, str):
            return refusal(400, "Password is required")
        session = charger.login(password)
        if session is None:
            return refusal(401, "Invalid password")
        response = JSONResponse({})
        response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict")
        return response

    def logout(_: Any) -> dict[str, Any]:
        return {}

    write("/auth/logout", "POST", logout)
    read("/auth/status", lambda _: {"Active": True, "VersionHash": 1})

    read("/config/user", lambda _: dict(charger.user))

    def patch_user(body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not body:
            raise Refusal(400, "Expected a JSON object")
        unknown = set(body) - set(charger.user)
        if unknown:
            raise Refusal(400, f"Unknown field(s): {', '.join(sorted(unknown))}")
        charger.user.update(body)
        return {}

    write("/config/user", "PATCH", patch_user)
    read("/config/api-token", lambda _: {"ApiToken": charger.api_token})

    def rotate(_: Any) -> dict[str, Any]:
        charger.rotate_api_token()
        return {}

    write("/config/api-token", "POST", rotate)

    versions = {"Customization": "Peblar-1.14", "Firmware": charger.config.firmware}
    read("/system/software/automatic-update/current-versions", lambda _: versions)
    read("/system/software/automatic-update/available-versions", lambda _: versions)

    def update(body: Any) -> dict[str, Any]:
        package = body.get("Package-Type") if isinstance(body, dict) else None
        if package not in ("Firmware", "Customization"):
            raise Refusal(400, "Package-Type must be Firmware or Customization")
        charger.actions.updates.append(package)
        return {}

    write("/system/software/automatic-update/update", "POST", update)

    def identify(_: Any) -> dict[str, Any]:
        charger.actions.identify += 1
        return {}

    write("/system/identify", "PUT", identify)

    def reboot(body: Any) -> dict[str, Any]:
        charger.reboot()
        return {}

    write("/system/reboot", "POST", reboot)

    def unlock(_: Any) -> dict[str, Any]:
        charger.actions.socket_unlocks += 1
        return {}

    write("/system/socket-unlock", "POST", unlock)  # firmware before 1.10
    write("/connector/socket-unlock", "POST", unlock)

    def plug(_: Any) -> dict[str, Any]:
        plugged = charger.plugged_in()
        return {"ConnectorId": "1", "PluggedInEV": plugged, "PluggedInEVSE": plugged}

    read("/system/connector", plug)
    read("/connector/plug-state", plug)
    read("/system/info", lambda _: charger.system_information())
    read("/system/ntp-sync", lambda _: {"TimeSynced": True})
    read("/system/web-interface-mode", lambda _: {"Mode": "Normal"})

    def meter_history(request: Request) -> dict[str, Any]:
        zone = charger.user["TimeZone"]
        start = _moment(request.query_params.get("StartTime"), zone)
        stop = _moment(request.query_params.get("StopTime"), zone)
        return charger.meter_history(start, stop)

    read("/statistics/meterhistory", meter_history)

    def session_graph(_: Any) -> dict[str, Any]:
        now = charger.clock.now()
        power = charger.power_w(now)
        per_phase = [power // charger.hardware.phases] * charger.hardware.phases
        return {"data": [{"averagePower": per_phase, "timestamp": now.isoformat()}]}

    read("/statistics/session", session_graph)
    read("/statistics/history", lambda _: {"HistoryMonth": [], "HistoryYear": []})
    read("/config/scheduledcharging/schedules", lambda _: charger.schedule)

    def set_schedule(body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or set(body) != set(charger.schedule):
            raise Refusal(400, "Every weekday must be present")
        charger.schedule = body
        return {}

    write("/config/scheduledcharging/schedules", "POST", set_schedule)
    _token_lists(router, gate, read, write)
    return router


def _token_lists(router: APIRouter, gate: Gate, read: Any, write: Any) -> None:
    """RFID cards and autocharge vehicles of the standalone authorization lists."""
    charger = gate.charger
    rfid = charger.rfid_tokens
    read(
        "/config/auth/standalonelist",
        lambda _: {
            "Tokens": [{"RfidTokenDescription": d, "RfidTokenUid": u} for u, d in rfid.items()]
        },
    )

    def add_rfid(body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("RfidTokenUid"), str):
            raise Refusal(400, "RfidTokenUid is required")
        rfid[body["RfidTokenUid"]] = str(body.get("RfidTokenDescription", ""))
        return {}

    write("/config/auth/standalonelist", "POST", add_rfid)

    @router.get("/config/auth/standalonelist/{uid}")
    async def one_rfid(request: Request, uid: str) -> Response:
        def handle(_: Any) -> dict[str, Any]:
            if uid not in rfid:
                raise Refusal(404, "Unknown token")
            return {"RfidTokenDescription": rfid[uid], "RfidTokenUid": uid}

        return await gate.serve(request, handle, api="web")

    @router.delete("/config/auth/standalonelist/{uid}")
    async def delete_rfid(request: Request, uid: str) -> Response:
        def handle(_: Any) -> dict[str, Any]:
            if rfid.pop(uid, None) is None:
                raise Refusal(404, "Unknown token")
            return {}

        return await gate.serve(request, handle, api="web", write=True)

    vehicles = charger.vehicle_tokens
    read(
        "/config/auth/vehicle-standalonelist",
        lambda _: {"VehicleTokens": [{"EvccId": e, "Alias": a} for e, a in vehicles.items()]},
    )

    def add_vehicle(body: Any) -> dict[str, Any]:
        if not isinstance(body, dict) or not isinstance(body.get("EvccId"), str):
            raise Refusal(400, "EvccId is required")
        vehicles[body["EvccId"]] = str(body.get("Alias", ""))
        return {}

    write("/config/auth/vehicle-standalonelist", "POST", add_vehicle)

    @router.delete("/config/auth/vehicle-standalonelist/{evcc_id}")
    async def delete_vehicle(request: Request, evcc_id: str) -> Response:
        def handle(_: Any) -> dict[str, Any]:
            if vehicles.pop(evcc_id, None) is None:
                raise Refusal(404, "Unknown vehicle")
            return {}

        return await gate.serve(request, handle, api="web", write=True)
