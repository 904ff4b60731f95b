"""Real OCPP frames (tests/fixtures/real/ocpp, see SOURCES there) replayed as raw frames against
the running central system; the book must hold what each real charger meant.

A recorded frame names the transactionId its own central system chose; it is replaced by the id
chargebook assigned to a StartTransaction, or left unknown to chargebook. StartTransaction frames
marked SCAFFOLD are written here, not recorded: they open the transaction the recorded frames
belong to, with the start time Home Assistant OCPP encoded in its transactionId
(`int(time.time())` at StartTransaction) and the meterStart the frames themselves give.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from chargebook.central_system import CentralSystem
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database, SampleRepository, SessionRepository
from chargebook.db.ocpp.batch import run_ocpp_batch
from chargebook.domain import ChargerSource
from chargebook.domain.book import SessionSample

from .helpers import CP_ID, exchange, open_raw

REAL = Path(__file__).parents[1] / "fixtures" / "real" / "ocpp"


def recorded(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


def as_call(payload: dict[str, Any], message_id: str) -> list[Any]:
    """Frame a payload the thread printed without its CALL envelope."""
    return [2, message_id, "MeterValues", payload]


def in_transaction(frame: list[Any], transaction_id: int) -> list[Any]:
    replayed = copy.deepcopy(frame)
    replayed[3]["transactionId"] = transaction_id
    return replayed


def epoch(transaction_id: int) -> str:
    """The StartTransaction time Home Assistant OCPP encoded in its transactionId."""
    moment = datetime.fromtimestamp(transaction_id, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


async def scaffold_start(ws: Any, *, meter_start: int, timestamp: str) -> int:
    """SCAFFOLD (not recorded): open the transaction the recorded frames belong to."""
    payload = {
        "connectorId": 1,
        "idTag": "SCAFFOLD",
        "meterStart": meter_start,
        "timestamp": timestamp,
    }
    reply = await exchange(ws, [2, "scaffold", "StartTransaction", payload])
    transaction_id: int = reply[2]["transactionId"]
    return transaction_id


async def replay(ws: Any, frame: list[Any]) -> list[Any]:
    reply = await exchange(ws, frame)
    assert reply[:2] == [3, frame[1]], reply  # accepted, never a CALLERROR
    return reply


def samples(database: Database, clock: FixedClock) -> list[SessionSample]:
    with database.session() as session:
        charger = ChargerRepository(session, clock).find(ChargerSource.OCPP, CP_ID)
        assert charger is not None
        return SampleRepository(session).list_for_charger(
            charger.id, start=datetime(2000, 1, 1, tzinfo=UTC), end=datetime(2100, 1, 1, tzinfo=UTC)
        )


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


async def test_wallbox_pulsar_plus_boot(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        reply = await replay(ws, recorded("wallbox_pulsar_plus_boot.json"))
    assert reply[2]["status"] == "Accepted"
    with database.session() as session:
        found = ChargerRepository(session, clock).find(ChargerSource.OCPP, CP_ID)
        assert found is not None
        charger = found.charger
    assert (charger.model, charger.firmware_version) == ("PLP1-0-2-3", "6.4.14")
    assert charger.mid.enabled is False  # "Internal NON compliant" is no MID meter
    quirks = await central.recorder.quirks(CP_ID)
    assert quirks.remote_start_required
    assert quirks.profile_kind == "Relative"


async def test_wallbox_pulsar_plus_sends_only_its_lifetime_register(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        await replay(ws, recorded("wallbox_pulsar_plus_meter_values.json"))
    (sample,) = samples(database, clock)
    assert sample.observed_at == at("2025-10-27T21:41:11Z")
    assert sample.extra["energy_register_wh"] == 1052616.5
    assert "power_w" not in sample.extra  # the charger measured no power: none is claimed
    assert sample.energy_kwh == 0.0  # HA's transaction is unknown here: no session energy


@pytest.mark.parametrize(
    "meter_start",
    # The thread shows no StartTransaction: the session energy must not depend on whether
    # the charger's meterStart was 0 or its lifetime register (SCAFFOLD values).
    [0, 4_369_000],
)
async def test_growatt_thor_11as_session_relative_register(
    central: CentralSystem, database: Database, clock: FixedClock, meter_start: int
) -> None:
    frames = recorded("growatt_thor_11as_meter_values.json")
    async with await open_raw(central) as ws:
        await replay(ws, recorded("growatt_thor_11as_boot.json"))
        tx = await scaffold_start(ws, meter_start=meter_start, timestamp=epoch(1735917607))
        for frame in frames:
            await replay(ws, in_transaction(frame, tx))
    got = [
        (s.observed_at, s.power_kw, s.extra["current_a"], round(s.energy_kwh, 6))
        for s in samples(database, clock)
    ]
    assert got == [
        (at("2025-01-03T15:20:17Z"), 1.192, 5.6, 0.0),
        (at("2025-01-03T15:21:17Z"), 2.225, 9.46, 0.037),
        (at("2025-01-03T15:23:18Z"), 2.216, 9.46, 0.111),
    ]
    assert all(s.extra["transaction_begin_register_wh"] == 0.0 for s in samples(database, clock))


async def test_growatt_thor_22as_contexts_are_not_added_up(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    frame = recorded("growatt_thor_22as_mixed_contexts.json")
    async with await open_raw(central) as ws:
        # SCAFFOLD: meterStart is the frame's own Transaction.Begin register.
        tx = await scaffold_start(ws, meter_start=157440, timestamp=epoch(1767583807))
        await replay(ws, in_transaction(frame, tx))
    (sample,) = samples(database, clock)
    assert sample.observed_at == at("2026-01-05T04:58:38Z")  # +10:00 on the wire
    assert sample.extra["energy_register_wh"] == 163630.0  # was 321070: both contexts summed
    assert sample.extra["transaction_begin_register_wh"] == 157440.0
    assert sample.energy_kwh == pytest.approx(6.19)  # was 163.63 kWh
    assert sample.extra["current_a"] == 6.18


@pytest.mark.parametrize(
    ("name", "observed_at", "power_kw", "current_a", "register_wh"),
    [
        ("abb_terra_ac_phases.json", "2022-01-18T19:00:50Z", 4.333, 9.57, None),
        ("tacw_three_phase.json", "2025-10-05T03:37:44Z", 10.372, 15.42, None),
        ("body_location_kw.json", "2024-10-29T20:50:03Z", 3.43, 15.52, 2331816.0),
    ],
)
async def test_per_phase_chargers(
    central: CentralSystem,
    database: Database,
    clock: FixedClock,
    name: str,
    observed_at: str,
    power_kw: float,
    current_a: float,
    register_wh: float | None,
) -> None:
    frame = recorded(name)
    async with await open_raw(central) as ws:
        await replay(ws, frame if isinstance(frame, list) else as_call(frame, "1"))
    (sample,) = samples(database, clock)
    assert sample.observed_at == at(observed_at)
    assert sample.power_kw == pytest.approx(power_kw)
    assert sample.extra["current_a"] == current_a
    assert sample.extra.get("energy_register_wh") == register_wh


async def test_microocpp_values_with_spaces_soc_and_temperature(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        await replay(ws, recorded("microocpp_offline_meter_values.json"))
    (sample,) = samples(database, clock)
    assert sample.observed_at == datetime(2023, 9, 27, 10, 30, 12, 815000, tzinfo=UTC)
    assert (sample.power_kw, sample.extra["energy_register_wh"]) == (0.0, 0.0)
    assert sample.extra["current_a"] == 17.0
    assert (sample.extra["SoC"], sample.extra["Temperature"]) == (25.0, 37.0)


async def test_microocpp_spurious_zero_next_to_the_register(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        await replay(ws, as_call(recorded("microocpp_duplicate_register.json"), "1"))
    (sample,) = samples(database, clock)
    assert sample.extra["energy_register_wh"] == 1244.0
    assert sample.extra["current_a"] == 124.0  # "Current.import": the measurand, any case


async def test_evbox_start_with_meter_start_zero(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        reply = await replay(ws, recorded("evbox_elvi_start.json"))
    tx = reply[2]["transactionId"]
    assert reply[2]["idTagInfo"] == {"status": "Accepted"}
    ((ok, transaction),) = run_ocpp_batch(
        database, clock, [lambda book: book.get_transaction(CP_ID, tx)]
    )
    assert ok
    assert transaction.is_open
    assert (transaction.meter_start_wh, transaction.id_tag) == (0, "04ABBE2A266581")
    assert transaction.started_at == at("2024-07-10T18:23:02Z")


async def test_copper_sb_stop_of_a_transaction_chargebook_never_saw(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        reply = await replay(ws, recorded("wallbox_copper_sb_stop.json"))
    assert reply[2] == {"idTagInfo": {"status": "Accepted"}}  # the charger may drop it
    with database.session() as session:
        assert SessionRepository(session).list() == []  # nothing invented


async def test_alfen_eve_pro_nonstandard_context_and_largest_transaction_id(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        # "CurrentMax" is no 1.6 context: that value is left out, not the whole MeterValues
        # (Home Assistant OCPP refused the frame, lbbrhzn/ocpp #361). The other value has no
        # measurand, so it would be the energy register, but its unit is A: never guessed.
        await replay(ws, recorded("alfen_eve_pro_current_max.json"))
    (sample,) = samples(database, clock)
    assert sample.observed_at == at("2020-09-19T15:14:23Z")
    assert "energy_register_wh" not in sample.extra
    assert "current_a" not in sample.extra


async def test_en_plus_trigger_reading(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        await replay(ws, recorded("en_plus_trigger.json"))
    (sample,) = samples(database, clock)
    assert sample.extra["energy_register_wh"] == 10798.0
    assert (sample.power_kw, sample.extra["current_a"]) == (0.0, 0.0)
    assert sample.extra["Current.Offered"] == 32.0


async def test_one_sampled_value_per_element_is_one_reading(
    central: CentralSystem, database: Database, clock: FixedClock
) -> None:
    async with await open_raw(central) as ws:
        await replay(ws, recorded("one_value_per_element.json"))
    (sample,) = samples(database, clock)
    # Before: nine readings of one instant, the first (power L1 = 0 W) kept, the register lost.
    assert sample.extra["energy_register_wh"] == 506121.0
    assert (sample.power_kw, sample.extra["current_a"]) == (0.0, 0.0)
    assert sample.extra["Voltage.L1"] == 232.519


def test_every_recording_has_a_source_and_a_test() -> None:
    sources = (REAL / "SOURCES").read_text(encoding="utf-8")
    tests = Path(__file__).read_text(encoding="utf-8")
    for recording in sorted(REAL.glob("*.json")):
        assert recording.name in sources, recording.name
        assert f'"{recording.name}"' in tests, recording.name
