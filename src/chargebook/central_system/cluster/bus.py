"""PostgreSQL as a message bus: one autocommit connection LISTENs (its notifications are
handed to a callback), another sends NOTIFYs and runs the registry's statements.

LISTEN is per session, so neither connection can come from a pool; psycopg's
`AsyncConnection.notifies()` generator must own its connection, which is why sending uses the
second one. A NOTIFY payload must stay under 8000 bytes (PostgreSQL's default): the command
messages here are a few hundred.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql

LOG = logging.getLogger("chargebook.central_system.cluster")


class PgBus:
    """`await connect()`, `await listen(channels, on_notify)`, `notify`, `fetch`, `close()`."""

    def __init__(self, conninfo: str) -> None:
        self._conninfo = conninfo
        self._listener: psycopg.AsyncConnection[Any] | None = None
        self._sender: psycopg.AsyncConnection[Any] | None = None
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        self._sender = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)

    async def listen(self, channels: Sequence[str], on_notify: Callable[[str, str], None]) -> None:
        """LISTEN on `channels` (after `connect`); `on_notify(channel, payload)` per message."""
        self._listener = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
        for channel in channels:
            await self._listener.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
        self._task = asyncio.get_running_loop().create_task(self._receive(on_notify))

    async def _receive(self, on_notify: Callable[[str, str], None]) -> None:
        assert self._listener is not None
        try:
            async for notify in self._listener.notifies():
                try:
                    on_notify(notify.channel, notify.payload)
                except Exception:  # one bad message must not stop the node listening
                    LOG.exception("cluster message on %s could not be handled", notify.channel)
        except psycopg.OperationalError as exc:
            LOG.error("cluster listener lost its PostgreSQL connection: %s", exc)

    async def fetch(
        self, query: str, params: Sequence[Any] | Mapping[str, Any] = ()
    ) -> list[tuple[Any, ...]]:
        """Run one statement on the sending connection; its rows (none for a bare UPDATE)."""
        assert self._sender is not None, "start() first"
        async with self._lock:
            cursor = await self._sender.execute(query, params)
            return await cursor.fetchall() if cursor.description else []

    async def notify(self, channel: str, payload: str) -> None:
        await self.fetch("SELECT pg_notify(%s, %s)", (channel, payload))

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        for connection in (self._listener, self._sender):
            if connection is not None:
                await connection.close()
