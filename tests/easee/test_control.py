"""Control through the one port: every feature changes the simulated charger; what Easee
cannot do is refused with its reason."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from chargebook.clock import FixedClock
from chargebook.domain.control import ControlFeature, ControlNotSupportedError
from chargebook.domain.models import ChargerState
from chargebook.errors import ChargerApiError
from chargebook.simulator.easee import EaseeSimulator

from .conftest import ClientFactory


def _charging(sim: EaseeSimulator, clock: FixedClock) -> str:
    charger_id = sim.accounts[0].charger_ids[0]
    clock.set(sim.next_session(charger_id).start + timedelta(minutes=10))
    sim.clock.set(clock.now())  # type: ignore[attr-defined]
    return charger_id


def _tick(sim: EaseeSimulator, clock: FixedClock, seconds: float) -> None:
    clock.advance(timedelta(seconds=seconds))
    sim.clock.set(clock.now())  # type: ignore[attr-defined]


async def test_pause_resume_current_lock_and_restart(
    sim: EaseeSimulator, make_client: ClientFactory, clock: FixedClock
) -> None:
    charger_id = _charging(sim, clock)
    client = make_client(sim)
    capabilities = client.capabilities(charger_id)
    assert capabilities.missing == [ControlFeature.ENERGY_PRICE]
    power = sim.current_session(charger_id).power_kw  # type: ignore[union-attr]

    await client.set_charging(charger_id, False)
    _tick(sim, clock, 30)
    paused = await client.read(charger_id)
    assert (paused.state, paused.charging_power_kw) == (ChargerState.WAITING, 0.0)
    await client.set_charging(charger_id, True)
    _tick(sim, clock, 30)
    assert (await client.read(charger_id)).state is ChargerState.CHARGING

    await client.set_current(charger_id, 7)
    status = await client.read(charger_id)
    assert status.max_charging_current_a == 7
    assert status.charging_power_kw == pytest.approx(min(power, 7 * 0.69), abs=0.01)

    await client.set_locked(charger_id, True)
    locked = await client.read(charger_id)
    assert (locked.state, locked.locked, locked.charging_power_kw) == (
        ChargerState.LOCKED_CAR_CONNECTED,
        True,
        0.0,
    )
    await client.set_locked(charger_id, False)
    assert (await client.read(charger_id)).locked is False

    await client.restart(charger_id)
    rebooting = await client.read(charger_id)
    assert rebooting.state is ChargerState.DISCONNECTED
    _tick(sim, clock, 91)
    after = await client.read(charger_id)
    assert after.state is ChargerState.CHARGING
    assert after.max_charging_current_a == sim.chargers[charger_id].initial_max_current_a
    assert [path.rsplit("/", 1)[-1] for _, path in sim.applied_writes] == [
        "pause_charging",
        "resume_charging",
        "set_dynamic_charger_current",
        "settings",
        "settings",
        "reboot",
    ]


async def test_energy_price_is_not_offered_and_sends_nothing(
    sim: EaseeSimulator, make_client: ClientFactory
) -> None:
    client = make_client(sim)
    charger_id = sim.accounts[0].charger_ids[0]
    with pytest.raises(ControlNotSupportedError, match="per site"):
        await client.set_energy_price(charger_id, Decimal("0.25"))
    assert sim.applied_writes == []


async def test_a_refused_command_says_why(sim: EaseeSimulator, make_client: ClientFactory) -> None:
    client = make_client(sim)
    charger_id = sim.accounts[0].charger_ids[0]
    with pytest.raises(ChargerApiError, match="400: amps must be within") as refused:
        await client.set_current(charger_id, 80)
    assert not refused.value.retryable
    other = sim.accounts[1].charger_ids[0]
    with pytest.raises(ChargerApiError, match="403"):
        await client.set_charging(other, False)
    assert sim.applied_writes == []
