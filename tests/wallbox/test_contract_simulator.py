"""Contract: the client against the Wallbox Cloud simulator, in-process over ASGITransport.

Both share one FixedClock, so the client's budget and the simulator's rate limiter see the
same time: no test waits for real, and any 429 in the request log means the budget is wrong.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.domain.models import ChargerState, ChargeSchedule, EcoSmartMode
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    GUEST_EMAIL,
    GUEST_PASSWORD,
    SimulatorConfig,
    WallboxSimulator,
)
from chargebook.wallbox import (
    MemoryTokenStore,
    RequestBudget,
    WallboxClient,
    WallboxInsufficientRightsError,
)

SIM_URL = "http://simulator"
CHARGING = {193, 194, 195}


def make_sim(clock: FixedClock, **overrides: Any) -> WallboxSimulator:
    config = SimulatorConfig(
        seed=overrides.pop("seed", 1),
        accounts=1,
        chargers_per_account=overrides.pop("chargers_per_account", 2),
        days=overrides.pop("days", 30),
        latency_ms=0,
        slow_answer_s=0.0,
        **overrides,
    )
    return WallboxSimulator(config, clock=clock)


def connect(
    sim: WallboxSimulator,
    clock: FixedClock,
    email: str = DEMO_EMAIL,
    password: str = DEMO_PASSWORD,
    **kwargs: Any,
) -> WallboxClient:
    http = httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app), base_url=SIM_URL)
    kwargs.setdefault(
        "budget",
        RequestBudget(
            reads_per_minute=sim.config.reads_per_minute,
            writes_per_minute=sim.config.writes_per_minute,
            clock=clock,
        ),
    )
    return WallboxClient(
        email,
        password,
        api_url=SIM_URL,
        auth_url=SIM_URL,
        http_client=http,
        clock=clock,
        token_store=MemoryTokenStore(),
        **kwargs,
    )


@pytest.fixture
def sim(clock: FixedClock) -> WallboxSimulator:
    return make_sim(clock)


@pytest.fixture
async def wallbox(sim: WallboxSimulator, clock: FixedClock) -> AsyncIterator[WallboxClient]:
    client = connect(sim, clock)
    yield client
    await client._http.aclose()


def statuses(sim: WallboxSimulator, email: str = DEMO_EMAIL) -> list[int]:
    return [r.status for r in sim.request_log.get(email, [])]


def signins(sim: WallboxSimulator, email: str = DEMO_EMAIL) -> int:
    return sum(1 for r in sim.request_log.get(email, []) if r.path == "/users/signin")


async def test_list_chargers_and_status(sim: WallboxSimulator, wallbox: WallboxClient) -> None:
    chargers = await wallbox.list_chargers()
    assert sorted(c.external_id for c in chargers) == sorted(
        str(i) for i in sim.charger_ids(DEMO_EMAIL)
    )
    for charger in chargers:
        status = await wallbox.get_status(charger.external_id)
        view = sim.view(int(charger.external_id))
        assert status.status_code == view.status_id
        assert status.charging_power_kw == pytest.approx(view.power_kw, abs=1e-3)
        summary = await wallbox.get_charger(charger.external_id)
        assert summary.charger.external_id == charger.external_id
    assert 429 not in statuses(sim)
    assert 403 not in statuses(sim)
    assert signins(sim) == 1


async def test_lock_unlock_and_current(sim: WallboxSimulator, wallbox: WallboxClient) -> None:
    cid = str(sim.charger_ids(DEMO_EMAIL)[0])
    await wallbox.set_locked(cid, True)
    status = await wallbox.get_status(cid)
    assert status.locked is True
    assert status.state in (ChargerState.LOCKED, ChargerState.LOCKED_CAR_CONNECTED)
    summary = await wallbox.update_charger(cid, locked=False, max_current_a=16)
    assert summary.locked is False
    assert summary.max_charging_current_a == 16
    status = await wallbox.get_status(cid)
    assert status.locked is False
    assert status.max_charging_current_a == 16
    assert 429 not in statuses(sim)


async def test_pause_and_resume_a_charging_session(
    sim: WallboxSimulator, wallbox: WallboxClient, clock: FixedClock
) -> None:
    ids = sim.charger_ids(DEMO_EMAIL)
    for _ in range(2000):  # walk forward until some charger is charging
        charging = [c for c in ids if sim.view(c).status_id in CHARGING]
        if charging:
            break
        clock.advance(600)
    else:
        pytest.fail("no charger ever charged in the simulated fortnight")
    cid = str(charging[0])
    await wallbox.pause(cid)
    assert (await wallbox.get_status(cid)).state is ChargerState.PAUSED
    await wallbox.resume(cid)
    assert (await wallbox.get_status(cid)).state is ChargerState.CHARGING


async def test_restart_and_firmware_update(sim: WallboxSimulator, wallbox: WallboxClient) -> None:
    cid = str(sim.charger_ids(DEMO_EMAIL)[0])
    await wallbox.restart(cid)
    await wallbox.update_firmware(cid)
    writes = [r for r in sim.request_log[DEMO_EMAIL] if r.method == "POST"]
    assert [r.status for r in writes] == [200, 200]


async def test_energy_price_and_power_boost(sim: WallboxSimulator, wallbox: WallboxClient) -> None:
    cid = str(sim.charger_ids(DEMO_EMAIL)[0])
    config = await wallbox.set_energy_price(cid, Decimal("0.3125"))
    assert config.energy_price_per_kwh == Decimal("0.3125")
    assert (await wallbox.get_config(cid)).energy_price_per_kwh == Decimal("0.3125")
    config = await wallbox.set_icp_max_current(cid, 20)
    assert config.icp_max_current_a == 20
    assert (await wallbox.get_status(cid)).energy_price_per_kwh == Decimal("0.3125")


async def test_eco_smart(sim: WallboxSimulator, wallbox: WallboxClient) -> None:
    eco = [c for c in sim.charger_ids(DEMO_EMAIL) if sim.chargers[c].model.has_ecosmart]
    if not eco:
        pytest.fail("seed 1 should give the demo account an Eco-Smart capable charger")
    cid = str(eco[0])
    await wallbox.set_eco_smart(cid, EcoSmartMode.FULL_SOLAR, percentage=80)
    status = await wallbox.get_status(cid)
    assert status.eco_smart is not None
    assert status.eco_smart.mode is EcoSmartMode.FULL_SOLAR
    await wallbox.set_eco_smart(cid, EcoSmartMode.OFF)
    status = await wallbox.get_status(cid)
    assert status.eco_smart is not None
    assert status.eco_smart.mode is EcoSmartMode.OFF


async def test_schedules_round_trip(sim: WallboxSimulator, wallbox: WallboxClient) -> None:
    cid = str(sim.charger_ids(DEMO_EMAIL)[0])
    wanted = [
        ChargeSchedule(
            slot=0,
            enabled=True,
            start_local="2300",
            stop_local="0600",
            days=frozenset({"monday", "wednesday", "friday"}),
            max_current=1,
        )
    ]
    stored = await wallbox.set_schedules(cid, wanted)
    assert [(s.start_local, s.stop_local, s.days) for s in stored] == [
        ("2300", "0600", frozenset({"monday", "wednesday", "friday"}))
    ]
    again = await wallbox.get_schedules(cid)
    assert again == stored


async def test_guest_reads_but_may_not_write(sim: WallboxSimulator, clock: FixedClock) -> None:
    guest = connect(sim, clock, GUEST_EMAIL, GUEST_PASSWORD)
    (charger, *_) = await guest.list_chargers()
    await guest.get_status(charger.external_id)
    with pytest.raises(WallboxInsufficientRightsError):
        await guest.set_locked(charger.external_id, True)


async def test_revoked_refresh_tokens_lead_to_one_new_sign_in(
    sim: WallboxSimulator, wallbox: WallboxClient, clock: FixedClock
) -> None:
    await wallbox.list_chargers()
    sim.revoke_refresh_tokens(DEMO_EMAIL)
    clock.advance(900)
    await wallbox.list_chargers()
    assert signins(sim) == 2


async def _history(
    wallbox: WallboxClient, sim: WallboxSimulator, cid: int, page_size: int = 7
) -> tuple[list[str], list[str]]:
    start = sim.created - timedelta(days=sim.config.days + 1)
    records = [
        r
        async for r in wallbox.iter_sessions(
            str(cid), start=start, end=sim.clock.now() + timedelta(seconds=1), page_size=page_size
        )
    ]
    got = sorted(json.dumps(dict(r.raw["attributes"]), sort_keys=True) for r in records)
    truth = sorted(json.dumps(a, sort_keys=True) for a in sim.ground_truth_sessions(cid))
    return got, truth


async def test_full_history_with_paging_equals_ground_truth(
    clock: FixedClock,
) -> None:
    sim = make_sim(clock, days=120, bad_session_rate=0.05)
    wallbox = connect(sim, clock)
    for cid in sim.charger_ids(DEMO_EMAIL):
        got, truth = await _history(wallbox, sim, cid)
        assert len(truth) > 20
        assert got == truth
    assert 429 not in statuses(sim)


async def test_full_history_under_faults_still_equals_ground_truth(
    clock: FixedClock,
) -> None:
    sim = make_sim(clock, days=120, fault_rate=0.2, bad_session_rate=0.05)
    wallbox = connect(sim, clock, max_retries=12)
    for cid in sim.charger_ids(DEMO_EMAIL):
        got, truth = await _history(wallbox, sim, cid, page_size=2)
        assert got == truth
        for _ in range(5):
            status = await wallbox.get_status(str(cid))
            assert status.status_code == sim.view(cid).status_id
    injected = sim.faults.injected
    assert sum(injected.values()) >= 15  # the faults really happened, of many kinds
    assert {"server_error", "drop", "truncated", "duplicate"} <= set(injected)


async def test_quarantined_items_match_the_bad_ground_truth(clock: FixedClock) -> None:
    sim = make_sim(clock, days=120, bad_session_rate=0.2)
    wallbox = connect(sim, clock, budget=RequestBudget.unlimited_budget(clock))
    cid = sim.charger_ids(DEMO_EMAIL)[0]
    start = sim.created - timedelta(days=121)
    records = [r async for r in wallbox.iter_sessions(str(cid), start=start, end=clock.now())]
    bad = [r for r in records if r.session is None]
    assert bad
    for record in bad:
        assert record.problem
        assert record.raw["attributes"] in sim.ground_truth_sessions(cid)
