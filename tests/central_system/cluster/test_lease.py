"""A node that stops heartbeating (killed: no goodbye) loses its chargers after the lease, so
commands for them fail at once as "not connected" instead of waiting for a dead process; a
node that leaves cleanly clears its rows at once. Two nodes on one PostgreSQL book, without
sockets (the sockets' side is test_processes.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

import pytest

from chargebook.central_system.cluster.node import ClusterNode
from chargebook.central_system.exceptions import ChargePointNotConnectedError
from chargebook.db import Database

pytestmark = pytest.mark.postgres


class NoWriter:
    def forget_open_transactions(self, charge_point_id: str | None = None) -> None:
        pass


class NoSockets:
    """A central system holding no socket (claims are made by hand here)."""

    writer = NoWriter()

    def is_connected(self, charge_point_id: str) -> bool:
        return False

    def charge_point(self, charge_point_id: str) -> Any:
        raise AssertionError("no socket here")

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        coroutine.close()


def _node(database: Database, **kwargs: float) -> ClusterNode:
    return ClusterNode(database.libpq_url(), timeout_s=1.0, **kwargs)


async def test_a_silent_node_loses_its_chargers_after_the_lease(pg_book: Database) -> None:
    database = pg_book
    a = _node(database, heartbeat_s=0.2, lease_s=1.0)
    b = _node(database, heartbeat_s=0.2, lease_s=1.0)
    await a.start(NoSockets())
    await b.start(NoSockets())
    try:
        await a.claimed("CP-9", "1.6")
        assert await b.holder("CP-9") == a.node_id
        for task in list(a._tasks):  # A freezes: no heartbeat, no goodbye
            task.cancel()
        await asyncio.sleep(1.5)
        assert await b.holder("CP-9") is None
        with pytest.raises(ChargePointNotConnectedError):
            await b.call("CP-9", "reset", {})
    finally:
        await b.close()
        await a._bus.close()


async def test_a_node_that_leaves_clears_its_rows_at_once(pg_book: Database) -> None:
    database = pg_book
    a = _node(database)
    b = _node(database)
    await a.start(NoSockets())
    await b.start(NoSockets())
    try:
        epoch = await a.claimed("CP-8", "2.0.1")
        assert await b.holder("CP-8") == a.node_id
        await a.close()
        assert await b.holder("CP-8") is None
        # B's claim continues the epoch, so a late release by A could not clear it.
        assert await b.claimed("CP-8", "1.6") == epoch + 1
        assert await b.holder("CP-8") == b.node_id
    finally:
        await b.close()
