"""The float shortcut of the energy-above-maximum rule decides exactly as the Decimal rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from chargebook.domain.models import ChargerSource, ChargingSession
from chargebook.sync.validation import (
    ENERGY_SLACK_KWH,
    ENERGY_SLACK_RATIO,
    check_energy_above_maximum,
    max_energy_kwh,
)

START = datetime(2026, 1, 1, tzinfo=UTC)


def decimal_rule(session: ChargingSession, max_current_a: int | None, phases: int) -> bool:
    limit = max_energy_kwh(
        session.started_at, session.ended_at, max_current_a=max_current_a, phases=phases
    )
    return session.energy_kwh > limit * ENERGY_SLACK_RATIO + ENERGY_SLACK_KWH


@settings(max_examples=300, deadline=None)
@given(
    seconds=st.integers(min_value=-3600, max_value=3 * 86_400),
    micros=st.integers(min_value=0, max_value=999_999),
    max_current_a=st.one_of(st.none(), st.integers(min_value=6, max_value=80)),
    phases=st.sampled_from([1, 3]),
    ratio=st.one_of(
        st.floats(min_value=0.0, max_value=2.0),
        st.floats(min_value=0.995, max_value=1.02),  # around the bound and its slack
    ),
)
def test_shortcut_agrees_with_decimals(
    seconds: int, micros: int, max_current_a: int | None, phases: int, ratio: float
) -> None:
    ended = START + timedelta(seconds=seconds, microseconds=micros)
    limit = max_energy_kwh(START, ended, max_current_a=max_current_a, phases=phases)
    energy = (limit * Decimal(repr(ratio))).quantize(Decimal("0.000001"))
    session = ChargingSession(
        source=ChargerSource.WALLBOX_CLOUD,
        external_id="1",
        charger_external_id="c",
        started_at=START,
        ended_at=ended,
        energy_kwh=energy,
        mid_energy_kwh=None,
        discharged_energy_kwh=Decimal(0),
    )
    reason = check_energy_above_maximum(session, max_current_a=max_current_a, phases=phases)
    assert (reason is not None) == decimal_rule(session, max_current_a, phases)
