"""`SmartController`: carries a charging plan out on one charger, through the `ChargerControl`
port, and keeps re-planning.

Each `tick()` reads the charger once, accounts the energy since the last reading, re-plans
the energy still missing (cheap: the planner is pure numpy) and applies the runtime rules of
`runtime.decide`. A write (pause, resume, current) is confirmed by reading the status back;
when the charger did not follow, the write is repeated up to `write_attempts` times, then a
warning event is emitted and the next tick tries again. `tick()` returns the seconds until
the next slot boundary (or the poll interval), so it plugs into `jobs.Scheduler` as a job.

Re-plans are reported (events) when the car is plugged in, when new prices arrive, when the
goal changes and when departure passes with the goal not met (PLAN_OVERRUN, a warning:
charging goes on, like evcc's planoverrun). Imports: domain, clock, errors and the planner.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from chargebook.clock import Clock
from chargebook.domain.control import ControlFeature, reading_from_status
from chargebook.domain.ports import ChargerControl
from chargebook.domain.prices import (
    ChargeGoal,
    ChargePlan,
    ChargerLimits,
    PlanOptions,
    PriceCurve,
    PriceSource,
    floor_to_slot,
)
from chargebook.domain.smart import (
    ChargerReading,
    ControllerEvent,
    EventKind,
    RepeatingPlan,
    RepeatingPlanStore,
    SavingsLog,
)
from chargebook.errors import ChargebookError
from chargebook.planner import plan_charging
from chargebook.smart.ledger import EnergyLedger, session_saving
from chargebook.smart.repeating import goal_for, next_plan
from chargebook.smart.runtime import SMALL_SLOT, Decision, decide, next_change

_LOGGER = logging.getLogger(__name__)
_EPS_KWH = 1e-3


@dataclass(frozen=True, slots=True)
class ControllerSettings:
    """Knobs; seconds unless said otherwise. Reads cost budget (Wallbox: 3/min, writes 5/min)."""

    poll_interval_s: float = 300.0
    price_refresh_s: float = 900.0
    small_slot: timedelta = SMALL_SLOT
    confirm_delay_s: float = 10.0
    write_attempts: int = 3
    control_current: bool = True
    # Plan to finish this long before departure: ticks, confirm delays and a car that tapers
    # eat a few minutes, and a just-in-time plan has no slack for them.
    departure_margin: timedelta = timedelta(minutes=5)
    options: PlanOptions = field(default_factory=PlanOptions)


class StaticPlans:
    """A `RepeatingPlanStore` over a fixed list (tests, single-charger setups)."""

    def __init__(self, plans: Sequence[RepeatingPlan]) -> None:
        self._plans = list(plans)

    def repeating_plans(self, charger_id: str) -> list[RepeatingPlan]:
        return list(self._plans)


@dataclass(slots=True)
class _Session:
    plugged_in_at: datetime
    last_read_at: datetime
    last_energy_kwh: float
    goal: ChargeGoal | None = None
    baseline_kwh: float = 0.0
    curve: PriceCurve | None = None
    prices_checked_at: datetime | None = None
    prices_failing: bool = False
    car_power_kw: float | None = None
    running_until: datetime | None = None
    overrun_warned: bool = False
    goal_reached: bool = False
    planned: bool = False
    options: PlanOptions | None = None  # the repeating plan's strategy (None: settings')
    ledger: EnergyLedger = field(default_factory=EnergyLedger)


class SmartController:
    """Smart charging for one charger (see the module docstring)."""

    def __init__(
        self,
        charger_id: str,
        charger: ChargerControl,
        prices: PriceSource,
        clock: Clock,
        *,
        limits: ChargerLimits,
        plans: RepeatingPlanStore | None = None,
        savings: SavingsLog | None = None,
        settings: ControllerSettings | None = None,
        on_event: Callable[[ControllerEvent], None] | None = None,
    ) -> None:
        self.charger_id = charger_id
        self._charger = charger
        self._prices = prices
        self._clock = clock
        self.limits = limits
        self._plans = plans
        self._savings = savings
        self.settings = settings or ControllerSettings()
        self._on_event = on_event
        self.events: list[ControllerEvent] = []
        self.plan: ChargePlan | None = None
        self._session: _Session | None = None
        self._one_off: ChargeGoal | None = None
        self._last_read_at: datetime | None = None
        self._pending_reason: str | None = None

    # -- public -------------------------------------------------------------------------

    def set_goal(self, goal: ChargeGoal | None) -> None:
        """A one-off goal for the current session (or the next plug-in); None clears it.
        It takes precedence over the repeating plans and ends with the session."""
        self._one_off = goal
        if self._session is not None:
            self._session.goal = goal
            self._session.options = None
            self._session.baseline_kwh = self._session.last_energy_kwh
            self._session.goal_reached = self._session.overrun_warned = False
            self._pending_reason = "new goal"

    def plans_changed(self) -> None:
        """The repeating plans were edited: a running session without a one-off goal takes
        the new goal and strategy at the next tick (energy already delivered counts)."""
        session = self._session
        if session is None or self._one_off is not None:
            return
        session.goal = None
        session.options = None
        self._pending_reason = "plan changed"

    @property
    def session_active(self) -> bool:
        return self._session is not None

    async def tick(self) -> float:
        """Read, account, re-plan, act. Returns seconds until the next tick (>= 1)."""
        now = self._clock.now()
        poll = self.settings.poll_interval_s
        try:
            reading = await self._read()
        except ChargebookError as exc:
            self._emit(EventKind.READ_FAILED, f"cannot read the charger: {exc.message}")
            return poll
        if not reading.car_connected:
            if self._session is not None:
                await self._end_session(reading)
            self._last_read_at = reading.observed_at
            return poll
        session = self._session or self._start_session(reading)
        self._account(session, reading)
        if session.goal is None and self._pending_reason == "plan changed":
            session.goal, session.options = self._resolve_goal(now, reading)
            session.goal_reached = session.overrun_warned = False
        if session.goal is None:
            return poll
        reason = await self._refresh_prices(session, now)
        plan = self._replan(session, now, reading, reason)
        decision = decide(
            plan,
            now,
            charging=reading.charging,
            running_until=session.running_until,
            small_slot=self.settings.small_slot,
        )
        await self._apply(session, reading, decision)
        upcoming = next_change(plan, now)
        delay = poll if upcoming is None else min(poll, (upcoming - now).total_seconds())
        return max(delay, 1.0)

    async def _read(self) -> ChargerReading:
        """The charger's live state as steering needs it (raises `ChargebookError`)."""
        status = await self._charger.read(self.charger_id)
        return reading_from_status(
            self.charger_id, status, self._charger.capabilities(self.charger_id)
        )

    def _steers_current(self) -> bool:
        """Whether to set the current: wanted, and the charger's system can."""
        if not self.settings.control_current:
            return False
        try:
            return self._charger.capabilities(self.charger_id).supports(ControlFeature.CURRENT)
        except ChargebookError:  # its system stopped since the reading
            return False

    async def run_until(self, end: datetime) -> None:
        """Tick until the clock reaches `end` (a FixedClock fast-forwards a night)."""
        while (now := self._clock.now()) < end:
            delay = await self.tick()
            left = (end - self._clock.now()).total_seconds()
            if left <= 0:
                break
            await self._clock.sleep(min(delay, left))
            assert self._clock.now() > now, "the clock must move forward"

    # -- sessions -----------------------------------------------------------------------

    def _start_session(self, reading: ChargerReading) -> _Session:
        now = reading.observed_at
        plugged_in = now
        if reading.charging and reading.power_kw > 0 and reading.session_energy_kwh > 0:
            plugged_in = now - timedelta(hours=reading.session_energy_kwh / reading.power_kw)
        if self._last_read_at is not None:
            plugged_in = max(plugged_in, self._last_read_at)
        session = _Session(plugged_in, plugged_in, 0.0)
        session.goal, session.options = self._resolve_goal(now, reading)
        self._session = session
        if session.goal is None:
            self._emit(EventKind.PLUGGED_IN, "car plugged in")
            self._emit(EventKind.NO_GOAL, "no goal and no active plan: charging at once")
        else:
            self._emit(
                EventKind.PLUGGED_IN,
                f"car plugged in: {session.goal.energy_kwh:.1f} kWh "
                f"by {session.goal.departure.isoformat()}",
            )
        self._pending_reason = "plugged in"
        return session

    def _resolve_goal(
        self, now: datetime, reading: ChargerReading
    ) -> tuple[ChargeGoal | None, PlanOptions | None]:
        if self._one_off is not None and self._one_off.departure > now:
            return self._one_off, None
        if self._plans is None:
            return None, None
        found = next_plan(self._plans.repeating_plans(self.charger_id), now)
        if found is None:
            return None, None
        plan, departure = found
        goal = goal_for(plan, departure, current_soc_pct=reading.state_of_charge_pct)
        return goal, plan.plan_options(self.settings.options)

    async def _end_session(self, reading: ChargerReading) -> None:
        session = self._session
        assert session is not None
        self._session = None
        self._one_off = None
        self.plan = None
        self._emit(EventKind.UNPLUGGED, f"car unplugged after {session.ledger.energy_kwh:.2f} kWh")
        if session.goal is not None and session.ledger.energy_kwh > _EPS_KWH:
            saving = session_saving(
                self.charger_id,
                session.ledger,
                plugged_in_at=session.plugged_in_at,
                unplugged_at=reading.observed_at,
                limits=self._limits(session),
                curve=session.curve,
            )
            if self._savings is not None:
                try:
                    self._savings.record_saving(saving)
                except ChargebookError as exc:
                    self._emit(EventKind.COMMAND_FAILED, f"cannot store the saving: {exc.message}")
            self._emit(
                EventKind.SAVING_RECORDED,
                f"{saving.energy_kwh:.2f} kWh for €{saving.actual_cost_eur:.2f}; "
                f"at once €{saving.charge_now_cost_eur:.2f}; saved €{saving.saving_eur:.2f}",
            )
        if (
            reading.current_limit_a is not None
            and reading.current_limit_a < self.limits.max_current_a
            and self._steers_current()
        ):
            # Leave the charger as we found it: full current for whoever charges next.
            await self._write(lambda: self._charger.set_current(self.charger_id, self._max_a()))

    def _account(self, session: _Session, reading: ChargerReading) -> None:
        delta = reading.session_energy_kwh - session.last_energy_kwh
        if delta < -_EPS_KWH:  # the counter restarted: a new session we did not see begin
            delta = reading.session_energy_kwh
        power = reading.power_kw if reading.charging else 0.0
        session.ledger.add(session.last_read_at, reading.observed_at, delta, power)
        session.last_energy_kwh = reading.session_energy_kwh
        session.last_read_at = reading.observed_at
        if reading.charging and reading.power_kw > 0:
            at_max = reading.current_limit_a is None or (
                reading.current_limit_a >= self.limits.max_current_a - 0.5
            )
            if at_max:
                learned = min(reading.power_kw, self.limits.power_kw)
                session.car_power_kw = max(session.car_power_kw or 0.0, learned)

    # -- planning -----------------------------------------------------------------------

    async def _refresh_prices(self, session: _Session, now: datetime) -> str | None:
        assert session.goal is not None
        checked = session.prices_checked_at
        due = session.curve is None or (
            not session.curve.complete
            and checked is not None
            and (now - checked).total_seconds() >= self.settings.price_refresh_s
        )
        if not due or session.goal.departure <= now:
            return None
        session.prices_checked_at = now
        start = floor_to_slot(session.plugged_in_at)
        try:
            curve = await self._prices.get_prices(start, session.goal.departure)
        except ChargebookError as exc:
            if not session.prices_failing:
                self._emit(EventKind.PRICES_UNAVAILABLE, f"no prices: {exc.message}")
            session.prices_failing = True
            return None
        session.prices_failing = False
        before = session.curve.known_until if session.curve is not None else None
        session.curve = curve
        if before is not None and curve.known_until != before and curve.known_until is not None:
            message = f"prices known until {curve.known_until.isoformat()}"
            self._emit(EventKind.PRICES_UPDATED, message)
            return "new prices"
        if curve.known_until is None or not curve.complete:
            known = curve.known_until.isoformat() if curve.known_until else "nothing"
            self._emit(EventKind.PRICES_UNAVAILABLE, f"not all prices published: known {known}")
        return None

    def _limits(self, session: _Session) -> ChargerLimits:
        car = session.car_power_kw
        if car is None or car >= self.limits.power_kw - 1e-6:
            return self.limits
        # The car, not the charger, is the limit: plan with what it actually draws.
        per_amp_kw = self.limits.phases * self.limits.voltage_v / 1000.0
        return replace(
            self.limits,
            min_current_a=min(self.limits.min_current_a, car / per_amp_kw),
            max_power_kw=car,
        )

    def _replan(
        self, session: _Session, now: datetime, reading: ChargerReading, reason: str | None
    ) -> ChargePlan:
        goal = session.goal
        assert goal is not None
        delivered = reading.session_energy_kwh - session.baseline_kwh
        remaining = max(0.0, goal.energy_kwh - delivered)
        target = goal.departure - self.settings.departure_margin
        plan = plan_charging(
            ChargeGoal(energy_kwh=remaining, departure=target if target > now else goal.departure),
            self._limits(session),
            session.curve,
            now=now,
            options=session.options or self.settings.options,
        )
        self.plan = plan
        reason = self._pending_reason or reason
        self._pending_reason = None
        if remaining <= _EPS_KWH and not session.goal_reached:
            session.goal_reached = True
            self._emit(EventKind.GOAL_REACHED, f"goal reached: {delivered:.2f} kWh")
        if now >= goal.departure and remaining > _EPS_KWH and not session.overrun_warned:
            session.overrun_warned = True
            reason = reason or "departure passed"
            self._emit(
                EventKind.PLAN_OVERRUN,
                f"departure passed {remaining:.2f} kWh short of the goal: charging on",
            )
        if reason is not None:
            kind = EventKind.REPLANNED if session.planned else EventKind.PLANNED
            session.planned = True
            self._emit(
                kind,
                f"{reason}: {plan.status.value}, {len(plan.slots)} slots, "
                f"{plan.energy_kwh:.2f} kWh, €{plan.cost_eur:.2f}",
            )
        return plan

    # -- acting -------------------------------------------------------------------------

    def _max_a(self) -> int:
        return int(self.limits.max_current_a)

    def _amps_for(self, power_kw: float | None, limits: ChargerLimits) -> int:
        # Only the planner's "minimum power for part of a quarter" slots are throttled. A
        # slot planned between minimum and full power runs at full power: the goal is met a
        # little earlier and the next re-plan shrinks the rest, which costs no extra writes
        # (Wallbox allows 5 a minute, and some firmware misbehaves on frequent current changes).
        if power_kw is None or power_kw > limits.min_power_kw + 0.05:
            return self._max_a()
        per_amp_kw = self.limits.phases * self.limits.voltage_v / 1000.0
        amps = math.ceil(power_kw / per_amp_kw - 1e-6)
        return max(math.ceil(self.limits.min_current_a), min(self._max_a(), amps))

    async def _apply(self, session: _Session, reading: ChargerReading, decision: Decision) -> None:
        charger, cid = self._charger, self.charger_id
        if not decision.charge:
            session.running_until = None
            if reading.charging:
                await self._command(
                    lambda: charger.set_charging(cid, False),
                    lambda r: not r.charging,
                    EventKind.CHARGING_PAUSED,
                    f"paused: {decision.reason}",
                )
            return
        session.running_until = decision.run_end
        if reading.current_limit_a is not None and self._steers_current():
            amps = self._amps_for(decision.power_kw, self._limits(session))
            if abs(reading.current_limit_a - amps) >= 0.5:
                await self._command(
                    lambda: charger.set_current(cid, amps),
                    lambda r: r.current_limit_a is not None and abs(r.current_limit_a - amps) < 0.5,
                    EventKind.CURRENT_SET,
                    f"current set to {amps} A",
                )
        if reading.paused:
            await self._command(
                lambda: charger.set_charging(cid, True),
                lambda r: not r.paused,
                EventKind.CHARGING_RESUMED,
                f"resumed: {decision.reason}",
            )

    async def _command(
        self,
        write: Callable[[], Awaitable[None]],
        confirmed: Callable[[ChargerReading], bool],
        kind: EventKind,
        message: str,
    ) -> bool:
        """Write, read back, repeat while the charger did not follow (bounded)."""
        attempts = max(1, self.settings.write_attempts)
        for attempt in range(1, attempts + 1):
            if not await self._write(write):
                return False
            await self._clock.sleep(self.settings.confirm_delay_s)
            try:
                reading = await self._read()
            except ChargebookError as exc:
                self._emit(EventKind.READ_FAILED, f"cannot confirm: {exc.message}")
                return False
            if self._session is not None and reading.car_connected:
                self._account(self._session, reading)
            if confirmed(reading):
                suffix = f" (after {attempt} attempts)" if attempt > 1 else ""
                self._emit(kind, message + suffix)
                return True
            if attempt < attempts:
                self._emit(EventKind.WRITE_RETRIED, f"not confirmed, retrying: {message}")
        self._emit(
            EventKind.WRITE_UNCONFIRMED,
            f"the charger did not follow after {attempts} attempts: {message}",
        )
        return False

    async def _write(self, write: Callable[[], Awaitable[None]]) -> bool:
        try:
            await write()
        except ChargebookError as exc:
            self._emit(EventKind.COMMAND_FAILED, f"command failed: {exc.message}")
            return False
        return True

    def _emit(self, kind: EventKind, message: str) -> None:
        event = ControllerEvent(self._clock.now(), self.charger_id, kind, message)
        self.events.append(event)
        _LOGGER.log(
            logging.WARNING if event.warning else logging.INFO,
            "smart %s: %s: %s",
            self.charger_id,
            kind.value,
            message,
        )
        if self._on_event is not None:
            self._on_event(event)
