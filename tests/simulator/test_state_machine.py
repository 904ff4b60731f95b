"""Live state driven by the injected clock and by writes (a FixedClock fast-forwarded)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.simulator.wallbox import WallboxSimulator


async def _status(client: httpx.AsyncClient, charger_id: int) -> dict[str, Any]:
    response = await client.get(f"/chargers/status/{charger_id}")
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def _action(client: httpx.AsyncClient, charger_id: int, action: int) -> None:
    response = await client.post(
        f"/v3/chargers/{charger_id}/remote-action", json={"action": action}
    )
    assert response.status_code == 200


def _plug_in(sim: WallboxSimulator, clock: FixedClock, charger_id: int, after_s: float) -> Any:
    session = sim.next_session(charger_id)
    clock.set(session.start + timedelta(seconds=after_s))
    return session


@pytest.fixture
def plus(sim: WallboxSimulator) -> int:
    return sim.accounts[0].charger_ids[0]


async def _fresh_sign_in(client: httpx.AsyncClient) -> None:
    # Fast-forwarding past the token TTL: sign in again at the new time.
    from .helpers import sign_in

    await sign_in(client)


async def test_energy_and_power_evolve_with_the_clock(
    client: httpx.AsyncClient, sim: WallboxSimulator, clock: FixedClock, plus: int
) -> None:
    before = await _status(client, plus)
    assert before["status_id"] == 161
    assert before["charging_power"] == 0
    session = _plug_in(sim, clock, plus, 600)
    await _fresh_sign_in(client)
    first = await _status(client, plus)
    assert first["status_id"] == 194
    assert first["charging_power"] == pytest.approx(session.power_kw, abs=0.01)
    assert first["added_energy"] == pytest.approx(session.power_kw / 6, abs=0.001)
    assert first["charging_time"] == 600
    assert first["finished"] is False
    clock.advance(600)
    second = await _status(client, plus)
    assert second["added_energy"] == pytest.approx(2 * first["added_energy"], abs=0.002)
    assert second["added_range"] >= first["added_range"]
    # Once full but still plugged in: waiting for car demand, no power.
    clock.set(session.start + timedelta(seconds=session.planned_charging_s + 1))
    await _fresh_sign_in(client)
    full = await _status(client, plus)
    assert (full["status_id"], full["charging_power"]) == (181, 0)
    assert full["added_energy"] == pytest.approx(session.demand_kwh, abs=0.001)


async def test_pause_and_resume(
    client: httpx.AsyncClient, sim: WallboxSimulator, clock: FixedClock, plus: int
) -> None:
    session = _plug_in(sim, clock, plus, 300)
    await _fresh_sign_in(client)
    await _action(client, plus, 2)
    paused = await _status(client, plus)
    assert (paused["status_id"], paused["charging_power"]) == (182, 0)
    clock.advance(600)
    still = await _status(client, plus)
    assert still["added_energy"] == paused["added_energy"]  # no energy while paused
    await _action(client, plus, 1)
    resumed = await _status(client, plus)
    assert resumed["status_id"] == 194
    assert resumed["charging_power"] == pytest.approx(session.power_kw, abs=0.01)
    clock.advance(60)
    assert (await _status(client, plus))["added_energy"] > paused["added_energy"]


async def test_a_pause_that_lasts_shows_in_the_finished_session(
    client: httpx.AsyncClient, sim: WallboxSimulator, clock: FixedClock, plus: int
) -> None:
    session = _plug_in(sim, clock, plus, 1800)
    await _fresh_sign_in(client)
    await _action(client, plus, 2)
    at_pause = (await _status(client, plus))["added_energy"]
    assert not any(
        s["start"] == int(session.start.timestamp()) for s in sim.ground_truth_sessions(plus)
    )
    clock.set(session.end + timedelta(seconds=1))
    finished = [
        s for s in sim.ground_truth_sessions(plus) if s["start"] == int(session.start.timestamp())
    ]
    assert len(finished) == 1
    assert finished[0]["energy"] == pytest.approx(at_pause, abs=0.001)
    assert finished[0]["energy"] < session.demand_kwh
    assert finished[0]["time"] == 1800


async def test_lock_and_unlock_with_and_without_a_car(
    client: httpx.AsyncClient, sim: WallboxSimulator, clock: FixedClock, plus: int
) -> None:
    body = (await client.put(f"/v2/charger/{plus}", json={"locked": 1})).json()
    assert body["data"]["chargerData"]["locked"] == 1
    assert (await _status(client, plus))["status_id"] == 209
    await client.put(f"/v2/charger/{plus}", json={"locked": 0})
    assert (await _status(client, plus))["status_id"] == 161
    _plug_in(sim, clock, plus, 120)
    await _fresh_sign_in(client)
    await client.put(f"/v2/charger/{plus}", content='{"locked":1}')
    locked = await _status(client, plus)
    assert (locked["status_id"], locked["charging_power"]) == (210, 0)
    assert locked["config_data"]["locked"] == 1
    await client.put(f"/v2/charger/{plus}", json={"locked": 0})
    assert (await _status(client, plus))["status_id"] == 194


async def test_current_is_clamped_and_power_follows(
    client: httpx.AsyncClient, sim: WallboxSimulator, clock: FixedClock, plus: int
) -> None:
    session = _plug_in(sim, clock, plus, 60)
    await _fresh_sign_in(client)
    body = (await client.put(f"/v2/charger/{plus}", json={"maxChargingCurrent": 2})).json()
    assert body["data"]["chargerData"]["maxChargingCurrent"] == 6
    low = await _status(client, plus)
    assert low["charging_power"] == pytest.approx(
        min(session.power_kw, 6 * 230 * 3 / 1000), abs=0.01
    )
    assert low["config_data"]["max_charging_current"] == 6
    body = (await client.put(f"/v2/charger/{plus}", json={"maxChargingCurrent": "99"})).json()
    assert body["data"]["chargerData"]["maxChargingCurrent"] == 32
    assert (await _status(client, plus))["charging_power"] == pytest.approx(
        session.power_kw, abs=0.01
    )


async def test_reboot_goes_ready_offline_ready(
    client: httpx.AsyncClient, sim: WallboxSimulator, clock: FixedClock, plus: int
) -> None:
    await _action(client, plus, 3)
    assert (await _status(client, plus))["status_id"] == 161
    clock.advance(10)
    assert (await _status(client, plus))["status_id"] == 0
    clock.advance(80)
    assert (await _status(client, plus))["status_id"] == 0
    clock.advance(10)
    assert (await _status(client, plus))["status_id"] == 161


async def test_firmware_update(
    client: httpx.AsyncClient, sim: WallboxSimulator, clock: FixedClock
) -> None:
    outdated = [c for c in sim.chargers.values() if c.current_version != c.latest_version]
    charger = next(
        c for c in outdated if c.id in sim.accounts[0].charger_ids + sim.accounts[1].charger_ids
    )
    if charger.id not in sim.accounts[0].charger_ids:
        from .helpers import sign_in

        await sign_in(client, sim.accounts[1].email, sim.accounts[1].password)
    before = (await _status(client, charger.id))["config_data"]["software"]
    assert before["updateAvailable"] is True
    await _action(client, charger.id, 5)
    assert (await _status(client, charger.id))["status_id"] == 166
    clock.advance(301)
    after = await _status(client, charger.id)
    assert after["status_id"] != 166
    software = after["config_data"]["software"]
    assert software == {
        **before,
        "updateAvailable": False,
        "currentVersion": charger.latest_version,
    }


async def test_schedule_blocks_charging_until_resumed_by_hand(
    client: httpx.AsyncClient, sim: WallboxSimulator, clock: FixedClock, plus: int
) -> None:
    _plug_in(sim, clock, plus, 60)  # arrivals are between 16:30 and 21:30 local
    await _fresh_sign_in(client)
    days = dict.fromkeys(
        ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), True
    )
    slot = {
        "enable": 1,
        "max_current": 1,
        "max_energy": 0,
        "days": days,
        "start": "0100",
        "stop": "0500",
    }
    await client.post(f"/chargers/{plus}/schedules", json={"schedules": [slot]})
    scheduled = await _status(client, plus)
    assert (scheduled["status_id"], scheduled["charging_power"]) == (179, 0)
    await _action(client, plus, 1)  # resume does nothing while Scheduled
    assert (await _status(client, plus))["status_id"] == 179
    await client.post(f"/chargers/{plus}/schedules", json={"schedules": []})
    assert (await _status(client, plus))["status_id"] == 194
    await client.post(f"/chargers/{plus}/schedules", json={"schedules": [slot]})
    await _action(client, plus, 9)
    assert (await _status(client, plus))["status_id"] == 179


async def test_history_keeps_growing_as_the_clock_moves(
    sim: WallboxSimulator, clock: FixedClock, plus: int
) -> None:
    before = sim.ground_truth_sessions(plus)
    clock.advance(timedelta(days=5))
    after = sim.ground_truth_sessions(plus)
    assert after[: len(before)] == before
    assert len(after) > len(before)
    assert all(s["end"] <= clock.now().timestamp() for s in after)
