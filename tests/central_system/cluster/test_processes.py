"""Several central-system processes on one PostgreSQL book (issue 20): process A is a real
`chargebook ocpp serve` subprocess, process B a `CentralSystem` in the test with its own
engine. A command through B's control port reaches a charger on A and its answer returns; a
charger reconnecting to B takes over (A closes its socket); A killed with SIGKILL
mid-transaction loses nothing and doubles nothing when the charger finishes on B."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from websockets.asyncio.client import ClientConnection, connect

from chargebook.central_system import CentralSystem
from chargebook.central_system.cluster import cluster_for, routed_commands
from chargebook.central_system.control import OcppControl
from chargebook.clock import FixedClock, SystemClock
from chargebook.db import ChargerRepository, Database, SessionRepository
from chargebook.db.core.engine import create_book_engine
from chargebook.db.core.testing import PostgresScratch
from chargebook.domain import ChargerSource
from chargebook.settings import Settings

from ..helpers import CP_ID, SECRET, basic, exchange, register

pytestmark = pytest.mark.postgres


class ZeroMeter:
    async def live(self, charge_point_id: str) -> tuple[float, float]:
        return 0.0, 0.0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def book_url(postgres_scratch: PostgresScratch, clock: FixedClock) -> str:
    url = postgres_scratch.new_schema_url()
    database = Database(create_book_engine(url))
    database.upgrade()
    register(database, clock, CP_ID)
    database.dispose()
    return url


@pytest.fixture
def process_a(book_url: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    port = _free_port()
    env = {**os.environ, "CHARGEBOOK_DATABASE_URL": book_url}
    log = (tmp_path / "a.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chargebook",
            "ocpp",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((tmp_path / "a.log").read_text()) from None
            time.sleep(0.2)
    yield process, port
    if process.poll() is None:
        process.terminate()
        process.wait(10)
    log.close()


@pytest.fixture
async def process_b(book_url: str) -> AsyncIterator[tuple[CentralSystem, Database, int]]:
    database = Database(create_book_engine(book_url))
    cluster = cluster_for(database, 3.0)
    assert cluster is not None  # PostgreSQL: a cluster node
    central = CentralSystem(
        Settings(), database, clock=SystemClock(), response_timeout_s=3.0, cluster=cluster
    )
    port = await central.start("127.0.0.1", 0)
    yield central, database, port
    await central.close()
    database.dispose()


async def _open(port: int) -> ClientConnection:
    return await connect(
        f"ws://127.0.0.1:{port}/ocpp/{CP_ID}",
        subprotocols=["ocpp1.6"],  # type: ignore[list-item]
        additional_headers=basic(CP_ID, SECRET),
    )


async def _answer_one_call(ws: ClientConnection) -> list[Any]:
    """Receive one CALL from the central system and accept it."""
    frame = json.loads(await ws.recv())
    await ws.send(json.dumps([3, frame[1], {"status": "Accepted"}]))
    return list(frame)


async def test_a_command_through_b_reaches_the_charger_on_a_and_returns(
    process_a: tuple[subprocess.Popen[bytes], int],
    process_b: tuple[CentralSystem, Database, int],
) -> None:
    _a, port_a = process_a
    central_b, _db, _port_b = process_b
    control = OcppControl(routed_commands(central_b), ZeroMeter(), SystemClock())
    async with await _open(port_a) as ws:
        await exchange(
            ws, [2, "b1", "BootNotification", {"chargePointVendor": "V", "chargePointModel": "M"}]
        )
        await exchange(
            ws,
            [
                2,
                "s1",
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Charging"},
            ],
        )
        assert not central_b.is_connected(CP_ID)  # held by A only
        command = asyncio.create_task(control.set_current(CP_ID, 10))
        call = await asyncio.wait_for(_answer_one_call(ws), 10)
        await asyncio.wait_for(command, 10)  # A's answer came back to B
        assert call[2] == "SetChargingProfile"
        limit = call[3]["csChargingProfiles"]["chargingSchedule"]["chargingSchedulePeriod"]
        assert limit[0]["limit"] == 10.0
        status = await control.read(CP_ID)  # asked of A, the holder
        assert status.car_connected
        assert status.state.value == "charging"
        assert control.capabilities(CP_ID).system == "OCPP 1.6"


async def test_a_charger_reconnecting_to_b_takes_over_and_a_closes_its_socket(
    process_a: tuple[subprocess.Popen[bytes], int],
    process_b: tuple[CentralSystem, Database, int],
) -> None:
    _a, port_a = process_a
    central_b, _db, port_b = process_b
    old = await _open(port_a)
    assert (await exchange(old, [2, "h1", "Heartbeat", {}]))[0] == 3
    async with await _open(port_b) as new:
        assert (await exchange(new, [2, "h2", "Heartbeat", {}]))[0] == 3
        async with asyncio.timeout(10):
            await old.wait_closed()  # A heard of B's newer claim and let go
        assert old.close_code == 1000
        assert central_b.is_connected(CP_ID)
        # Now B holds it: a command from B goes straight to the socket on B.
        command = asyncio.create_task(routed_commands(central_b).reset(CP_ID))
        call = await asyncio.wait_for(_answer_one_call(new), 10)
        await command
        assert call[2] == "Reset"


def _sessions(database: Database) -> list[Any]:
    with database.session() as session:
        charger = ChargerRepository(session, SystemClock()).find(ChargerSource.OCPP, CP_ID)
        assert charger is not None
        return SessionRepository(session).list(charger_id=charger.id, newest_first=False)


def _meter(uid: str, tx: int, at: str, wh: int) -> list[Any]:
    sampled = [{"measurand": "Energy.Active.Import.Register", "unit": "Wh", "value": str(wh)}]
    payload = {
        "connectorId": 1,
        "transactionId": tx,
        "meterValue": [{"timestamp": at, "sampledValue": sampled}],
    }
    return [2, uid, "MeterValues", payload]


async def test_a_killed_process_loses_and_doubles_nothing(
    process_a: tuple[subprocess.Popen[bytes], int],
    process_b: tuple[CentralSystem, Database, int],
) -> None:
    a, port_a = process_a
    central_b, database, port_b = process_b
    start = [
        2,
        "t1",
        "StartTransaction",
        {"connectorId": 1, "idTag": "T", "meterStart": 1000, "timestamp": "2026-03-10T18:00:00Z"},
    ]
    ws = await _open(port_a)
    tx = (await exchange(ws, start))[2]["transactionId"]
    await exchange(ws, _meter("m1", tx, "2026-03-10T18:10:00Z", 2000))
    a.send_signal(signal.SIGKILL)  # mid-transaction, no goodbye
    a.wait(10)
    async with asyncio.timeout(10):
        await ws.wait_closed()
    async with await _open(port_b) as ws:
        # The charger did not see the answer to its last message: it sends it again, then
        # the StartTransaction too (a charger that lost the answer does); nothing doubles.
        await exchange(ws, _meter("m1", tx, "2026-03-10T18:10:00Z", 2000))
        assert (await exchange(ws, start))[2]["transactionId"] == tx
        await exchange(ws, _meter("m2", tx, "2026-03-10T18:20:00Z", 3000))
        stop = [
            2,
            "t2",
            "StopTransaction",
            {"transactionId": tx, "meterStop": 4000, "timestamp": "2026-03-10T18:30:00Z"},
        ]
        assert (await exchange(ws, stop))[0] == 3
        assert central_b.is_connected(CP_ID)
        assert central_b.cluster is not None
        assert await central_b.cluster.holder(CP_ID) == central_b.cluster.node_id
    [session] = _sessions(database)
    assert session.energy_kwh == Decimal("3.000000")
