"""Everything a data request passes before its handler: latency, bearer token, the account's
limits, fault injection and the request log."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from chargebook.simulator.easee.faults import PAYLOAD_FAULTS, DroppedResponse, corrupt
from chargebook.simulator.easee.fleet import SimAccount

if TYPE_CHECKING:
    from chargebook.simulator.easee.simulator import SimulatedEasee


def problem(status: int, title: str, code: int = 0, name: str = "") -> JSONResponse:
    """An error in the ProblemDetails shape Easee answers with (reference §2.1)."""
    body = {
        "errorCode": code,
        "errorCodeName": name or title.replace(" ", ""),
        "type": None,
        "title": title,
        "status": status,
        "detail": "[Empty in production]",
        "instance": None,
        "extensions": {},
    }
    return JSONResponse(body, status_code=status)


class Refused(Exception):
    """The request ends here with `response` (already logged)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass
class Call:
    sim: SimulatedEasee
    account: SimAccount
    method: str
    path: str
    payload_fault: str | None
    after_acting: int | None = None  # a write's fault after it acted: a status, 0 = drop

    def respond(self, payload: Any, status: int = 200) -> Response:
        """Serialize `payload` (damaged if a payload fault was drawn) and log it."""
        if self.after_acting == 0:
            self.sim.log(self.account.email, self.method, self.path, 0)
            return DroppedResponse()
        if self.after_acting is not None:
            self.sim.log(self.account.email, self.method, self.path, self.after_acting)
            return problem(self.after_acting, "Upstream error")
        self.sim.log(self.account.email, self.method, self.path, status)
        if payload is None:
            return Response(status_code=status)
        if self.payload_fault is not None:
            body = corrupt(payload, self.payload_fault)
        else:
            body = json.dumps(payload).encode()
        return Response(body, status_code=status, media_type="application/json")

    def refuse(self, status: int, title: str) -> Refused:
        self.sim.log(self.account.email, self.method, self.path, status)
        return Refused(problem(status, title))

    def check_charger(self, charger_id: str) -> None:
        """Unknown charger: 404; another account's: 403."""
        if charger_id not in self.sim.chargers:
            raise self.refuse(404, "Charger not found")
        if charger_id not in self.account.charger_ids:
            raise self.refuse(403, "Access denied")

    def check_site(self, site_id: int) -> None:
        if site_id != self.account.site_id:
            raise self.refuse(404 if not self.sim.site_exists(site_id) else 403, "Site not found")


async def latency(sim: SimulatedEasee) -> None:
    # Real wall time on purpose: benchmarks measure it through a real socket.
    if sim.config.latency_ms > 0:
        await asyncio.sleep(sim.config.latency_ms / 1000)


def bearer(request: Request) -> str | None:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def admit(sim: SimulatedEasee, request: Request, *, history: bool = False) -> Call:
    """Authenticate, apply the limits and draw a fault; raises Refused with the answer."""
    await latency(sim)
    method, path = request.method, request.url.path
    token = bearer(request)
    now = sim.clock.now()
    with sim.lock:
        account = sim.auth.check(token, now) if token else None
        if account is None:
            raise Refused(problem(401, "Unauthorized", 0, "Unauthorized"))
        refused = sim.limiter.check(account.email, history, now)
        if refused is not None:
            sim.log(account.email, method, path, 429)
            raise Refused(
                PlainTextResponse(
                    refused.text,
                    status_code=429,
                    headers={"retry-after": str(refused.retry_after_s)},
                )
            )
        fault = sim.faults.pick(method)
    call = Call(sim, account, method, path, fault if fault in PAYLOAD_FAULTS else None)
    write = method != "GET"
    if fault == "server_error":
        status = sim.faults.server_error_status()
        if write and status != 503:  # the gateway failed after the write acted
            call.after_acting = status
            return call
        raise call.refuse(status, "Upstream error")
    if fault == "drop" and write:
        call.after_acting = 0
        return call
    if fault == "drop":
        sim.log(account.email, method, path, 0)
        raise Refused(DroppedResponse())
    if fault == "slow":
        await asyncio.sleep(sim.config.slow_answer_s)
    return call
