"""The smart controller's Wallbox reading: a status that lacks what steering needs is a clear,
retryable error (the controller waits for the next reading), never a crash or a made-up 0."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from chargebook.domain.models import ChargerState, ChargerStatus, MidMeter
from chargebook.smart.adapters.wallbox import reading_from_status
from chargebook.wallbox import WallboxPayloadError

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
    reading = reading_from_status("42", STATUS)
    assert reading.power_kw == 7.4
    assert reading.session_energy_kwh == 3.2
    assert reading.current_limit_a == 16.0
    assert reading.charging is True


@pytest.mark.parametrize(
    ("field", "wire"),
    [
        ("charging_power_kw", "charging_power"),
        ("session_energy_kwh", "added_energy"),
        ("max_charging_current_a", "config_data.max_charging_current"),
    ],
)
def test_a_missing_value_steering_needs_is_a_retryable_payload_error(field: str, wire: str) -> None:
    with pytest.raises(WallboxPayloadError) as info:
        reading_from_status("42", dataclasses.replace(STATUS, **{field: None}))  # type: ignore[arg-type]
    assert info.value.field == wire
    assert info.value.retryable is True
    assert info.value.charger_id == "42"
