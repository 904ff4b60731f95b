"""An impossible goal: the most energy by departure and the earliest finish, in words."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chargebook.domain.prices import ChargeGoal, ChargerLimits
from chargebook.planner import explain, goal_feasibility, plan_charging

ZONE = "Europe/Amsterdam"
# 06:00 and 07:00 in Amsterdam (CET, UTC+1) on a Tuesday.
SIX = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)
SEVEN = datetime(2026, 3, 10, 6, 0, tzinfo=UTC)
LIMITS_16A = ChargerLimits(max_current_a=16, phases=3, voltage_v=230)  # 11.04 kW


def test_sixty_kwh_in_one_hour_at_16a_is_impossible_and_says_what_is_possible() -> None:
    result = goal_feasibility(ChargeGoal(60, SEVEN), LIMITS_16A, now=SIX)
    assert not result.feasible
    assert result.reachable_kwh == pytest.approx(11.04)
    # 60 / 11.04 h = 5 h 26.1 min after 06:00, rounded up to the minute.
    assert result.earliest_finish == datetime(2026, 3, 10, 10, 27, tzinfo=UTC)
    text = explain(result, ZONE)
    assert text == (
        "60.0 kWh cannot be charged by Tue 07:00: at 11.0 kW the charger adds at most "
        "11.0 kWh by then. Lower the goal to 11.0 kWh, or leave at 11:27 or later."
    )


def test_the_answer_agrees_with_the_planners_shortfall() -> None:
    now = datetime(2026, 3, 10, 5, 7, 30, tzinfo=UTC)  # inside a quarter
    goal = ChargeGoal(60, SEVEN)
    plan = plan_charging(goal, LIMITS_16A, None, now=now)
    result = goal_feasibility(goal, LIMITS_16A, now=now)
    assert result.reachable_kwh == pytest.approx(plan.energy_kwh, abs=1e-3)


def test_a_goal_that_fits_has_no_message() -> None:
    result = goal_feasibility(ChargeGoal(11, SEVEN), LIMITS_16A, now=SIX)
    assert result.feasible
    assert explain(result, ZONE) is None


def test_a_finish_on_another_day_names_the_day() -> None:
    late = datetime(2026, 3, 10, 21, 0, tzinfo=UTC)  # 22:00 local
    goal = ChargeGoal(60, datetime(2026, 3, 10, 22, 0, tzinfo=UTC))
    text = explain(goal_feasibility(goal, LIMITS_16A, now=late), ZONE)
    assert text is not None
    assert "leave at Wed 03:27 or later" in text


def test_a_departure_already_past_reaches_nothing() -> None:
    result = goal_feasibility(ChargeGoal(5, SIX), LIMITS_16A, now=SEVEN)
    assert result.reachable_kwh == 0.0
    assert not result.feasible
