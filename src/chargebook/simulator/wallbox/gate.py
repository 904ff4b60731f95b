"""Everything a request passes before its handler: latency, auth, budget, faults, logging."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from chargebook.simulator.wallbox.auth import AuthFailure
from chargebook.simulator.wallbox.faults import PAYLOAD_FAULTS, DroppedResponse, corrupt
from chargebook.simulator.wallbox.fleet import SimAccount

if TYPE_CHECKING:
    from chargebook.simulator.wallbox.simulator import SimulatedCloud


def error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": True, "status": status, "msg": message}, status_code=status)


class Refused(Exception):
    """The request ends here with `response` (already logged)."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


@dataclass
class Call:
    """An admitted data request: who asked and which payload fault (if any) to apply."""

    sim: SimulatedCloud
    account: SimAccount
    method: str
    path: str
    payload_fault: str | None
    duplicate: bool = False  # sessions/stats: overlap the previous page by one item
    # A write's fault that strikes after it acted: an upstream status, or 0 for a drop.
    after_acting: int | None = None

    def respond(self, payload: Any, envelope_key: str, status: int = 200) -> Response:
        """Serialize `payload`, damaged if a payload fault was drawn, and log it."""
        if self.after_acting == 0:
            self.sim.log(self.account.email, self.method, self.path, 0)
            return DroppedResponse()
        if self.after_acting is not None:
            self.sim.log(self.account.email, self.method, self.path, self.after_acting)
            return error(self.after_acting, "upstream error")
        if self.payload_fault is not None:
            body = corrupt(payload, self.payload_fault, envelope_key)
        else:
            body = json.dumps(payload).encode()
        self.sim.log(self.account.email, self.method, self.path, status)
        return Response(body, status_code=status, media_type="application/json")

    def refuse(self, status: int, message: str) -> Refused:
        self.sim.log(self.account.email, self.method, self.path, status)
        return Refused(error(status, message))

    def check_charger(self, charger_id: int, write: bool) -> None:
        """Unknown charger: 404; not visible: 403; visible but not admin on a write: 403."""
        if charger_id not in self.sim.chargers:
            raise self.refuse(404, "charger not found")
        if charger_id not in self.account.charger_ids:
            raise self.refuse(403, "access denied")
        if write and not self.account.can_write:
            raise self.refuse(403, "insufficient rights: the user is not an admin of the charger")


async def latency(sim: SimulatedCloud) -> None:
    # Real wall time on purpose: benchmarks measure it through a real socket.
    if sim.config.latency_ms > 0:
        await asyncio.sleep(sim.config.latency_ms / 1000)


def bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


async def admit(
    sim: SimulatedCloud, request: Request, *, is_page_after_first: bool = False
) -> Call:
    """Authenticate, apply the budget and draw a fault; raises Refused with the answer."""
    await latency(sim)
    method, path = request.method, request.url.path
    token = bearer(request)
    if token is None:
        raise Refused(error(401, "missing bearer token"))
    with sim.lock:
        try:
            account = sim.auth.check_access(token, sim.clock.now())
        except AuthFailure as failure:
            raise Refused(error(failure.status, failure.message)) from None
        if not sim.config.partner_mode:
            refused = sim.limiter.check(account.email, method, sim.clock.now())
            if refused is not None:
                sim.log(account.email, method, path, refused)
                raise Refused(error(refused, "too many requests"))
        fault = sim.faults.pick(method, is_page_after_first)
    payload_fault = fault if fault in PAYLOAD_FAULTS else None
    call = Call(sim, account, method, path, payload_fault, duplicate=fault == "duplicate")
    write = method != "GET"
    if fault == "server_error":
        status = sim.faults.server_error_status()
        if write and status != 503:  # the gateway failed after the write acted
            call.after_acting = status
            return call
        raise call.refuse(status, "upstream error")
    if fault == "drop" and write:  # the write acts, then the connection is cut
        call.after_acting = 0
        return call
    if fault == "drop":
        sim.log(account.email, method, path, 0)
        raise Refused(DroppedResponse())
    if fault == "slow":
        await asyncio.sleep(sim.config.slow_answer_s)
    return call
