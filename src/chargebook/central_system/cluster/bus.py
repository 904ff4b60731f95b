"""PostgreSQL as a message bus: one autocommit connection LISTENs (its notifications are
handed to a callback), another sends NOTIFYs and runs the registry's statements.

LISTEN is per session, so neither connection can come from a pool; psycopg's
`AsyncConnection.notifies()` generator must own its connection, which is why sending uses the
second one. A NOTIFY payload must stay under 8000 bytes (PostgreSQL's default): the command
messages here are a few hundred.

Both connections outlive a PostgreSQL restart or a killed backend. The listener's loss ends
its `notifies()` generator with an `OperationalError`; the bus then reconnects with backoff,
LISTENs again and calls `on_reconnect` (the node re-asserts what it holds), logging the outage
once, not per attempt. Notifications sent while nobody listened are gone (PostgreSQL keeps
none for a session that is not there), so a command sent meanwhile times out for its caller:
it is never run late or twice. The sending connection is reopened by the next statement after
it broke; a statement that was running when it broke is not repeated (a NOTIFY may or may not
have been committed) but fails with `BusDownError`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

LOG = logging.getLogger("chargebook.central_system.cluster")
FIRST_RETRY_S = 0.2
LAST_RETRY_S = 5.0


class BusDownError(Exception):
    """The bus's PostgreSQL connection is lost (the node is reconnecting). `maybe_applied`:
    it broke while a statement ran, without PostgreSQL's answer, so that statement may have
    been committed; False when PostgreSQL answered with an error (nothing was committed:
    an autocommit statement that fails, e.g. on a killed backend's 57P01, rolls back)."""

    def __init__(self, message: str, *, maybe_applied: bool = False) -> None:
        super().__init__(message)
        self.maybe_applied = maybe_applied


class PgBus:
    """`await connect()`, `await listen(channels, ...)`, `notify`, `fetch`, `close()`."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._listener: psycopg.AsyncConnection[Any] | None = None
        self._sender: psycopg.AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None
        self._channels: Sequence[str] = ()
        self.listening = False  # False from a lost listener until it is back and re-asserted
        self.outages = 0

    async def _open(self) -> psycopg.AsyncConnection[Any]:
        # TCP keepalives, so a connection that died silently (a cut network, not a restart)
        # is noticed in about half a minute instead of the kernel's two hours.
        conninfo = make_conninfo(
            self._conninfo,
            keepalives=1,
            keepalives_idle=10,
            keepalives_interval=5,
            connect_timeout=5,
        )
        return await psycopg.AsyncConnection.connect(conninfo, autocommit=True)

    async def connect(self) -> None:
        self._sender = await self._open()

    async def listen(
        self,
        channels: Sequence[str],
        on_notify: Callable[[str, str], None],
        *,
        on_lost: Callable[[], None] = lambda: None,
        on_reconnect: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """LISTEN on `channels` (after `connect`); `on_notify(channel, payload)` per message.
        When the listening connection is lost: `on_lost()` at once, then, once it is back and
        listening again, `await on_reconnect()` before `listening` is True again."""
        self._channels = channels
        await self._open_listener()
        self.listening = True
        loop = asyncio.get_running_loop()
        self._task = loop.create_task(self._supervise(on_notify, on_lost, on_reconnect))

    async def _open_listener(self) -> None:
        listener = await self._open()
        try:
            for channel in self._channels:
                await listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        except BaseException:
            await listener.close()
            raise
        self._listener = listener

    async def _supervise(
        self,
        on_notify: Callable[[str, str], None],
        on_lost: Callable[[], None],
        on_reconnect: Callable[[], Awaitable[None]] | None,
    ) -> None:
        while True:
            reason = await self._receive(on_notify)
            self.listening = False
            self.outages += 1
            LOG.warning("cluster bus lost its PostgreSQL connection (%s); reconnecting", reason)
            on_lost()
            started = time.monotonic()
            attempts = await self._reconnect(on_reconnect)
            self.listening = True
            LOG.warning(
                "cluster bus reconnected to PostgreSQL after %.1f s (%d attempts)",
                time.monotonic() - started,
                attempts,
            )

    async def _receive(self, on_notify: Callable[[str, str], None]) -> str:
        """Hand notifications to `on_notify` until the listener is lost; why it was."""
        assert self._listener is not None
        try:
            async for notify in self._listener.notifies():
                try:
                    on_notify(notify.channel, notify.payload)
                except Exception:  # one bad message must not stop the node listening
                    LOG.exception("cluster message on %s could not be handled", notify.channel)
        except psycopg.Error as exc:
            return str(exc).strip() or type(exc).__name__
        finally:
            await self._listener.close()
        return "the listening connection ended"

    async def _reconnect(self, on_reconnect: Callable[[], Awaitable[None]] | None) -> int:
        """Listen again and re-assert, with backoff until it works; the attempts it took.
        One line per outage: the attempts in between are logged at debug level only."""
        delay, attempts = FIRST_RETRY_S, 0
        while True:
            attempts += 1
            try:
                await self._open_listener()
                if on_reconnect is not None:
                    await on_reconnect()
                return attempts
            except (psycopg.Error, OSError, BusDownError) as exc:
                LOG.debug("cluster bus reconnect attempt %d failed: %s", attempts, exc)
                await self._listener_closed()
            except Exception:  # a bug in `on_reconnect`: keep trying, but say so
                LOG.exception("cluster bus reconnect attempt %d failed", attempts)
                await self._listener_closed()
            await asyncio.sleep(delay)
            delay = min(delay * 2, LAST_RETRY_S)

    async def _listener_closed(self) -> None:
        if self._listener is not None:
            await self._listener.close()

    async def fetch(
        self, query: str, params: Sequence[Any] | Mapping[str, Any] = (), *, again: bool = False
    ) -> list[tuple[Any, ...]]:
        """Run one statement on the sending connection; its rows (none for a bare UPDATE).
        A connection found broken by the statement is reopened and the statement run once
        more if it surely did not take effect, or if it may run twice (`again`: a heartbeat,
        a lookup); a NOTIFY is never sent twice.

        Raises:
            BusDownError: the connection is lost and could not be reopened, or broke while
                the statement ran (it is not repeated unless `again`: it may have taken effect).
        """
        try:
            return await self._fetch_once(query, params)
        except BusDownError as exc:
            if exc.maybe_applied and not again:
                raise
            return await self._fetch_once(query, params)

    async def _fetch_once(
        self, query: str, params: Sequence[Any] | Mapping[str, Any]
    ) -> list[tuple[Any, ...]]:
        async with self._lock:
            sender = self._sender
            if sender is None or sender.closed:
                try:
                    sender = self._sender = await self._open()
                except (psycopg.Error, OSError) as exc:
                    raise BusDownError(str(exc).strip()) from exc
            try:
                cursor = await sender.execute(query, params)
                return await cursor.fetchall() if cursor.description else []
            except psycopg.OperationalError as exc:
                if not sender.broken and not sender.closed:
                    raise  # an error of the statement, not of the connection
                await sender.close()
                applied = exc.sqlstate is None  # no answer from PostgreSQL: it may have run
                raise BusDownError(str(exc).strip(), maybe_applied=applied) from exc

    async def notify(self, channel: str, payload: str) -> None:
        await self.fetch("SELECT pg_notify(%s, %s)", (channel, payload))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for connection in (self._listener, self._sender):
            if connection is not None:
                await connection.close()
