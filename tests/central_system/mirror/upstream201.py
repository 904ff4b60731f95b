"""A real OCPP 2.0.1 upstream for the mirror tests: a bare `ocpp`-library CSMS (v201
ChargePoint handlers on `websockets.serve`, loopback, subprotocol ocpp2.0.1 only), as the
library's README shows one, that records what each station sent it. It shares the 1.6
upstream's bookkeeping (`Upstream`: received frames, start/stop, waiting)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import on
from ocpp.v201 import ChargePoint, call_result
from ocpp.v201.enums import Action
from websockets.asyncio.server import serve

from .upstream import Upstream

UPSTREAM_INTERVAL_S = 77  # the upstream's BootNotification interval; chargebook says 300


@dataclass
class Upstream201(Upstream):
    async def start(self, port: int = 0) -> None:
        self.server = await serve(
            self._connected,
            "127.0.0.1",
            port,
            subprotocols=["ocpp2.0.1"],  # type: ignore[list-item]
        )
        self.port = next(iter(self.server.sockets)).getsockname()[1]

    def side(self, cp_id: str, connection: Any) -> Any:
        return UpstreamSide201(cp_id, connection, self)


def _now() -> str:
    return datetime.now(UTC).isoformat()


class UpstreamSide201(ChargePoint):  # type: ignore[misc]  # the library is untyped
    def __init__(self, cp_id: str, connection: Any, upstream: Upstream) -> None:
        super().__init__(cp_id, connection, response_timeout=5)
        self.upstream = upstream

    def _seen(self, action: str, **payload: Any) -> None:
        self.upstream.received.append((action, payload))

    @on(Action.boot_notification)
    def on_boot(self, **kwargs: Any) -> call_result.BootNotification:
        self._seen("BootNotification", **kwargs)
        return call_result.BootNotification(
            current_time=_now(), interval=UPSTREAM_INTERVAL_S, status="Accepted"
        )

    @on(Action.heartbeat)
    def on_heartbeat(self, **kwargs: Any) -> call_result.Heartbeat:
        self._seen("Heartbeat", **kwargs)
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    def on_status(self, **kwargs: Any) -> call_result.StatusNotification:
        self._seen("StatusNotification", **kwargs)
        return call_result.StatusNotification()

    @on(Action.transaction_event)
    def on_transaction_event(self, **kwargs: Any) -> call_result.TransactionEvent:
        self._seen("TransactionEvent", **kwargs)
        if kwargs.get("id_token"):  # the upstream's own verdict: chargebook accepts all
            return call_result.TransactionEvent(id_token_info={"status": "Blocked"})
        return call_result.TransactionEvent()

    @on(Action.notify_report)
    def on_notify_report(self, **kwargs: Any) -> call_result.NotifyReport:
        self._seen("NotifyReport", **kwargs)
        return call_result.NotifyReport()
