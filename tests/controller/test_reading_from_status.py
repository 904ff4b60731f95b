"""The smart controller's reading of the port's live state: a state that lacks what steering
needs is a clear, retryable error (the controller waits for the next reading), never a crash or
a made-up 0; a current limit is only needed where the system reports one (not OCPP)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from chargebook.central_system.control import CAPABILITIES as OCPP
from chargebook.domain.control import (
    ControlCapabilities,
    LiveStateIncompleteError,
    reading_from_status,
)
from chargebook.domain.models import ChargerState, ChargerStatus, MidMeter
from chargebook.wallbox.control import CAPABILITIES as WALLBOX

STATUS = ChargerStatus(
    charger_external_id="42",
    observed_at=datetime(2026, 3, 10, 20, tzinfo=UTC),
    state=ChargerState.CHARGING,
    status_code=194,
    car_connected=True,
    charging_power_kw=7.4,
    session_energy_kwh=3.2,
    session_duration_s=None,
    discharged_energy_kwh=0.0,
    locked=False,
    max_charging_current_a=16,
    max_available_current_a=32,
    icp_max_current_a=None,
    energy_price_per_kwh=None,
    currency=None,
    firmware_version=None,
    firmware_update_available=False,
    eco_smart=None,
    mid=MidMeter(enabled=False),
)


def test_a_complete_status_without_charging_time_is_read() -> None:
    reading = reading_from_status("42", STATUS, WALLBOX)
    assert reading.power_kw == 7.4
    assert reading.session_energy_kwh == 3.2
    assert reading.current_limit_a == 16.0
    assert reading.charging is True


@pytest.mark.parametrize(
    ("field", "capabilities"),
    [
        ("charging_power_kw", WALLBOX),
        ("session_energy_kwh", WALLBOX),
        ("max_charging_current_a", WALLBOX),
        ("charging_power_kw", OCPP),
        ("session_energy_kwh", OCPP),
    ],
)
def test_a_missing_value_steering_needs_is_a_retryable_error(
    field: str, capabilities: ControlCapabilities
) -> None:
    status = dataclasses.replace(STATUS, **{field: None})  # type: ignore[arg-type]
    with pytest.raises(LiveStateIncompleteError) as info:
        reading_from_status("42", status, capabilities)
    assert info.value.field == field
    assert info.value.retryable is True
    assert info.value.charger_id == "42"


def test_a_system_that_does_not_report_its_limit_is_steered_without_it() -> None:
    status = dataclasses.replace(STATUS, max_charging_current_a=None)
    reading = reading_from_status("CP-1", status, OCPP)
    assert reading.current_limit_a is None
    assert reading.power_kw == 7.4
