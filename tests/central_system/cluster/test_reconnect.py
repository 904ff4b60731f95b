"""A node survives losing PostgreSQL (issue 20): its backends are killed with
`pg_terminate_backend` (what a PostgreSQL restart does to every client), it reconnects, LISTENs
again and re-asserts its lease and connections, so a command routed through the other node
reaches a charger it holds again. Commands sent while it was away time out for their caller
and never arrive late; a charger taken over meanwhile is closed on its return.

Two `CentralSystem`s in the test, A and B, each with its own engine and node; A's connections
carry an `application_name` of their own, so only they are killed (a role may terminate its
own backends without `pg_signal_backend`). An outage that lasts is made by pointing A's bus at
a closed port while its backends are killed."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from websockets.asyncio.client import ClientConnection, connect

from chargebook.central_system import CentralSystem
from chargebook.central_system.cluster import cluster_for, routed_commands
from chargebook.central_system.exceptions import ChargePointNotConnectedError, CommandTimeoutError
from chargebook.clock import FixedClock, SystemClock
from chargebook.db import Database
from chargebook.db.core.engine import create_book_engine
from chargebook.db.core.testing import PostgresScratch
from chargebook.settings import Settings

from ..helpers import CP_ID, SECRET, basic, exchange, register

pytestmark = pytest.mark.postgres
STATUS = [
    2,
    "s1",
    "StatusNotification",
    {"connectorId": 1, "errorCode": "NoError", "status": "Charging"},
]


@pytest.fixture
def book_url(postgres_scratch: PostgresScratch, clock: FixedClock) -> str:
    url = postgres_scratch.new_schema_url()
    database = Database(create_book_engine(url))
    database.upgrade()
    register(database, clock, CP_ID)
    database.dispose()
    return url


async def _central(url: str) -> tuple[CentralSystem, Database, int]:
    database = Database(create_book_engine(url))
    cluster = cluster_for(database, 2.0)
    assert cluster is not None
    central = CentralSystem(
        Settings(), database, clock=SystemClock(), response_timeout_s=2.0, cluster=cluster
    )
    return central, database, await central.start("127.0.0.1", 0)


@pytest.fixture
def app_name() -> str:
    return f"cbt-node-a-{secrets.token_hex(4)}"


@pytest.fixture
async def nodes(
    book_url: str, app_name: str
) -> AsyncIterator[tuple[tuple[CentralSystem, int], tuple[CentralSystem, int]]]:
    url_a = make_url(book_url).update_query_dict({"application_name": app_name})
    a, db_a, port_a = await _central(url_a.render_as_string(hide_password=False))
    b, db_b, port_b = await _central(book_url)
    yield (a, port_a), (b, port_b)
    for central, database in ((b, db_b), (a, db_a)):
        await central.close()
        database.dispose()


def _kill_backends(book_url: str, app_name: str) -> int:
    """Terminate every backend of node A (its bus and its engine's pool); how many."""
    engine = create_book_engine(book_url)
    try:
        with engine.connect() as connection:
            killed = connection.execute(
                text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                    "FROM pg_stat_activity WHERE application_name = :name"
                ),
                {"name": app_name},
            ).scalar_one()
    finally:
        engine.dispose()
    return int(killed)


async def _until(condition: Callable[[], bool], seconds: float = 15.0) -> None:
    async with asyncio.timeout(seconds):
        while not condition():  # noqa: ASYNC110  (the bus has no event to wait on)
            await asyncio.sleep(0.05)


async def _open(port: int) -> ClientConnection:
    return await connect(
        f"ws://127.0.0.1:{port}/ocpp/{CP_ID}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic(CP_ID, SECRET),
    )


async def _answer_one_call(ws: ClientConnection) -> list[Any]:
    frame = json.loads(await ws.recv())
    await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
    return list(frame)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # nothing listens there once closed


def _unreachable(book_url: str) -> str:
    """The book's libpq URL with a port where nothing listens (connection refused)."""
    url = make_url(book_url).set(drivername="postgresql", port=_closed_port())
    return url.render_as_string(hide_password=False)


async def test_after_its_backends_are_killed_a_node_takes_routed_commands_again(
    nodes: tuple[tuple[CentralSystem, int], tuple[CentralSystem, int]],
    book_url: str,
    app_name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (a, port_a), (b, _port_b) = nodes
    assert a.cluster is not None
    assert b.cluster is not None
    caplog.set_level(logging.INFO, logger="chargebook.central_system.cluster")
    async with await _open(port_a) as ws:
        assert (await exchange(ws, STATUS))[0] == 3
        assert _kill_backends(book_url, app_name) >= 2  # at least its two bus connections
        await _until(lambda: a.cluster is not None and a.cluster._bus.outages == 1)
        await _until(lambda: a.cluster is not None and a.cluster._bus.listening)
        # A's pool lost its connections too: the charger's next message is still booked.
        assert (await exchange(ws, STATUS))[0] == 3
        command = asyncio.create_task(routed_commands(b).reset(CP_ID))
        call = await asyncio.wait_for(_answer_one_call(ws), 10)
        await asyncio.wait_for(command, 10)  # and A's answer came back to B
        assert call[2] == "Reset"
        assert await b.cluster.holder(CP_ID) == a.cluster.node_id
    # One outage, told once: when it began and when it ended (the heartbeat says nothing).
    warned = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warned) == 2, warned
    assert "lost its PostgreSQL connection" in warned[0]
    assert "reconnected to PostgreSQL" in warned[1]


async def test_a_long_outage_is_logged_once_and_its_commands_never_arrive_late(
    nodes: tuple[tuple[CentralSystem, int], tuple[CentralSystem, int]],
    book_url: str,
    app_name: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    (a, port_a), (b, _port_b) = nodes
    assert a.cluster is not None
    bus = a.cluster._bus
    caplog.set_level(logging.DEBUG, logger="chargebook.central_system.cluster")
    async with await _open(port_a) as ws:
        assert (await exchange(ws, STATUS))[0] == 3
        reachable = bus._conninfo
        bus._conninfo = _unreachable(book_url)
        _kill_backends(book_url, app_name)
        await _until(lambda: bus.outages == 1)
        # Sent while A is away: the caller is told it timed out, and A never runs it later.
        with pytest.raises(CommandTimeoutError):
            await routed_commands(b).reset(CP_ID)
        with pytest.raises(CommandTimeoutError, match="not sent"):  # A knows it is cut off
            await a.cluster.call(CP_ID, "reset", {})
        await asyncio.sleep(1.0)  # a few reconnect attempts fail
        bus._conninfo = reachable
        await _until(lambda: bus.listening)
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(ws.recv(), 1.0)
    messages = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert sum("lost its PostgreSQL connection" in m for m in messages) == 1
    [back] = [m for m in messages if "reconnected to PostgreSQL" in m]
    assert int(back.split("(")[1].split()[0]) > 1  # several attempts, one line


async def test_a_charger_taken_over_during_the_outage_is_closed_on_return(
    nodes: tuple[tuple[CentralSystem, int], tuple[CentralSystem, int]],
    book_url: str,
    app_name: str,
) -> None:
    (a, port_a), (b, port_b) = nodes
    assert a.cluster is not None
    assert b.cluster is not None
    bus = a.cluster._bus
    old = await _open(port_a)
    assert (await exchange(old, STATUS))[0] == 3
    reachable = bus._conninfo
    bus._conninfo = _unreachable(book_url)
    _kill_backends(book_url, app_name)
    await _until(lambda: bus.outages == 1)
    async with await _open(port_b) as new:  # B's claim: A is not listening for it
        assert (await exchange(new, STATUS))[0] == 3
        assert not old.close_code
        bus._conninfo = reachable
        async with asyncio.timeout(15):
            await old.wait_closed()  # A saw on its return that B holds it now
        assert old.close_code == 1000
        assert await b.cluster.holder(CP_ID) == b.cluster.node_id  # and did not take it back


async def test_a_command_and_its_answer_survive_killed_sending_connections(
    nodes: tuple[tuple[CentralSystem, int], tuple[CentralSystem, int]], book_url: str
) -> None:
    """Only the connections that send NOTIFYs die (the listeners live on): B's command and
    A's answer each find theirs dead, get PostgreSQL's 57P01 (nothing was sent), and go out
    once on a new connection."""
    (a, port_a), (b, _port_b) = nodes
    assert a.cluster is not None
    assert b.cluster is not None
    async with await _open(port_a) as ws:
        assert (await exchange(ws, STATUS))[0] == 3
        senders = [node._bus._sender for node in (a.cluster, b.cluster)]
        pids = [sender.info.backend_pid for sender in senders if sender is not None]
        engine = create_book_engine(book_url)
        with engine.connect() as connection:
            for pid in pids:
                connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        engine.dispose()
        command = asyncio.create_task(routed_commands(b).reset(CP_ID))
        call = await asyncio.wait_for(_answer_one_call(ws), 10)
        await asyncio.wait_for(command, 10)
        assert call[2] == "Reset"
        assert a.cluster._bus.outages == b.cluster._bus.outages == 0


async def test_a_charger_that_left_during_the_outage_is_released_on_return(
    nodes: tuple[tuple[CentralSystem, int], tuple[CentralSystem, int]],
    book_url: str,
    app_name: str,
) -> None:
    """Its release could not be written while PostgreSQL was away; on its return A clears
    the row, so commands for that charger fail at once as not connected, not after a wait."""
    (a, port_a), (b, _port_b) = nodes
    assert a.cluster is not None
    assert b.cluster is not None
    bus = a.cluster._bus
    async with await _open(port_a) as ws:
        assert (await exchange(ws, STATUS))[0] == 3
        reachable = bus._conninfo
        bus._conninfo = _unreachable(book_url)
        _kill_backends(book_url, app_name)
        await _until(lambda: bus.outages == 1)
    await _until(lambda: not a.is_connected(CP_ID))
    bus._conninfo = reachable
    await _until(lambda: bus.listening)
    assert await b.cluster.holder(CP_ID) is None
    with pytest.raises(ChargePointNotConnectedError):
        await routed_commands(b).reset(CP_ID)


async def test_a_caller_whose_listener_dies_is_told_at_once(
    nodes: tuple[tuple[CentralSystem, int], tuple[CentralSystem, int]], book_url: str
) -> None:
    """B waits for A's answer when B's own listening connection dies: the answer could no
    longer reach it, so the call fails now (saying the command may have run), not after the
    timeout."""
    (_a, port_a), (b, _port_b) = nodes
    assert b.cluster is not None
    async with await _open(port_a) as ws:
        assert (await exchange(ws, STATUS))[0] == 3
        command = asyncio.create_task(routed_commands(b).reset(CP_ID))
        assert json.loads(await asyncio.wait_for(ws.recv(), 10))[2] == "Reset"  # unanswered
        listener = b.cluster._bus._listener
        assert listener is not None
        engine = create_book_engine(book_url)
        with engine.connect() as connection:
            pid = listener.info.backend_pid
            connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        engine.dispose()
        with pytest.raises(CommandTimeoutError, match="may or may not"):
            await asyncio.wait_for(command, 1.5)  # the timeout would be 2 s + 1 s
