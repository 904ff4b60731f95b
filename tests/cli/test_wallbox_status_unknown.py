"""`chargebook wallbox status` renders a status whose reply left values out as "unknown"."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from rich.console import Console

from chargebook.cli.wallbox_render import status_table
from chargebook.domain.models import ChargerState, ChargerStatus, MidMeter


def _render(status: ChargerStatus) -> str:
    out = io.StringIO()
    Console(file=out, width=120, color_system=None).print(status_table(status))
    return out.getvalue()


def test_unknown_values_are_shown_as_unknown() -> None:
    status = ChargerStatus(
        charger_external_id="20000",
        observed_at=datetime(2026, 3, 10, tzinfo=UTC),
        state=ChargerState.UNKNOWN,
        status_code=None,
        car_connected=False,
        charging_power_kw=None,
        session_energy_kwh=None,
        session_duration_s=None,
        discharged_energy_kwh=0.0,
        locked=None,
        max_charging_current_a=None,
        max_available_current_a=None,
        icp_max_current_a=None,
        energy_price_per_kwh=None,
        currency=None,
        firmware_version=None,
        firmware_update_available=False,
        eco_smart=None,
        mid=MidMeter(enabled=False),
    )
    text = _render(status)
    for line in ("Power", "Session energy", "Charging time", "Locked", "Current limit"):
        row = next(row for row in text.splitlines() if line in row)
        assert "unknown" in row, row
    assert "code unknown" in text


def test_known_values_keep_their_units() -> None:
    status = ChargerStatus(
        charger_external_id="20000",
        observed_at=datetime(2026, 3, 10, tzinfo=UTC),
        state=ChargerState.CHARGING,
        status_code=193,
        car_connected=True,
        charging_power_kw=7.2,
        session_energy_kwh=44.697,
        session_duration_s=None,  # Home Assistant's fixture has no charging_time
        discharged_energy_kwh=0.0,
        locked=False,
        max_charging_current_a=24,
        max_available_current_a=25,
        icp_max_current_a=20,
        energy_price_per_kwh=None,
        currency=None,
        firmware_version="5.5.10",
        firmware_update_available=False,
        eco_smart=None,
        mid=MidMeter(enabled=False),
    )
    text = _render(status)
    assert "7.20 kW" in text
    assert "44.70 kWh" in text  # kWh with two decimals, as everywhere
    assert "24 A of 25 A" in text
    assert next(r for r in text.splitlines() if "Charging time" in r).count("unknown") == 1
