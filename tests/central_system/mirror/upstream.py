"""A real second central system for the mirror tests: a bare `ocpp`-library central system
(v16 ChargePoint handlers on `websockets.serve`, loopback), as the ocpp library's README
shows one, that records what each charge point sent it and how it authenticated. Its
transaction ids start at 1000, so they never look like the book's."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus
from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.exceptions import ConnectionClosed


async def eventually(condition: Callable[[], bool], within_s: float = 5.0) -> None:
    """Until `condition()` holds (state other tasks change), at most `within_s` seconds."""
    async with asyncio.timeout(within_s):
        while not condition():  # noqa: ASYNC110  (polls state set by other tasks)
            await asyncio.sleep(0.02)


@dataclass
class Upstream:
    """What the upstream saw; `charge_points` holds the live connections by id."""

    received: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    authorizations: list[str | None] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    subprotocols: list[str | None] = field(default_factory=list)  # as negotiated
    charge_points: dict[str, Any] = field(default_factory=dict)  # UpstreamSide(201)
    next_tx: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))
    server: Server | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/steve/websocket/CentralSystemService"

    def actions(self) -> list[str]:
        return [action for action, _ in self.received]

    def payloads(self, action: str) -> list[dict[str, Any]]:
        return [payload for name, payload in self.received if name == action]

    async def start(self, port: int = 0) -> None:
        self.server = await serve(
            self._connected,
            "127.0.0.1",
            port,
            subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        )
        self.port = next(iter(self.server.sockets)).getsockname()[1]

    async def stop(self) -> None:
        """An outage: the server and every connection close."""
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()
        self.charge_points.clear()

    async def wait_for(self, action: str, count: int = 1, within_s: float = 5.0) -> None:
        await eventually(lambda: len(self.payloads(action)) >= count, within_s)

    async def wait_connected(self, cp_id: str) -> Any:
        await eventually(lambda: cp_id in self.charge_points)
        return self.charge_points[cp_id]

    def side(self, cp_id: str, connection: Any) -> Any:
        """The upstream's side of one connection (the 2.0.1 upstream has its own)."""
        return UpstreamSide(cp_id, connection, self)

    async def _connected(self, connection: ServerConnection) -> None:
        assert connection.request is not None
        self.paths.append(connection.request.path)
        self.subprotocols.append(connection.subprotocol)
        self.authorizations.append(connection.request.headers.get("Authorization"))
        cp_id = connection.request.path.rstrip("/").split("/")[-1]
        side = self.side(cp_id, connection)
        self.charge_points[cp_id] = side
        try:
            await side.start()
        except ConnectionClosed:
            return
        finally:
            if self.charge_points.get(cp_id) is side:
                del self.charge_points[cp_id]


def _now() -> str:
    return datetime.now(UTC).isoformat()


class UpstreamSide(ChargePoint):  # type: ignore[misc]  # the library is untyped
    def __init__(self, cp_id: str, connection: Any, upstream: Upstream) -> None:
        super().__init__(cp_id, connection, response_timeout=5)
        self.upstream = upstream

    def _seen(self, action: str, **payload: Any) -> None:
        self.upstream.received.append((action, payload))

    @on(Action.boot_notification)
    def on_boot(self, **kwargs: Any) -> call_result.BootNotification:
        self._seen("BootNotification", **kwargs)
        return call_result.BootNotification(
            current_time=_now(), interval=77, status=RegistrationStatus.accepted
        )

    @on(Action.heartbeat)
    def on_heartbeat(self, **kwargs: Any) -> call_result.Heartbeat:
        self._seen("Heartbeat", **kwargs)
        return call_result.Heartbeat(current_time=_now())

    @on(Action.status_notification)
    def on_status(self, **kwargs: Any) -> call_result.StatusNotification:
        self._seen("StatusNotification", **kwargs)
        return call_result.StatusNotification()

    @on(Action.authorize)
    def on_authorize(self, **kwargs: Any) -> call_result.Authorize:
        self._seen("Authorize", **kwargs)
        return call_result.Authorize(id_tag_info={"status": AuthorizationStatus.accepted})

    @on(Action.start_transaction)
    def on_start(self, **kwargs: Any) -> call_result.StartTransaction:
        self._seen("StartTransaction", **kwargs)
        return call_result.StartTransaction(
            transaction_id=next(self.upstream.next_tx),
            id_tag_info={"status": AuthorizationStatus.accepted},
        )

    @on(Action.meter_values)
    def on_meter_values(self, **kwargs: Any) -> call_result.MeterValues:
        self._seen("MeterValues", **kwargs)
        return call_result.MeterValues()

    @on(Action.stop_transaction)
    def on_stop(self, **kwargs: Any) -> call_result.StopTransaction:
        self._seen("StopTransaction", **kwargs)
        return call_result.StopTransaction(id_tag_info={"status": AuthorizationStatus.accepted})
