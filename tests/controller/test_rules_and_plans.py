"""Runtime rules (evcc's plannerActive), repeating plans across DST, and the import rule."""

from __future__ import annotations

import ast
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

import chargebook.smart
from chargebook.domain.prices import (
    ChargeGoal,
    ChargePlan,
    PlannedSlot,
    PlanStatus,
    Strategy,
)
from chargebook.domain.smart import RepeatingPlan
from chargebook.smart import decide, goal_for, next_departure, next_plan

T0 = datetime(2025, 12, 17, 1, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def plan(*runs: tuple[int, int], status: PlanStatus = PlanStatus.OPTIMISED) -> ChargePlan:
    """A plan with runs given as (start, end) minutes after T0; departure at T0 + 5 h."""
    slots = tuple(
        PlannedSlot(T0 + a * MIN, T0 + b * MIN, 11.0, 11.0 * (b - a) / 60, Decimal("0.2"))
        for a, b in runs
    )
    goal = ChargeGoal(energy_kwh=10.0, departure=T0 + timedelta(hours=5))
    return ChargePlan(goal, Strategy.CHEAPEST, status, slots, 10.0, 0.0, Decimal(1), True)


def test_an_isolated_short_run_is_skipped_unless_already_charging() -> None:
    short = plan((60, 70))
    assert not decide(short, T0 + 60 * MIN, charging=False, running_until=None).charge
    assert decide(short, T0 + 60 * MIN, charging=True, running_until=None).charge
    assert decide(plan((60, 90)), T0 + 60 * MIN, charging=False, running_until=None).charge
    urgent = plan((60, 70), status=PlanStatus.NOT_ENOUGH_TIME)
    assert decide(urgent, T0 + 60 * MIN, charging=False, running_until=None).charge


def test_a_running_slot_is_finished_when_a_replan_moves_away() -> None:
    moved = plan((200, 260))
    running = decide(moved, T0 + 65 * MIN, charging=True, running_until=T0 + 75 * MIN)
    assert running.charge
    assert running.reason == "finish the running slot"
    assert not decide(moved, T0 + 75 * MIN, charging=True, running_until=T0 + 75 * MIN).charge


def test_no_stop_when_the_next_start_is_near() -> None:
    gap = plan((0, 60), (70, 120))
    assert decide(gap, T0 + 60 * MIN, charging=True, running_until=T0 + 60 * MIN).charge
    far = plan((0, 60), (90, 120))
    assert not decide(far, T0 + 60 * MIN, charging=True, running_until=T0 + 60 * MIN).charge


def test_goal_reached_stops_and_a_passed_departure_keeps_charging() -> None:
    done = plan()
    done = ChargePlan(
        ChargeGoal(0.0, done.goal.departure),
        done.strategy,
        PlanStatus.NOTHING_TO_DO,
        (),
        0.0,
        0.0,
        Decimal(0),
        True,
    )
    assert not decide(done, T0, charging=True, running_until=None).charge
    late = plan()
    assert decide(late, late.goal.departure + MIN, charging=False, running_until=None).charge


AMS = "Europe/Amsterdam"


def test_weekday_departures_keep_the_wall_clock_across_spring_forward() -> None:
    weekdays = RepeatingPlan(frozenset(range(5)), time(7, 0), AMS, energy_kwh=20)
    friday = datetime(2026, 3, 27, 8, 0, tzinfo=UTC)
    # Mon 30 Mar 07:00 CEST (DST started Sun 29 Mar) is 05:00 UTC; before it was 06:00 UTC.
    assert next_departure(weekdays, friday) == datetime(2026, 3, 30, 5, 0, tzinfo=UTC)
    assert next_departure(weekdays, datetime(2026, 3, 26, 8, tzinfo=UTC)) == datetime(
        2026, 3, 27, 6, 0, tzinfo=UTC
    )


def test_a_departure_in_the_skipped_hour_moves_forward_and_fall_back_happens_once() -> None:
    daily = RepeatingPlan(frozenset(range(7)), time(2, 30), AMS, energy_kwh=5)
    # 02:30 does not exist on 29 Mar 2026: it is read as 03:30 CEST = 01:30 UTC.
    spring = next_departure(daily, datetime(2026, 3, 28, 12, tzinfo=UTC))
    assert spring == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert next_departure(daily, spring) == datetime(2026, 3, 30, 0, 30, tzinfo=UTC)
    # 02:30 happens twice on 25 Oct 2026: the first (CEST, 00:30 UTC) counts, once.
    autumn = next_departure(daily, datetime(2026, 10, 24, 12, tzinfo=UTC))
    assert autumn == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert next_departure(daily, autumn) == datetime(2026, 10, 26, 1, 30, tzinfo=UTC)


def test_next_plan_skips_inactive_plans_and_picks_the_earliest() -> None:
    now = datetime(2026, 1, 5, 12, tzinfo=UTC)  # a Monday
    monday_evening = RepeatingPlan(frozenset({0}), time(22, 0), AMS, energy_kwh=5, active=False)
    tuesday = RepeatingPlan(frozenset({1}), time(7, 0), AMS, energy_kwh=12)
    wednesday = RepeatingPlan(frozenset({2}), time(7, 0), AMS, energy_kwh=30)
    found = next_plan([wednesday, monday_evening, tuesday], now)
    assert found == (tuesday, datetime(2026, 1, 6, 6, 0, tzinfo=UTC))
    assert next_plan([monday_evening], now) is None


def test_a_soc_goal_uses_capacity_and_efficiency() -> None:
    soc = RepeatingPlan(frozenset({0}), time(7), AMS, target_soc_pct=80, capacity_kwh=60)
    departure = datetime(2026, 1, 6, 6, tzinfo=UTC)
    assert goal_for(soc, departure, current_soc_pct=50).energy_kwh == pytest.approx(20.0)
    assert goal_for(soc, departure).energy_kwh == pytest.approx(48 / 0.9)  # SoC unknown


@pytest.mark.parametrize(
    "kwargs",
    [
        {"weekdays": frozenset(), "energy_kwh": 5},
        {"weekdays": frozenset({7}), "energy_kwh": 5},
        {"weekdays": frozenset({1})},
        {"weekdays": frozenset({1}), "energy_kwh": 5, "target_soc_pct": 80, "capacity_kwh": 50},
        {"weekdays": frozenset({1}), "target_soc_pct": 80},
        {"weekdays": frozenset({1}), "energy_kwh": 5, "time_zone": "Mars/Olympus"},
    ],
)
def test_invalid_plans_are_refused(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"weekdays|goal|capacity|time zone"):
        RepeatingPlan(departure=time(7), **kwargs)  # type: ignore[arg-type]


ALLOWED = ("chargebook.domain", "chargebook.clock", "chargebook.errors", "chargebook.planner")
CORE = ("controller.py", "runtime.py", "repeating.py", "ledger.py", "__init__.py")


def test_the_controller_core_imports_only_domain_clock_errors_and_the_planner() -> None:
    package = Path(chargebook.smart.__file__).parent
    for name in CORE:
        tree = ast.parse((package / name).read_text())
        for node in ast.walk(tree):
            modules: list[str] = []
            if isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module]
            for module in modules:
                assert module.split(".")[0] not in {"httpx", "sqlalchemy", "websockets", "ocpp"}
                if module.startswith("chargebook") and not module.startswith("chargebook.smart"):
                    assert module.startswith(ALLOWED), f"{name} imports {module}"
