"""What every data request passes: the bearer token, the account's rate limit and the faults.

A read's fault is chosen before it is answered, so reading again can succeed. A write is
refused before it acts only by a 503; every other fault hits it after it acted (a 5xx from
the gateway, a dropped connection), as the real cloud can.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

# The Wallbox simulator's drop (an httpx.RemoteProtocolError), so `simulator.serve` hides
# its traceback for this simulator too.
from chargebook.simulator.wallbox.faults import SimulatedConnectionDrop
from chargebook.simulator.zaptec.fleet import SimAccount

if TYPE_CHECKING:
    from chargebook.simulator.zaptec.simulator import ZaptecCloud


class DroppedResponse(Response):
    def __init__(self) -> None:
        super().__init__(
            content=b'{"Pages": 1, "Data": [' + b" " * 512, media_type="application/json"
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": self.raw_headers})
        await send({"type": "http.response.body", "body": self.body[:40], "more_body": True})
        raise SimulatedConnectionDrop("simulated connection drop")


class Refused(Exception):
    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


def message(status: int, text: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """An error answer (`{"Message": ...}`, ASP.NET Web API's shape; inferred)."""
    return JSONResponse({"Message": text}, status_code=status, headers=headers)


@dataclass
class Call:
    sim: ZaptecCloud
    account: SimAccount
    method: str
    path: str
    fault: str | None
    error_status: int = 500  # the status a "server_error" fault answers with

    @property
    def owner(self) -> bool:
        return bool(self.account.roles & 2)

    def refuse(self, status: int, text: str) -> Refused:
        self.sim.log(self.account.email, self.method, self.path, status)
        return Refused(message(status, text))

    def check_charger(self, charger_id: str, *, owner_only: bool = False) -> None:
        if charger_id not in self.account.charger_ids:
            raise self.refuse(404, "charger not found")
        if owner_only and not self.owner:
            raise self.refuse(403, "the user has no access to this charger's settings")

    def answer(self, payload: Any, envelope_key: str | None = "Data") -> Response:
        """The payload, damaged the way this call's fault says (reads and writes alike)."""
        sim = self.sim
        if self.fault == "drop":
            sim.log(self.account.email, self.method, self.path, 0)
            return DroppedResponse()
        if self.fault == "server_error":
            sim.log(self.account.email, self.method, self.path, self.error_status)
            return message(self.error_status, "An error has occurred.")
        body = json.dumps(payload).encode() if payload is not None else b""
        if self.fault == "truncated" and body:
            body = body[: max(1, len(body) // 2)]
        elif self.fault == "missing_key" and envelope_key and isinstance(payload, dict):
            body = json.dumps({k: v for k, v in payload.items() if k != envelope_key}).encode()
        elif self.fault == "missing_key":
            body = b'"unexpected"'
        sim.log(self.account.email, self.method, self.path, 200)
        return Response(body, status_code=200, media_type="application/json")

    def act(self, change: Callable[[], None]) -> None:
        """Carry out a write unless its fault refuses it before acting (503)."""
        from chargebook.simulator.zaptec.simulator import BadRequest

        if self.fault == "server_error" and self.error_status == 503:
            raise self.refuse(503, "The service is unavailable.")
        with self.sim.lock:
            try:
                change()
            except BadRequest as exc:
                self.fault = None
                raise self.refuse(400, str(exc)) from None
            self.sim.applied_writes.append((self.method, self.path))


def admit(sim: ZaptecCloud, request: Request) -> Call:
    """The caller's account, past the token check, rate limit and fault choice."""
    method, path = request.method, request.url.path
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    with sim.lock:
        account = sim.account_of(token) if scheme.lower() == "bearer" else None
        if account is None:
            raise Refused(message(401, "Authorization has been denied for this request."))
        if sim.over_limit(account.email):
            sim.log(account.email, method, path, 429)
            raise Refused(message(429, "Too many requests", {"Retry-After": "1"}))
        fault = sim.pick_fault(method)
        if fault == "revoked_token":
            sim.revoke(token)
            sim.log(account.email, method, path, 401)
            raise Refused(message(401, "Authorization has been denied for this request."))
        status = sim.server_error_status() if fault == "server_error" else 500
    return Call(sim, account, method, path, fault, status)


def pages(total: int, size: int) -> int:
    return math.ceil(total / size) if size > 0 else 0
