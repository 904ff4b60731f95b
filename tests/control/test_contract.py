"""The `ChargerControl` contract: every adapter, against its system's simulator, reads the live
state, pauses and resumes, sets the current, locks where it can, restarts, and refuses what it
cannot do with a clear `ControlNotSupportedError`. A new brand passes this suite by adding its
rig to `rigs.RIGS` (on SQLite and PostgreSQL through the `database` fixture)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from decimal import Decimal

import pytest

from chargebook.db import Database
from chargebook.domain.control import ControlCapabilities, ControlFeature, ControlNotSupportedError
from chargebook.domain.models import ChargerState, ChargerStatus
from chargebook.domain.ports import ChargerControl
from chargebook.errors import ChargebookError

from .rigs import RIGS, Rig


@pytest.fixture(params=sorted(RIGS))
async def rig(request: pytest.FixtureRequest, database: Database) -> AsyncIterator[Rig]:
    async with RIGS[request.param](database) as opened:
        yield opened


async def _eventually(rig: Rig, shows: Callable[[ChargerStatus], bool]) -> ChargerStatus:
    """Read until the live state shows the change (a status lags a command by a message)."""
    async with asyncio.timeout(5.0):
        while not shows(status := await rig.control.read(rig.charger_id)):  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    return status


async def test_the_adapter_is_the_port_and_reads_a_charging_car(rig: Rig) -> None:
    assert isinstance(rig.control, ChargerControl)
    status = await rig.control.read(rig.charger_id)
    assert status.charger_external_id == rig.charger_id
    assert status.car_connected is True
    assert status.state is ChargerState.CHARGING
    assert status.charging_power_kw is not None
    assert status.charging_power_kw > 0
    assert status.session_energy_kwh is not None
    assert status.session_energy_kwh >= 0


async def test_pause_and_resume_show_in_the_live_state(rig: Rig) -> None:
    assert rig.control.capabilities(rig.charger_id).supports(ControlFeature.PAUSE_RESUME)
    await rig.control.set_charging(rig.charger_id, False)
    paused = await _eventually(rig, lambda s: s.state is ChargerState.PAUSED)
    assert paused.car_connected is True  # paused, the car stays connected
    await rig.control.set_charging(rig.charger_id, True)
    await _eventually(rig, lambda s: s.state is ChargerState.CHARGING)


async def test_the_current_limit_reaches_the_charger(rig: Rig) -> None:
    capabilities = rig.control.capabilities(rig.charger_id)
    assert capabilities.supports(ControlFeature.CURRENT)
    await rig.control.set_current(rig.charger_id, 10)
    assert rig.limit_a() == 10
    if capabilities.reports_current_limit:
        status = await rig.control.read(rig.charger_id)
        assert status.max_charging_current_a == 10


async def test_lock_and_unlock_where_the_system_has_them(rig: Rig) -> None:
    capabilities = rig.control.capabilities(rig.charger_id)
    if not capabilities.supports(ControlFeature.LOCK):
        with pytest.raises(ControlNotSupportedError, match="locked"):
            await rig.control.set_locked(rig.charger_id, True)
        return
    await rig.control.set_locked(rig.charger_id, True)
    assert rig.locked() is True
    assert (await rig.control.read(rig.charger_id)).locked is True
    await rig.control.set_locked(rig.charger_id, False)
    assert rig.locked() is False


async def test_restart_where_the_system_has_it(rig: Rig) -> None:
    assert rig.control.capabilities(rig.charger_id).supports(ControlFeature.RESTART)
    await rig.control.restart(rig.charger_id)
    async with asyncio.timeout(5.0):
        while not rig.restarted():  # noqa: ASYNC110  (the simulator reboots in a task)
            await asyncio.sleep(0.02)


def _calls(control: ChargerControl, cid: str) -> dict[ControlFeature, Callable[[], object]]:
    return {
        ControlFeature.PAUSE_RESUME: lambda: control.set_charging(cid, False),
        ControlFeature.CURRENT: lambda: control.set_current(cid, 8),
        ControlFeature.LOCK: lambda: control.set_locked(cid, True),
        ControlFeature.RESTART: lambda: control.restart(cid),
        ControlFeature.ENERGY_PRICE: lambda: control.set_energy_price(cid, Decimal("0.25")),
    }


async def test_what_a_system_lacks_is_refused_with_its_reason(rig: Rig) -> None:
    capabilities = rig.control.capabilities(rig.charger_id)
    assert isinstance(capabilities, ControlCapabilities)
    calls = _calls(rig.control, rig.charger_id)
    for feature in capabilities.missing:
        with pytest.raises(ControlNotSupportedError) as refused:
            await calls[feature]()  # type: ignore[misc]
        assert refused.value.message == capabilities.why_not(feature)


async def test_an_unknown_charger_is_a_chargebook_error(rig: Rig) -> None:
    with pytest.raises(ChargebookError):
        await rig.control.read(rig.unknown_id)
