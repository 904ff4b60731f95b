"""Real-world variants: the simulator sends the shapes the real cloud was recorded sending,
and chargebook reads the same charger from them as from the documented shapes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.simulator.wallbox import (
    DEMO_EMAIL,
    DEMO_PASSWORD,
    SimulatorConfig,
    WallboxSimulator,
)
from chargebook.wallbox import MemoryTokenStore, RequestBudget, WallboxClient

from .helpers import BASE, make_client, sign_in


def _sim(clock: FixedClock, rate: float) -> WallboxSimulator:
    return WallboxSimulator(SimulatorConfig(partner_mode=True, variant_rate=rate), clock=clock)


async def _get(sim: WallboxSimulator, path: str) -> Any:
    async with make_client(sim) as http:
        await sign_in(http)
        return (await http.get(path)).json()


def test_the_default_simulator_emits_variants() -> None:
    assert SimulatorConfig().variant_rate > 0
    with pytest.raises(ValueError, match="variant_rate"):
        SimulatorConfig(variant_rate=1.5)


async def test_status_variant_has_no_charging_time_and_a_boolean_lock(clock: FixedClock) -> None:
    sim = _sim(clock, 1.0)
    plus = sim.accounts[0].charger_ids[0]
    body = await _get(sim, f"/chargers/status/{plus}")
    assert "charging_time" not in body  # as in Home Assistant's fixtures
    assert isinstance(body["config_data"]["locked"], bool)
    assert isinstance(body["max_available_power"], float)


async def test_charger_data_variant_is_a_month_reset_resume(clock: FixedClock) -> None:
    sim = _sim(clock, 1.0)
    plus = sim.accounts[0].charger_ids[0]
    resume = (await _get(sim, f"/v2/charger/{plus}"))["data"]["chargerData"]["resume"]
    assert resume["chargingTime"] is None  # WandDeuze's recorded reset
    assert isinstance(resume["totalEnergy"], int)
    assert isinstance(resume["totalMidEnergy"], int)


async def test_the_same_request_at_the_same_moment_gets_the_same_shape(
    clock: FixedClock,
) -> None:
    sim = _sim(clock, 0.5)
    plus = sim.accounts[0].charger_ids[0]
    first = await _get(sim, f"/chargers/status/{plus}")
    assert await _get(sim, f"/chargers/status/{plus}") == first
    shapes = set()
    for _ in range(40):
        clock.advance(60)
        shapes.add("charging_time" in await _get(sim, f"/chargers/status/{plus}"))
    assert shapes == {True, False}  # about half the minutes are variants


def _client(sim: WallboxSimulator, clock: FixedClock, http: httpx.AsyncClient) -> WallboxClient:
    return WallboxClient(
        DEMO_EMAIL,
        DEMO_PASSWORD,
        api_url=BASE,
        auth_url=BASE,
        http_client=http,
        clock=clock,
        budget=RequestBudget.unlimited_budget(clock),
        token_store=MemoryTokenStore(),
    )


async def test_chargebook_reads_the_same_charger_from_variants(clock: FixedClock) -> None:
    plain, varied = _sim(clock, 0.0), _sim(clock, 1.0)
    readings = []
    for sim in (plain, varied):
        plus = sim.accounts[0].charger_ids[0]
        async with make_client(sim) as http:
            client = _client(sim, clock, http)
            status = await client.get_status(str(plus))
            summary = await client.get_charger(str(plus))
        readings.append((status, summary))
    (status, summary), (v_status, v_summary) = readings
    assert v_status.session_duration_s is None  # unknown, not 0
    assert status.session_duration_s is not None
    for field in ("state", "status_code", "charging_power_kw", "session_energy_kwh", "locked"):
        assert getattr(v_status, field) == getattr(status, field), field
    assert v_status.max_charging_current_a == status.max_charging_current_a
    assert summary.totals is not None
    assert v_summary.totals is not None
    assert v_summary.totals.total_energy_kwh == summary.totals.total_energy_kwh
    assert v_summary.totals.total_sessions == summary.totals.total_sessions
    assert v_summary.totals.charging_time_s is None


async def test_groups_variant_carries_the_extra_keys_of_a_real_recording(
    clock: FixedClock,
) -> None:
    sim = _sim(clock, 1.0)
    group = (await _get(sim, "/v3/chargers/groups"))["result"]["groups"][0]
    assert group["payments_account"] is False
    assert group["plan"]["product_id"] == 1
    assert all(c["chargerLoadType"] == "Private" for c in group["chargers"])
    async with make_client(sim) as http:
        chargers = await _client(sim, clock, http).list_chargers()
    assert sorted(c.external_id for c in chargers) == sorted(
        str(cid) for cid in sim.accounts[0].charger_ids
    )
