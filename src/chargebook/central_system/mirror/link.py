"""One charge point's websocket to its upstream central system, as that charge point.

- It dials `<url>/<charge point id>` with the charger's own subprotocol (ocpp1.6 or
  ocpp2.0.1: a proxy translates nothing) and the configured Basic auth, and redials with
  exponential backoff (1 s doubling to 60 s, as ocpp-broker) for as long as the charger is
  connected; the charger never waits for it.
- Charger messages for the upstream wait in a bounded outbox (500 frames; the oldest is
  dropped with a warning when full, as joulo's proxy does) and go out one CALL at a time
  (OCPP allows one outstanding CALL), each under a fresh message id, so ids of two senders
  never clash on this link (Part 4 §6.4). A frame whose answer never came is sent again after
  a reconnect (at least once). Heartbeats are not kept while the upstream is down: a late
  heartbeat says nothing. A 2.0.1 TransactionEvent queued while the upstream was unreachable
  goes out with `offline: true` (it happened while the station was offline for the upstream);
  its `seqNo` stays the station's, so the upstream can see a gap if the outbox dropped one.
- An upstream that will not speak the charger's version (an HTTP 400 handshake, or a
  connection without the subprotocol) is a `problem` (logged as an error, shown in
  `problem`); the charger is served by chargebook as in an outage, and the link keeps trying.
- The upstream's own CALLs go to `on_call`; the answers go back with `reply`.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import logging
import uuid
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidStatus, InvalidURI
from websockets.typing import Subprotocol

from chargebook.central_system.mirror.policy import V16
from chargebook.central_system.mirror.transactions import TransactionMap, for_upstream
from chargebook.domain.ocpp_upstream import UpstreamConfig, upstream_address
from chargebook.ocpp_common.log_redaction import hide_credential_headers

LOG = logging.getLogger("chargebook.central_system.mirror")
CLOSE_TIMEOUT_S = 5.0  # how long `close` waits for the link's task to stop
hide_credential_headers(LOG)  # websockets logs our Authorization header at DEBUG
_NOT_KEPT_WHILE_DOWN = frozenset({"Heartbeat"})

UpstreamCallHandler = Callable[[str, str, dict[str, Any]], Coroutine[Any, Any, None]]


@dataclass
class Outbound:
    """A charger CALL on its way upstream, and the upstream's answer once it came."""

    action: str
    payload: dict[str, Any]
    while_down: bool = False  # queued while the upstream was unreachable
    reply: list[Any] | None = None  # [3, id, payload] or [4, id, code, description, details]
    done: asyncio.Event = field(default_factory=asyncio.Event)
    _listeners: list[Callable[[list[Any] | None], None]] = field(default_factory=list)

    def when_answered(self, listener: Callable[[list[Any] | None], None]) -> None:
        """Call `listener` with the answer (None: never delivered), now if it came already."""
        if self.done.is_set():
            listener(self.reply)
        else:
            self._listeners.append(listener)

    def settle(self, reply: list[Any] | None) -> None:
        self.reply = reply
        for listener in self._listeners:  # synchronously: the next frame may need the ids
            listener(reply)
        self._listeners.clear()
        self.done.set()


@dataclass(frozen=True)
class Backoff:
    first_s: float = 1.0
    max_s: float = 60.0


class UpstreamLink:
    def __init__(
        self,
        config: UpstreamConfig,
        password: str | None,
        ids: TransactionMap,
        *,
        response_timeout_s: float,
        buffer_size: int = 500,
        backoff: Backoff | None = None,
        version: str = V16,
    ) -> None:
        self.config = config
        self.ids = ids
        self.version = version  # the charger's OCPP version, spoken to the upstream too
        self.subprotocol = Subprotocol(f"ocpp{version}")
        self.on_call: UpstreamCallHandler | None = None
        self._password = password
        self._response_timeout_s = response_timeout_s
        self._buffer_size = buffer_size
        self._backoff = backoff or Backoff()
        self._outbox: deque[Outbound] = deque()
        self._wakeup = asyncio.Event()
        self._waiting: dict[str, asyncio.Future[list[Any]]] = {}
        self._ws: ClientConnection | None = None
        self._task: asyncio.Task[None] | None = None
        self._calls: set[asyncio.Task[None]] = set()
        self.connected = asyncio.Event()
        # True once a dial failed or the connection dropped, until the next connect: the
        # charger is answered at once then, instead of after `answer_timeout_s`.
        self.known_down = False
        self.dropped = 0
        # Why the upstream cannot be used now, for the operator (None while all is well).
        self.problem: str | None = None

    @property
    def queued(self) -> list[str]:
        """The actions waiting for the upstream, oldest first."""
        return [item.action for item in self._outbox]

    def __repr__(self) -> str:
        cp_id, mode = self.config.charge_point_id, self.config.mode.value
        return f"UpstreamLink({cp_id!r}, {mode}, {self.subprotocol})"

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"ocpp-upstream-{self.config.charge_point_id}"
            )

    async def close(self) -> None:
        for call in list(self._calls):
            call.cancel()
        if self._task is not None:
            task, self._task = self._task, None
            task.cancel()
            # Bounded: a task caught mid-handshake may take its time to see the cancel, and a
            # shutdown must never hang on an upstream (a CI run once waited here for 300 s).
            done, _ = await asyncio.wait({task}, timeout=CLOSE_TIMEOUT_S)
            if not done:
                LOG.warning("upstream link of %s did not stop within %.0f s", self, CLOSE_TIMEOUT_S)
            elif not task.cancelled() and task.exception() is not None:
                LOG.warning("upstream link of %s ended with %r", self, task.exception())
        for item in self._outbox:
            item.settle(None)
        self._outbox.clear()

    # -- charger -> upstream --------------------------------------------------------------

    def forward(self, action: str, payload: dict[str, Any]) -> Outbound | None:
        """Queue a charger CALL for the upstream; None if it is not kept (see module doc)."""
        if action in _NOT_KEPT_WHILE_DOWN and not self.connected.is_set():
            return None
        if len(self._outbox) >= self._buffer_size:
            oldest = self._outbox.popleft()
            oldest.settle(None)
            self.dropped += 1
            LOG.warning(
                "upstream of %s: outbox full, dropped a %s",
                self.config.charge_point_id,
                oldest.action,
            )
        item = Outbound(action, payload, while_down=self.known_down)
        self._outbox.append(item)
        self._wakeup.set()
        return item

    async def reply(self, frame: list[Any]) -> None:
        """Answer one of the upstream's CALLs (lost if the link dropped meanwhile: the
        upstream times out, as it would with a charger that went away)."""
        ws = self._ws
        if ws is None:
            return
        with contextlib.suppress(ConnectionClosed):
            await ws.send(json.dumps(frame, separators=(",", ":")))

    # -- the connection -------------------------------------------------------------------

    async def _run(self) -> None:
        delay = self._backoff.first_s
        cp_id = self.config.charge_point_id
        while True:
            try:
                async with connect(
                    upstream_address(self.config.url, cp_id),
                    subprotocols=[self.subprotocol],
                    additional_headers=self._auth_headers(),
                    open_timeout=10,
                    compression=None,
                    logger=LOG,
                ) as ws:
                    if ws.subprotocol != self.subprotocol:  # it would not understand a frame
                        self._refused_subprotocol(f"it answered with {ws.subprotocol or 'none'}")
                    else:
                        self._ws = ws
                        self.connected.set()
                        self.known_down = False
                        self.problem = None
                        delay = self._backoff.first_s
                        LOG.info("upstream of %s connected (%s)", cp_id, self.config.mode.value)
                        await self._serve(ws)
            except InvalidStatus as exc:  # e.g. 401: a wrong password, or 404: a wrong URL
                status = exc.response.status_code
                # The upstream's own words, on one printable line (they reach the log).
                text = bytes(exc.response.body or b"")[:200].decode(errors="replace")
                body = "".join(c for c in " ".join(text.split()) if c.isprintable())
                if status == 400 and "subprotocol" in body.lower():
                    self._refused_subprotocol(f"HTTP 400: {body}")
                else:
                    self.problem = f"the upstream refused the connection: HTTP {status}"
                    LOG.warning("upstream of %s refused the connection: HTTP %d", cp_id, status)
            except (OSError, TimeoutError, InvalidHandshake, InvalidURI, ConnectionClosed) as exc:
                # The exception's class, never its headers: they hold the password.
                self.problem = f"the upstream is unreachable ({type(exc).__name__})"
                LOG.warning("upstream of %s unreachable: %s", cp_id, type(exc).__name__)
            finally:
                self._ws = None
                self.connected.clear()
                self.known_down = True
                for future in self._waiting.values():
                    future.cancel()
                self._waiting.clear()
            await asyncio.sleep(delay)
            delay = min(delay * 2, self._backoff.max_s)

    async def _serve(self, ws: ClientConnection) -> None:
        receiver = asyncio.create_task(self._receive(ws))
        sender = asyncio.create_task(self._send_outbox(ws))
        try:
            done, _ = await asyncio.wait({receiver, sender}, return_when=asyncio.FIRST_COMPLETED)
            for task in done:
                task.result()  # re-raise ConnectionClosed
        finally:
            for task in (receiver, sender):
                task.cancel()
            await asyncio.gather(receiver, sender, return_exceptions=True)

    async def _receive(self, ws: ClientConnection) -> None:
        async for raw in ws:
            try:
                frame = json.loads(raw)
            except ValueError:
                LOG.warning(
                    "upstream of %s sent a frame that is not JSON", self.config.charge_point_id
                )
                continue
            if not isinstance(frame, list) or len(frame) < 3 or not isinstance(frame[1], str):
                continue
            if frame[0] in (3, 4):
                future = self._waiting.pop(frame[1], None)
                if future is not None and not future.done():
                    future.set_result(frame)
            elif frame[0] == 2 and len(frame) == 4 and self.on_call is not None:
                payload = frame[3] if isinstance(frame[3], dict) else {}
                task = asyncio.get_running_loop().create_task(
                    self.on_call(frame[1], str(frame[2]), payload)
                )
                self._calls.add(task)  # a task nobody references may be collected mid-way
                task.add_done_callback(self._calls.discard)

    async def _send_outbox(self, ws: ClientConnection) -> None:
        while True:
            while not self._outbox:
                self._wakeup.clear()
                await self._wakeup.wait()
            item = self._outbox[0]
            payload = self._for_upstream(item)
            if payload is None:
                LOG.info(
                    "upstream of %s: %s of a session it never opened, not sent",
                    self.config.charge_point_id,
                    item.action,
                )
                self._outbox.popleft()
                item.settle(None)
                continue
            unique_id = str(uuid.uuid4())
            future: asyncio.Future[list[Any]] = asyncio.get_running_loop().create_future()
            self._waiting[unique_id] = future
            await ws.send(json.dumps([2, unique_id, item.action, payload], separators=(",", ":")))
            try:
                reply: list[Any] | None = await asyncio.wait_for(future, self._response_timeout_s)
            except TimeoutError:
                LOG.warning(
                    "upstream of %s did not answer %s", self.config.charge_point_id, item.action
                )
                self._waiting.pop(unique_id, None)
                reply = None
            if self._outbox and self._outbox[0] is item:
                self._outbox.popleft()
            item.settle(reply)

    def _for_upstream(self, item: Outbound) -> dict[str, Any] | None:
        """The payload the upstream gets (None: not sent; see `transactions.for_upstream`)."""
        if self.version == V16:
            return for_upstream(item.action, item.payload, self.ids)
        if item.action == "TransactionEvent" and item.while_down:
            return {**item.payload, "offline": True}
        return item.payload

    def _refused_subprotocol(self, detail: str) -> None:
        problem = (
            f"the upstream does not speak {self.subprotocol} ({detail}); chargebook serves "
            f"the charger alone and retries"
        )
        # An error once; each retry of the same refusal only at DEBUG (it may last for days).
        level = logging.DEBUG if problem == self.problem else logging.ERROR
        self.problem = problem
        LOG.log(level, "upstream of %s: %s", self.config.charge_point_id, problem)

    def _auth_headers(self) -> dict[str, str]:
        if self._password is None:
            return {}
        token = base64.b64encode(f"{self.config.username}:{self._password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}
