"""A central-system process as a member of the cluster: registers the charge points it
holds, closes sockets another node took over, answers commands routed to it and routes
commands to the node that holds a charge point (see the package docstring)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import secrets
import socket
from typing import TYPE_CHECKING, Any, Protocol

from chargebook.central_system.cluster import registry
from chargebook.central_system.cluster.bus import BusDownError, PgBus
from chargebook.central_system.cluster.messages import OPS, encode, error_reply, raise_error
from chargebook.central_system.exceptions import (
    ChargePointNotConnectedError,
    CommandTimeoutError,
)

if TYPE_CHECKING:
    from collections.abc import Coroutine

    from chargebook.db import Database

LOG = logging.getLogger("chargebook.central_system.cluster")
HEARTBEAT_S = 5.0
# A node that has not heartbeated for this long is dead: its connections no longer count.
LEASE_S = 20.0
FORGET_AFTER_S = 3600.0


def new_node_id() -> str:
    """host:pid:random, unique per process start (a restarted process is a new node)."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{secrets.token_hex(4)}"


class _Writer(Protocol):
    def forget_open_transactions(self, charge_point_id: str | None = None) -> None: ...


class LocalCentral(Protocol):
    """What a node needs of its process's central system (a Protocol: the server imports
    this package). Commands routed here are its methods, named in `messages.OPS`."""

    @property
    def writer(self) -> _Writer: ...

    def is_connected(self, charge_point_id: str) -> bool: ...

    def charge_point(self, charge_point_id: str) -> Any: ...

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None: ...


def node_channel(node_id: str) -> str:
    """The node's LISTEN channel (an identifier: pid and random part, not the host name)."""
    _host, pid, random = node_id.rsplit(":", 2)
    return f"chargebook_ocpp_{pid}_{random}"


class ClusterNode:
    """Start with `await start(central)`; `claimed`/`released` per connection; `call` routes a
    command; `await close()` leaves the cluster (its rows cleared at once, not after the lease)."""

    def __init__(
        self,
        conninfo: str,
        *,
        timeout_s: float,
        heartbeat_s: float = HEARTBEAT_S,
        lease_s: float = LEASE_S,
    ) -> None:
        self.node_id = new_node_id()
        self._bus = PgBus(conninfo)
        self._timeout_s = timeout_s
        self._heartbeat_s = heartbeat_s
        self._lease_s = lease_s
        self._channel = node_channel(self.node_id)
        self._evict_channel = ""
        self._central: LocalCentral | None = None
        self._epochs: dict[str, int] = {}  # the epoch of each socket held here
        self._newest: dict[str, int] = {}  # the newest epoch announced by another node
        self._waiting: dict[str, asyncio.Future[dict[str, Any]]] = {}
        self._tasks: set[asyncio.Task[Any]] = set()
        # Claims, releases and the re-assertion after an outage one at a time, so that the
        # re-assertion's view of the sockets held here is the registry's.
        self._registry_lock = asyncio.Lock()

    async def start(self, central: LocalCentral) -> None:
        self._central = central
        # Notifications are per database, not per schema: the evict channel names the schema
        # so that two books in one database (tests) never close each other's sockets.
        await self._bus.connect()
        schema = (await self._bus.fetch(registry.SCHEMA))[0][0]
        self._evict_channel = f"chargebook_ocpp_evict_{schema}"[:63]
        await self._bus.listen(
            [self._channel, self._evict_channel],
            self._on_notify,
            on_lost=self._on_lost,
            on_reconnect=self._reassert,
        )
        await self._bus.fetch(registry.HEARTBEAT, (self.node_id,))
        self._spawn(self._heartbeat())
        LOG.info("OCPP cluster node %s started", self.node_id)

    async def start_caller(self) -> None:
        """Join only to send commands (a CLI): no heartbeat, no charge points, no evictions."""
        await self._bus.connect()
        await self._bus.listen([self._channel], self._on_notify)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self._bus.fetch(registry.LEAVE_CONNECTIONS, (self.node_id,))
            await self._bus.fetch(registry.LEAVE_NODE, (self.node_id,))
        await self._bus.close()

    # -- connections ----------------------------------------------------------------------

    async def claimed(self, charge_point_id: str, protocol: str) -> int:
        """Register a new socket as the charge point's newest connection; its epoch.

        Raises:
            BusDownError: PostgreSQL is unreachable (the socket should be closed: the charger
                reconnects, and a socket nobody knows of could be claimed twice).
        """
        claim = {
            "cp": charge_point_id,
            "node": self.node_id,
            "protocol": protocol,
            "channel": self._evict_channel,
        }
        async with self._registry_lock:
            rows = await self._bus.fetch(registry.CLAIM, claim)
            epoch = int(rows[0][0])
            self._epochs[charge_point_id] = epoch
        if self._newest.get(charge_point_id, 0) > epoch:  # another node claimed it meanwhile
            self._evict(charge_point_id)
        return epoch

    async def released(self, charge_point_id: str, epoch: int) -> None:
        async with self._registry_lock:
            if self._epochs.get(charge_point_id) == epoch:
                del self._epochs[charge_point_id]
            with contextlib.suppress(Exception):  # a lost database must not break a disconnect
                await self._bus.fetch(
                    registry.RELEASE, (charge_point_id, self.node_id, epoch), again=True
                )

    def _evict(self, charge_point_id: str) -> None:
        assert self._central is not None
        if not self._central.is_connected(charge_point_id):
            return
        LOG.info("charge point %s connected to another process; closing here", charge_point_id)
        connection = self._central.charge_point(charge_point_id)._connection
        self._central.spawn(connection.close(code=1000, reason="replaced"))

    # -- routing --------------------------------------------------------------------------

    async def holder(self, charge_point_id: str) -> str | None:
        """The live node holding the charge point, or None."""
        rows = await self._bus.fetch(registry.HOLDER, (charge_point_id, self._lease_s), again=True)
        return str(rows[0][0]) if rows else None

    async def call(self, charge_point_id: str, op: str, args: dict[str, Any]) -> Any:
        """Run `op` on the node that holds the charge point; its result.

        Raises:
            ChargePointNotConnectedError: no live node holds it.
            CommandTimeoutError: no answer within the timeout.
            CommandRejectedError, NotFoundError, ValueError: as raised there.
        """
        if not self._bus.listening:  # its answer could not reach us: do not send it
            raise self._unsent(charge_point_id)
        try:
            node = await self.holder(charge_point_id)
        except BusDownError:
            raise self._unsent(charge_point_id) from None
        if node is None or node == self.node_id:  # here but gone: it just disconnected
            raise ChargePointNotConnectedError(
                f"charge point {charge_point_id} is not connected", charge_point_id=charge_point_id
            )
        request_id = secrets.token_hex(8)
        channel = node_channel(node)
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._waiting[request_id] = future
        message = {
            "call": request_id,
            "reply": self._channel,
            "op": op,
            "cp": charge_point_id,
            "args": args,
        }
        try:
            try:
                await self._bus.notify(channel, encode(message))
            except BusDownError as exc:  # not repeated if it may have gone out (`PgBus`)
                if not exc.maybe_applied:
                    raise self._unsent(charge_point_id) from None
                raise CommandTimeoutError(
                    f"this process lost its PostgreSQL connection while sending the command "
                    f"for {charge_point_id}; it may or may not have reached the charger",
                    charge_point_id=charge_point_id,
                ) from None
            # The holder's own command timeout runs inside this one; a second for the trip.
            reply = await asyncio.wait_for(future, self._timeout_s + 1.0)
        except TimeoutError:
            raise CommandTimeoutError(
                f"the process holding {charge_point_id} did not answer in time",
                charge_point_id=charge_point_id,
            ) from None
        finally:
            self._waiting.pop(request_id, None)
        if "error" in reply:
            raise_error(reply, charge_point_id)
        return reply.get("result")

    @staticmethod
    def _unsent(charge_point_id: str) -> CommandTimeoutError:
        return CommandTimeoutError(
            f"the command for {charge_point_id} was not sent: this process has lost its "
            "PostgreSQL connection and is reconnecting; try again shortly",
            charge_point_id=charge_point_id,
        )

    def _on_lost(self) -> None:
        """The listener is gone: answers to the commands in flight cannot arrive any more."""
        for future in self._waiting.values():
            if not future.done():
                future.set_result(
                    {
                        "error": "timeout",
                        "message": "this process lost its PostgreSQL connection while waiting "
                        "for the answer; the command may or may not have reached the charger",
                    }
                )

    async def _reassert(self) -> None:
        """Back after an outage (and LISTENing again): heartbeat at once, so commands route
        here again, and make the registry match the sockets held here. Evictions announced
        while this node was not listening were missed: charge points claimed elsewhere
        meanwhile are closed here now, and the open-transaction cache is not trusted."""
        await self._bus.fetch(registry.HEARTBEAT, (self.node_id,), again=True)
        async with self._registry_lock:
            held = dict(self._epochs)
            params = {"cps": list(held), "epochs": list(held.values()), "node": self.node_id}
            rows = await self._bus.fetch(registry.REASSERT, params, again=True)
        assert self._central is not None
        self._central.writer.forget_open_transactions()
        for charge_point_id, epoch in rows:
            self._newest[charge_point_id] = max(self._newest.get(charge_point_id, 0), int(epoch))
            if (
                held[charge_point_id] < int(epoch)
                and self._epochs.get(charge_point_id) == held[charge_point_id]
            ):
                self._evict(charge_point_id)
        LOG.info("OCPP cluster node %s re-asserted %d connections", self.node_id, len(held))

    def _on_notify(self, channel: str, payload: str) -> None:
        if channel == self._evict_channel:
            charge_point_id, node, epoch = payload.rsplit(" ", 2)
            if node != self.node_id:
                # That node may now write the charger's transactions: our cache of them is
                # no longer the truth (the single-process assumption of `OpenTransactions`).
                assert self._central is not None
                self._central.writer.forget_open_transactions(charge_point_id)
                self._newest[charge_point_id] = max(
                    self._newest.get(charge_point_id, 0), int(epoch)
                )
                if self._epochs.get(charge_point_id, int(epoch)) < int(epoch):
                    self._evict(charge_point_id)
            return
        message = json.loads(payload)
        if "call" in message:
            self._spawn(self._answer(message))
        elif (future := self._waiting.get(str(message.get("reply")))) and not future.done():
            future.set_result(message)

    async def _answer(self, message: dict[str, Any]) -> None:
        assert self._central is not None
        request_id, op = str(message["call"]), str(message["op"])
        try:
            if op not in OPS:
                raise ValueError(f"unknown cluster command {op!r}")
            method = getattr(self._central, op)
            result = await method(str(message["cp"]), **dict(message.get("args") or {}))
            if op == "describe":
                result = {
                    "connector_status": result.connector_status,
                    "ocpp_version": result.ocpp_version,
                }
            reply: dict[str, Any] = {"reply": request_id, "result": result}
        except Exception as exc:  # every failure goes back to the requester
            reply = error_reply(request_id, exc)
        try:
            await self._bus.notify(str(message["reply"]), encode(reply))
        except BusDownError:  # the requester times out; the command ran once, here
            LOG.warning("the answer to cluster command %s (%s) was lost", request_id, op)

    # -- liveness -------------------------------------------------------------------------

    async def _heartbeat(self) -> None:
        failing = False  # logged when it starts and stops failing, not every beat
        while True:
            await asyncio.sleep(self._heartbeat_s)
            try:
                await self._bus.fetch(registry.HEARTBEAT, (self.node_id,), again=True)
                await self._bus.fetch(registry.FORGET_DEAD, (FORGET_AFTER_S,), again=True)
            except Exception as exc:
                if not failing and self._bus.listening:  # else the bus logged the outage
                    LOG.warning("cluster heartbeat failed: %s", exc)
                failing = True
            else:
                if failing:
                    LOG.info("cluster heartbeat works again")
                failing = False

    def _spawn(self, coroutine: Any) -> None:
        task = asyncio.get_running_loop().create_task(coroutine)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)


async def call_holder(
    database: Database, timeout_s: float, charge_point_id: str, op: str, args: dict[str, Any]
) -> Any:
    """Run `op` on the process holding the charge point, from outside any central system
    (the CLI); PostgreSQL only.

    Raises:
        ChargePointNotConnectedError: no live process holds it (or the book is SQLite, where
            no other process can be reached).
        CommandTimeoutError, CommandRejectedError, NotFoundError, ValueError: as there.
    """
    if database.dialect != "postgresql":
        raise ChargePointNotConnectedError(
            f"cannot reach charge point {charge_point_id} from here: on a SQLite book only "
            "the serving process can command it (use the operator's OCPP page of `chargebook "
            "serve`)",
            charge_point_id=charge_point_id,
        )
    node = ClusterNode(database.libpq_url(), timeout_s=timeout_s)
    await node.start_caller()
    try:
        return await node.call(charge_point_id, op, args)
    finally:
        await node.close()


def cluster_for(database: Database, timeout_s: float) -> ClusterNode | None:
    """A cluster node for a PostgreSQL book; None on SQLite (one process, nothing to route)."""
    if database.dialect != "postgresql":
        return None
    return ClusterNode(database.libpq_url(), timeout_s=timeout_s)
