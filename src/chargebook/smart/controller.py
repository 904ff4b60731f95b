"""`SmartController`: carries a charging plan out on one charger, through the `ChargerControl`
port, and keeps re-planning.

Each `tick()` reads the charger once, accounts the energy since the last reading, re-plans
the energy still missing (cheap: the planner is pure numpy) and applies the runtime rules of
`runtime.decide`. A write (pause, resume, current) is confirmed by reading the status back
(`commands.ConfirmedWrites`). `tick()` returns the seconds until the next slot boundary (or
the poll interval), so it plugs into `jobs.Scheduler` as a job. The session's state and its
arithmetic are in `session`, the price fetching in `price_refresh`.

Re-plans are reported (events) when the car is plugged in, when new prices arrive, when the
goal changes and when departure passes with the goal not met (PLAN_OVERRUN, a warning:
charging goes on, like evcc's planoverrun). Imports: domain, clock, errors and the planner.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from chargebook.clock import Clock
from chargebook.domain.control import ControlFeature, reading_from_status
from chargebook.domain.ports import ChargerControl
from chargebook.domain.prices import (
    ChargeGoal,
    ChargePlan,
    ChargerLimits,
    PlanOptions,
    PriceSource,
)
from chargebook.domain.smart import (
    ChargerReading,
    ControllerEvent,
    EventKind,
    RepeatingPlanStore,
    SavingsLog,
)
from chargebook.errors import ChargebookError
from chargebook.planner import plan_charging
from chargebook.smart.commands import ConfirmedWrites
from chargebook.smart.ledger import session_saving
from chargebook.smart.price_refresh import refresh_prices
from chargebook.smart.repeating import goal_for, next_plan
from chargebook.smart.runtime import Decision, decide, next_change
from chargebook.smart.session import (
    EPS_KWH,
    ControlSession,
    account_reading,
    amps_for,
    max_amps,
    plugged_in_since,
    session_limits,
)
from chargebook.smart.settings import ControllerSettings

_LOGGER = logging.getLogger(__name__)


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
        self._session: ControlSession | None = None
        self._one_off: ChargeGoal | None = None
        self._last_read_at: datetime | None = None
        self._pending_reason: str | None = None
        self._writes = ConfirmedWrites(
            clock, self.settings, read=self._read, on_reading=self._confirming, emit=self._emit
        )

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
        account_reading(session, reading, self.limits)
        if session.goal is None and self._pending_reason == "plan changed":
            session.goal, session.options = self._resolve_goal(now, reading)
            session.goal_reached = session.overrun_warned = False
        if session.goal is None:
            return poll
        reason = await refresh_prices(
            session, now, self._prices, refresh_s=self.settings.price_refresh_s, emit=self._emit
        )
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

    def _start_session(self, reading: ChargerReading) -> ControlSession:
        now = reading.observed_at
        plugged_in = plugged_in_since(reading, self._last_read_at)
        session = ControlSession(plugged_in, plugged_in, 0.0)
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
        if session.goal is not None and session.ledger.energy_kwh > EPS_KWH:
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
            full = max_amps(self.limits)
            await self._writes.write(lambda: self._charger.set_current(self.charger_id, full))

    def _confirming(self, reading: ChargerReading) -> None:
        """A reading taken to confirm a write counts for the session like a tick's."""
        if self._session is not None and reading.car_connected:
            account_reading(self._session, reading, self.limits)

    # -- planning -----------------------------------------------------------------------

    def _limits(self, session: ControlSession) -> ChargerLimits:
        return session_limits(self.limits, session.car_power_kw)

    def _replan(
        self, session: ControlSession, now: datetime, reading: ChargerReading, reason: str | None
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
        if remaining <= EPS_KWH and not session.goal_reached:
            session.goal_reached = True
            self._emit(EventKind.GOAL_REACHED, f"goal reached: {delivered:.2f} kWh")
        if now >= goal.departure and remaining > EPS_KWH and not session.overrun_warned:
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

    async def _apply(
        self, session: ControlSession, reading: ChargerReading, decision: Decision
    ) -> None:
        charger, cid = self._charger, self.charger_id
        if not decision.charge:
            session.running_until = None
            if reading.charging:
                await self._writes.command(
                    lambda: charger.set_charging(cid, False),
                    lambda r: not r.charging,
                    EventKind.CHARGING_PAUSED,
                    f"paused: {decision.reason}",
                )
            return
        session.running_until = decision.run_end
        if reading.current_limit_a is not None and self._steers_current():
            amps = amps_for(decision.power_kw, self.limits, self._limits(session))
            if abs(reading.current_limit_a - amps) >= 0.5:
                await self._writes.command(
                    lambda: charger.set_current(cid, amps),
                    lambda r: r.current_limit_a is not None and abs(r.current_limit_a - amps) < 0.5,
                    EventKind.CURRENT_SET,
                    f"current set to {amps} A",
                )
        if reading.paused:
            await self._writes.command(
                lambda: charger.set_charging(cid, True),
                lambda r: not r.paused,
                EventKind.CHARGING_RESUMED,
                f"resumed: {decision.reason}",
            )

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
