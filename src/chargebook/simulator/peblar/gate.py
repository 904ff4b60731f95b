"""Every request's path through the charger: latency, throttle, login check, faults, handler.

`serve` wraps one endpoint's handler. Errors are the charger's own shape, a JSON object with
a `statusmsg` (python-peblar `build_error_message` reads it).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any, Literal

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chargebook.simulator.peblar.charger import SimulatedCharger
from chargebook.simulator.peblar.faults import (
    DroppedResponse,
    FaultInjector,
    SimulatedTimeout,
    Throttle,
    damaged,
)

SESSION_COOKIE = "session"
Api = Literal["web", "rest", "login"]


class Refusal(Exception):
    """The charger refuses the request with `status` and a `statusmsg`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def refusal(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    return JSONResponse({"statusmsg": message}, status_code=status, headers=headers)


async def json_body(request: Request) -> Any:
    raw = await request.body()
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise Refusal(400, "Body is not valid JSON") from exc


class Gate:
    """The checks and faults every request of one charger goes through."""

    def __init__(self, charger: SimulatedCharger) -> None:
        self.charger = charger
        self.faults = FaultInjector(charger.config)
        self.throttle = Throttle(charger.config.requests_per_minute)

    def _auth_problem(self, request: Request, api: Api, write: bool) -> Response | None:
        charger = self.charger
        if api == "web":
            if request.cookies.get(SESSION_COOKIE) not in charger.web_sessions:
                return refusal(401, "Not logged in")
        elif api == "rest":
            token = request.headers.get("Authorization")
            if token is None or token != charger.api_token:
                return refusal(401, "Invalid API token")
            if not charger.user["LocalRestApiEnable"]:
                return refusal(403, "The local REST API is disabled")
            if write and charger.user["LocalRestApiAccessMode"] != "ReadWrite":
                return refusal(403, "The local REST API is read-only")
        return None

    async def serve(
        self,
        request: Request,
        handler: Callable[[Any], Any],
        *,
        api: Api,
        write: bool = False,
    ) -> Response:
        charger = self.charger
        if charger.config.latency_ms:
            await asyncio.sleep(charger.config.latency_ms / 1000)
        wait = self.throttle.retry_after_s(charger.clock.now())
        if wait is not None:
            return refusal(429, "Too many requests", {"Retry-After": str(wait)})
        problem = self._auth_problem(request, api, write)
        if problem is not None:
            return problem
        fault = None if api == "login" else self.faults.pick(request.method)
        status = self.faults.server_error_status() if fault == "server_error" else None
        if status is not None and (status == 503 or not write):
            return refusal(status, "Service unavailable" if status == 503 else "Internal error")
        try:
            body = await json_body(request)
            result = handler(body)
        except Refusal as exc:
            return refusal(exc.status, exc.message)
        if write:
            charger.record_write(request.method, request.url.path, body)
        if isinstance(result, Response):
            return result
        if status is not None:  # the write acted, its reply is lost
            return refusal(status, "Internal error")
        if fault == "timeout":
            raise SimulatedTimeout("the charger did not answer in time")
        if fault == "drop":
            return DroppedResponse()
        if fault in ("truncated", "wrong_type"):
            return Response(damaged(result, fault), media_type="application/json")
        return JSONResponse(result)
