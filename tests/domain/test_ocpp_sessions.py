"""The OCPP session and sample decisions, pure: no database, no central system."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chargebook.domain.models import ChargerState
from chargebook.domain.ocpp import EnergyRegisterMode, MeterReading
from chargebook.domain.ocpp_sessions import (
    NEVER_STOPPED,
    STOP_BEFORE_START,
    TransactionFacts,
    close_transaction,
    reading_sample,
    samples_through,
)

START = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
NOW = START + timedelta(days=1)


def facts(
    mode: EnergyRegisterMode = EnergyRegisterMode.LIFETIME, start_wh: int = 1_000_000
) -> TransactionFacts:
    return TransactionFacts("CP-1", 7, start_wh, START, mode)


def test_a_stopped_transaction_is_an_ok_session_of_the_register_difference() -> None:
    closed = close_transaction(
        facts(),
        meter_stop_wh=1_011_500,
        stopped_at=START + timedelta(hours=2),
        max_current_a=32,
        now=NOW,
    )
    assert closed.problem is None
    assert closed.external_id == "CP-1:7"
    assert closed.session is not None
    assert closed.session.energy_kwh == Decimal("11.5")
    assert closed.session.duration_s == 7200
    assert (closed.session.meter_start_wh, closed.session.meter_stop_wh) == (1_000_000, 1_011_500)


def test_a_session_relative_meter_stop_is_the_energy_itself() -> None:
    closed = close_transaction(
        facts(EnergyRegisterMode.SESSION),
        meter_stop_wh=4_200,
        stopped_at=START + timedelta(hours=1),
        max_current_a=32,
        now=NOW,
    )
    assert closed.problem is None
    assert closed.session is not None
    assert closed.session.energy_kwh == Decimal("4.2")


def test_a_lifetime_meter_stop_below_its_start_is_quarantined_without_figures() -> None:
    closed = close_transaction(
        facts(),
        meter_stop_wh=999_000,
        stopped_at=START + timedelta(hours=1),
        max_current_a=32,
        now=NOW,
    )
    assert closed.session is None
    assert closed.problem == "meterStop 999000 Wh is below meterStart 1000000 Wh"


def test_a_transaction_never_stopped_is_quarantined() -> None:
    closed = close_transaction(
        facts(),
        meter_stop_wh=None,
        stopped_at=START + timedelta(hours=1),
        max_current_a=32,
        now=NOW,
    )
    assert (closed.session, closed.problem) == (None, NEVER_STOPPED)


def test_a_stop_older_than_its_start_is_quarantined_whatever_the_energy() -> None:
    closed = close_transaction(
        facts(),
        meter_stop_wh=1_005_000,
        stopped_at=START - timedelta(seconds=1),
        max_current_a=32,
        now=NOW,
    )
    assert (closed.session, closed.problem) == (None, STOP_BEFORE_START)


def test_more_energy_than_the_charger_can_deliver_is_quarantined_but_kept() -> None:
    # 100 kWh in one hour at 32 A (22 kW at most): implausible, yet the columns hold it.
    closed = close_transaction(
        facts(),
        meter_stop_wh=1_100_000,
        stopped_at=START + timedelta(hours=1),
        max_current_a=32,
        now=NOW,
    )
    assert closed.problem is not None
    assert closed.session is not None
    assert closed.session.energy_kwh == Decimal(100)


@pytest.mark.parametrize(
    ("power_w", "state"),
    [(7_400.0, ChargerState.CHARGING), (0.0, ChargerState.WAITING), (None, ChargerState.WAITING)],
)
def test_a_reading_of_a_transaction_has_its_session_energy_and_state(
    power_w: float | None, state: ChargerState
) -> None:
    reading = MeterReading(
        observed_at=START + timedelta(minutes=30),
        energy_register_wh=1_003_700.0,
        power_w=power_w,
        current_a=32.0,
        extra={"Voltage": 231.0},
    )
    sample = reading_sample(
        "CP-1",
        reading,
        transaction_id=7,
        meter_start_wh=1_000_000,
        mode=EnergyRegisterMode.LIFETIME,
    )
    assert sample.energy_kwh == pytest.approx(3.7)
    assert sample.power_kw == pytest.approx((power_w or 0.0) / 1000)
    assert sample.state is state
    assert sample.extra["transaction_id"] == 7
    assert sample.extra["energy_register_wh"] == 1_003_700.0
    assert sample.extra["current_a"] == 32.0
    assert sample.extra["Voltage"] == 231.0
    assert ("power_w" in sample.extra) is (power_w is not None)


def test_a_reading_outside_any_transaction_has_no_session_energy() -> None:
    reading = MeterReading(observed_at=START, energy_register_wh=1_003_700.0, power_w=0.0)
    sample = reading_sample("CP-1", reading, transaction_id=None)
    assert sample.energy_kwh == 0
    assert sample.state is ChargerState.READY
    assert "transaction_id" not in sample.extra


def test_the_reading_at_the_stop_belongs_to_the_session() -> None:
    stop = START + timedelta(hours=1)
    assert START <= stop < samples_through(stop)
