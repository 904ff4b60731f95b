"""Exact frames in, exact replies out: the central system over a raw websockets client."""

from __future__ import annotations

from decimal import Decimal

from chargebook.central_system import CentralSystem
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SampleRepository, SessionRepository
from chargebook.domain import ChargerSource

from .helpers import CP_ID, exchange, open_raw

BOOT = [
    2,
    "1",
    "BootNotification",
    {
        "chargePointVendor": "Wall Box Chargers",
        "chargePointModel": "PUP1-U-1-6",
        "firmwareVersion": "6.6.15",
        "meterType": "Internal NON compliant",
    },
]


async def test_boot_heartbeat_status_and_a_full_transaction(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        assert await exchange(ws, BOOT) == [
            3,
            "1",
            {"currentTime": "2026-03-10T18:00:00Z", "interval": 300, "status": "Accepted"},
        ]
        assert await exchange(ws, [2, "2", "Heartbeat", {}]) == [
            3,
            "2",
            {"currentTime": "2026-03-10T18:00:00Z"},
        ]
        assert await exchange(
            ws,
            [
                2,
                "3",
                "StatusNotification",
                {"connectorId": 1, "errorCode": "NoError", "status": "Charging"},
            ],
        ) == [3, "3", {}]
        start = await exchange(
            ws,
            [
                2,
                "4",
                "StartTransaction",
                {
                    "connectorId": 1,
                    "idTag": "LOCAL",
                    "meterStart": 1254360,
                    "timestamp": "2026-03-10T18:06:05Z",
                },
            ],
        )
        assert start[:2] == [3, "4"]
        transaction_id = start[2]["transactionId"]
        assert start[2] == {"transactionId": transaction_id, "idTagInfo": {"status": "Accepted"}}
        meter = [
            2,
            "5",
            "MeterValues",
            {
                "connectorId": 1,
                "transactionId": transaction_id,
                "meterValue": [
                    {
                        "timestamp": "2026-03-10T18:16:05Z",
                        "sampledValue": [
                            {
                                "measurand": "Energy.Active.Import.Register",
                                "unit": "Wh",
                                "value": "1255580",
                            },
                            {"measurand": "Power.Active.Import", "unit": "W", "value": "7360"},
                        ],
                    }
                ],
            },
        ]
        assert await exchange(ws, meter) == [3, "5", {}]
        stop = [
            2,
            "6",
            "StopTransaction",
            {
                "transactionId": transaction_id,
                "meterStop": 1268360,
                "timestamp": "2026-03-10T20:06:05Z",
                "reason": "EVDisconnected",
            },
        ]
        assert await exchange(ws, stop) == [3, "6", {"idTagInfo": {"status": "Accepted"}}]

    with database.session() as session:
        charger = ChargerRepository(session, clock).find(ChargerSource.OCPP, CP_ID)
        assert charger is not None
        assert charger.charger.model == "PUP1-U-1-6"
        assert charger.charger.firmware_version == "6.6.15"
        assert charger.charger.mid.enabled is False
        sessions = SessionRepository(session).list(charger_id=charger.id)
        assert len(sessions) == 1
        book = sessions[0]
        assert book.source is ChargerSource.OCPP
        assert book.external_id == f"{CP_ID}:{transaction_id}"
        assert book.energy_kwh == Decimal("14.000000")
        assert (book.meter_start_wh, book.meter_stop_wh) == (1254360, 1268360)
        raw = SessionRepository(session).get_raw_payload(book.id)
        assert [frame[2] for frame in raw["frames"]] == [
            "StartTransaction",
            "MeterValues",
            "StopTransaction",
        ]
        samples = SampleRepository(session).list_for_session(book.id)
        assert [(s.power_kw, s.energy_kwh) for s in samples] == [(7.36, 1.22)]
