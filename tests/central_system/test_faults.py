"""Faults: malformed frames, unknown actions, refused handshakes, duplicate and out-of-order
messages, disconnects mid-transaction, a second connection with the same id."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus

from chargebook.central_system import CentralSystem
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SampleRepository, SessionRepository
from chargebook.domain import ChargerSource
from chargebook.settings import Settings

from .helpers import CP_ID, SECRET, exchange, open_raw, register


def _start(uid: str, meter_start: int = 1000, at: str = "2026-03-10T18:00:00Z") -> list[Any]:
    payload = {"connectorId": 1, "idTag": "T", "meterStart": meter_start, "timestamp": at}
    return [2, uid, "StartTransaction", payload]


def _meter(uid: str, tx: int, at: str, wh: int, w: int = 7000) -> list[Any]:
    sampled = [
        {"measurand": "Energy.Active.Import.Register", "unit": "Wh", "value": str(wh)},
        {"measurand": "Power.Active.Import", "unit": "W", "value": str(w)},
    ]
    payload = {
        "connectorId": 1,
        "transactionId": tx,
        "meterValue": [{"timestamp": at, "sampledValue": sampled}],
    }
    return [2, uid, "MeterValues", payload]


def _stop(uid: str, tx: int, meter_stop: int, at: str) -> list[Any]:
    payload = {"transactionId": tx, "meterStop": meter_stop, "timestamp": at}
    return [2, uid, "StopTransaction", payload]


def _book(database: Database, clock: FixedClock) -> list[Any]:
    with database.session() as session:
        charger = ChargerRepository(session, clock).find(ChargerSource.OCPP, CP_ID)
        assert charger is not None
        return SessionRepository(session).list(charger_id=charger.id, newest_first=False)


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        pytest.param("this is not json", [4, "-1", "FormatViolation"], id="not-json"),
        pytest.param('{"a": 1}', [4, "-1", "ProtocolError"], id="not-a-list"),
        pytest.param('[2, "m1"]', [4, "m1", "ProtocolError"], id="missing-elements"),
        pytest.param(
            '[2, "m2", "Heartbeat", {"bogus": 1}]', [4, "m2", "FormatViolation"], id="bad-payload"
        ),
        pytest.param(
            '[2, "m3", "StartTransaction", {"connectorId": 1}]',
            [4, "m3", "ProtocolError"],
            id="missing-required-field",
        ),
        pytest.param('[2, "m4", "FooBar", {}]', [4, "m4", "NotImplemented"], id="unknown-action"),
        pytest.param(
            '[2, "m5", "GetConfiguration", {}]', [4, "m5", "NotImplemented"], id="cs-only-action"
        ),
    ],
)
async def test_bad_frames_get_a_callerror_and_the_connection_stays_up(
    central: CentralSystem, frame: str, expected: list[Any]
) -> None:
    async with await open_raw(central) as ws:
        reply = await exchange(ws, frame)
        assert reply[:3] == expected
        assert len(reply) == 5
        assert isinstance(reply[3], str)
        assert isinstance(reply[4], dict)
        assert await exchange(ws, [2, "after", "Heartbeat", {}]) == [
            3,
            "after",
            {"currentTime": "2026-03-10T18:00:00Z"},
        ]


async def test_an_oversized_frame_closes_with_1009(central: CentralSystem) -> None:
    async with await open_raw(central) as ws:
        await ws.send(
            json.dumps([2, "big", "DataTransfer", {"vendorId": "x", "data": "x" * 70_000}])
        )
        with pytest.raises(ConnectionClosed) as closed:
            await ws.recv()
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1009


@pytest.mark.parametrize(
    ("options", "status"),
    [
        pytest.param({"password": SECRET + "x"}, 401, id="wrong-password"),
        pytest.param({"password": None}, 401, id="no-password"),
        pytest.param({"password": ""}, 401, id="empty-password-not-allowed"),
        pytest.param({"charge_point_id": "UNKNOWN-1"}, 401, id="unknown-id"),
        pytest.param({"subprotocols": ["ocpp0.1"]}, 400, id="unknown-subprotocol"),
        pytest.param({"subprotocols": []}, 400, id="no-subprotocol"),
    ],
)
async def test_refused_handshakes(
    central: CentralSystem, options: dict[str, Any], status: int
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        await open_raw(central, **options)
    assert refused.value.response.status_code == status


async def test_empty_password_only_for_a_charger_set_so(
    database: Database, clock: FixedClock, central: CentralSystem
) -> None:
    register(database, clock, "WALLBOX-1", None, allow_empty_password=True)
    async with await open_raw(central, "WALLBOX-1", password="") as ws:
        assert (await exchange(ws, [2, "1", "Heartbeat", {}]))[0] == 3
    async with await open_raw(central, "WALLBOX-1", password=None) as ws:
        assert (await exchange(ws, [2, "1", "Heartbeat", {}]))[0] == 3


async def test_accept_unknown_registers_an_unclaimed_charger(
    database: Database, clock: FixedClock
) -> None:
    system = CentralSystem(Settings(ocpp_accept_unknown=True), database, clock=clock)
    system.port = await system.start("127.0.0.1", 0)  # type: ignore[attr-defined]
    try:
        async with await open_raw(system, "NEW-1", password="tofu-secret-123456") as ws:
            assert (await exchange(ws, [2, "1", "Heartbeat", {}]))[0] == 3
        with pytest.raises(InvalidStatus):  # the first password is now the charger's secret
            await open_raw(system, "NEW-1", password="another-secret-123456")
    finally:
        await system.close()
    with database.session() as session:
        charger = ChargerRepository(session, clock).find(ChargerSource.OCPP, "NEW-1")
        assert charger is not None
        assert charger.owner_user_id is None


async def test_duplicate_stop_is_acknowledged_and_ignored(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        tx = (await exchange(ws, _start("1")))[2]["transactionId"]
        stop = _stop("2", tx, 8000, "2026-03-10T19:00:00Z")
        accepted = [3, "2", {"idTagInfo": {"status": "Accepted"}}]
        assert await exchange(ws, stop) == accepted
        assert await exchange(ws, stop) == accepted
        resent = _stop("3", tx, 9999, "2026-03-10T19:30:00Z")  # a different, later stop
        assert (await exchange(ws, resent))[0] == 3
    [book] = _book(database, clock)
    assert book.energy_kwh == Decimal("7.000000")
    assert book.meter_stop_wh == 8000


async def test_resent_start_gets_the_same_transaction(central: CentralSystem) -> None:
    async with await open_raw(central) as ws:
        first = (await exchange(ws, _start("1")))[2]["transactionId"]
    async with await open_raw(central) as ws:
        assert (await exchange(ws, _start("again")))[2]["transactionId"] == first
        other = (await exchange(ws, _start("2", at="2026-03-10T21:00:00Z")))[2]["transactionId"]
        assert other != first


async def test_meter_values_out_of_order_and_after_the_stop(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        tx = (await exchange(ws, _start("1", meter_start=1000)))[2]["transactionId"]
        await exchange(ws, _meter("3", tx, "2026-03-10T18:20:00Z", 3000))
        await exchange(ws, _meter("2", tx, "2026-03-10T18:10:00Z", 2000))
        await exchange(ws, _stop("4", tx, 5000, "2026-03-10T18:40:00Z"))
        await exchange(ws, _meter("5", tx, "2026-03-10T18:30:00Z", 4000))  # buffered, late
        await exchange(ws, _meter("6", tx, "2026-03-10T18:30:00Z", 4000))  # and resent
    [book] = _book(database, clock)
    with database.session() as session:
        samples = SampleRepository(session).list_for_session(book.id)
    assert [s.energy_kwh for s in samples] == [1.0, 2.0, 3.0]
    assert book.energy_kwh == Decimal("4.000000")


async def test_disconnect_mid_transaction_then_stop_after_reconnect(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    ws = await open_raw(central)
    tx = (await exchange(ws, _start("1", meter_start=500)))[2]["transactionId"]
    await exchange(ws, _meter("2", tx, "2026-03-10T18:10:00Z", 1500))
    await ws.close()
    assert _book(database, clock) == []
    async with await open_raw(central) as ws:
        await exchange(ws, _meter("3", tx, "2026-03-10T18:20:00Z", 2500))  # buffered
        assert (await exchange(ws, _stop("4", tx, 3500, "2026-03-10T18:30:00Z")))[0] == 3
    [book] = _book(database, clock)
    assert book.energy_kwh == Decimal("3.000000")
    with database.session() as session:
        raw = SessionRepository(session).get_raw_payload(book.id)
    assert [f[1] for f in raw["frames"]] == ["1", "2", "3", "4"]


async def test_a_second_connection_with_the_same_id_replaces_the_first(
    central: CentralSystem,
) -> None:
    first = await open_raw(central)
    assert (await exchange(first, [2, "1", "Heartbeat", {}]))[0] == 3
    second = await open_raw(central)
    assert (await exchange(second, [2, "2", "Heartbeat", {}]))[0] == 3
    async with asyncio.timeout(3):
        await first.wait_closed()
    assert first.close_code == 1000
    assert central.connected_ids() == [CP_ID]
    assert central.charge_point(CP_ID)._connection is not None
    await second.close()
