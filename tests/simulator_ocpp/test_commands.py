"""Commands from the central system to simulated charge points: results, refusals, profiles."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from chargebook.central_system import (
    CentralSystem,
    ChargePointNotConnectedError,
    CommandRejectedError,
)
from chargebook.clock import FixedClock

from .conftest import MakeChargePoint


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(3.0):
        while not condition():  # noqa: ASYNC110  (polls simulator state set by other tasks)
            await asyncio.sleep(0.01)


async def test_pause_resume_and_current_limit_never_resend_the_same_profile(
    central: CentralSystem, make_cp: MakeChargePoint, clock: FixedClock
) -> None:
    cp = make_cp("WB-1", wallbox_quirks=True)
    await cp.connect()
    await cp.boot()
    await cp.plug_in()
    await _until(lambda: cp.transaction_id is not None)
    assert await central.set_current("WB-1", 10) is True
    assert await central.set_current("WB-1", 10) is False  # identical: not sent again
    assert cp.limit_a == 10.0
    assert await central.pause("WB-1") is True
    assert cp.limit_a == 0.0
    assert cp.meter.power_w == 0.0
    assert cp.transaction_id is not None  # paused, not stopped
    assert await central.resume("WB-1") is True
    assert cp.limit_a == 10.0  # not the firmware's 16 A fallback for a repeated profile
    assert len(cp.profiles_received) == 3
    profile = cp.profiles_received[-1]
    assert profile["stack_level"] == 0
    assert profile["charging_profile_kind"] == "Relative"
    assert profile["charging_profile_purpose"] == "TxDefaultProfile"


async def test_a_reboot_forgets_sent_profiles(
    central: CentralSystem, make_cp: MakeChargePoint
) -> None:
    cp = make_cp("SIM-1")
    await cp.connect()
    await cp.boot()
    assert await central.set_current("SIM-1", 8) is True
    await cp.boot()
    assert await central.set_current("SIM-1", 8) is True
    assert cp.profiles_received[-1]["charging_schedule"]["start_schedule"].endswith("Z")


async def test_remote_start_stop_and_maintenance_commands(
    central: CentralSystem, make_cp: MakeChargePoint
) -> None:
    cp = make_cp("SIM-1")
    await cp.connect()
    await cp.boot()
    with pytest.raises(CommandRejectedError) as rejected:
        await central.remote_start("SIM-1")  # no car plugged in
    assert rejected.value.code == "Rejected"
    cp.plugged = True
    await central.remote_start("SIM-1")
    await _until(lambda: cp.transaction_id is not None)
    await central.remote_stop("SIM-1")
    await _until(lambda: cp.transaction_id is None)

    values = await central.get_configuration("SIM-1", ["MeterValueSampleInterval", "Nope"])
    assert values == {"MeterValueSampleInterval": "10"}
    assert await central.change_configuration("SIM-1", "MeterValueSampleInterval", "5") == (
        "Accepted"
    )
    assert cp.configuration["MeterValueSampleInterval"] == "5"
    with pytest.raises(CommandRejectedError):
        await central.change_configuration("SIM-1", "NoSuchKey", "1")
    await central.unlock("SIM-1")
    await central.trigger_message("SIM-1", "StatusNotification", connector_id=1)
    assert await central.configure_measurands("SIM-1") == "Accepted"
    await central.reset("SIM-1")


async def test_wallbox_refuses_offered_measurands_so_they_are_not_asked(
    central: CentralSystem, make_cp: MakeChargePoint
) -> None:
    cp = make_cp("WB-1", wallbox_quirks=True)
    await cp.connect()
    await cp.boot()
    assert await central.configure_measurands("WB-1") == "Accepted"
    assert "Offered" not in cp.configuration["MeterValuesSampledData"]


async def test_commands_to_an_offline_charger_fail_visibly(central: CentralSystem) -> None:
    with pytest.raises(ChargePointNotConnectedError) as offline:
        await central.set_current("SIM-1", 6)
    assert offline.value.retryable is True
