"""The simulated charge point's link to the central system, on the `ocpp` library's
ChargePoint (client side): the websocket (Basic auth), reconnects (the library's ChargePoint
gets the new connection), calls sent in order with transaction messages buffered while
offline, and the background tasks that send calls from handlers. The charger itself:
`transactions`, its command handlers: `charge_point`.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections import deque
from collections.abc import Coroutine
from typing import Any
from urllib.parse import unquote, urlsplit

from ocpp.v16 import ChargePoint
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from chargebook.ocpp_common.log_redaction import hide_credential_headers
from chargebook.simulator.ocpp.model import ChargePointConfig

LOG = logging.getLogger("chargebook.simulator.ocpp")
hide_credential_headers(LOG)


class ChargePointLink(ChargePoint):  # type: ignore[misc]  # the library is untyped
    """The connection of the charge point at `url` (ws://HOST:PORT/.../ID; the id is the last
    path segment). A 2.0.1 station overrides the library's version attributes and this
    `subprotocol` (`chargebook.simulator.ocpp.station201`)."""

    subprotocol = "ocpp1.6"

    def __init__(self, url: str, config: ChargePointConfig) -> None:
        charge_point_id = unquote([s for s in urlsplit(url).path.split("/") if s][-1])
        super().__init__(charge_point_id, None, response_timeout=config.response_timeout_s)
        self.url = url
        self.config = config
        self.outbox: deque[Any] = deque()  # calls waiting for the connection, in order
        self.connected = asyncio.Event()
        self._receiver: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._send_lock = asyncio.Lock()
        # One flusher at a time: two would send the same head call and pop two (one unsent).
        self._flush_lock = asyncio.Lock()

    async def connect(self) -> None:
        """Open the websocket (Basic auth when a password is set) and start receiving.

        Raises:
            OSError, websockets.exceptions.InvalidStatus: the central system refused or is down.
        """
        headers = {}
        if self.config.password is not None:
            token = base64.b64encode(f"{self.id}:{self.config.password}".encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        ws: ClientConnection = await connect(
            self.url,
            subprotocols=[self.subprotocol],  # type: ignore[list-item]
            additional_headers=headers,
            compression=None,
            open_timeout=30,
            ping_interval=None,
            logger=LOG,  # whose DEBUG handshake trace hides the Authorization header
        )
        self._connection = ws
        self._receiver = asyncio.create_task(self._receive(ws))
        self.connected.set()

    async def disconnect(self) -> None:
        """Drop the connection (the charger stays on and keeps metering and buffering)."""
        self.connected.clear()
        ws = self._connection
        if ws is not None:
            await ws.close()
        if self._receiver is not None:
            await asyncio.gather(self._receiver, return_exceptions=True)

    async def close(self) -> None:
        """Disconnect and cancel background tasks."""
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.disconnect()

    async def _receive(self, ws: ClientConnection) -> None:
        try:
            await self.start()
        except ConnectionClosed:
            pass
        finally:
            if self._connection is ws:
                self.connected.clear()

    async def flush_outbox(self) -> int:
        """Send buffered calls in order; returns how many went out."""
        sent = 0
        async with self._flush_lock:
            while self.outbox and self.connected.is_set():
                if await self._deliver(self.outbox[0]) is None:
                    break
                self.outbox.popleft()
                sent += 1
        return sent

    async def _deliver(self, payload: Any) -> Any:
        """One call; the result, or None when the connection failed."""
        async with self._send_lock:
            try:
                return await self.call(payload, suppress=False)
            except (ConnectionClosed, TimeoutError, OSError):
                self.connected.clear()
                return None

    async def send(self, payload: Any, *, buffered: bool = False) -> Any:
        """Send a call now; a `buffered` one waits in the outbox while offline.

        Returns the result, or None if it was buffered or dropped.

        Raises:
            OCPPError: the central system answered with a CALLERROR.
        """
        if buffered and self.outbox:
            self.outbox.append(payload)  # keep the order: older messages first
            await self.flush_outbox()
            return None
        if not self.connected.is_set():
            if buffered:
                self.outbox.append(payload)
            return None
        result = await self._deliver(payload)
        if result is None and buffered:
            self.outbox.append(payload)
        return result

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run a call from a task, never inside a handler (it would wait for itself)."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
