"""Smart charging while `chargebook serve` runs: one `SmartController` per charger with an
active repeating plan.

`SmartRuntime.run()` scans the book's plans every `rescan_s` (or at once after `wake()`, which
the plan editor calls on save), starts a controller loop for each charger that has an active
plan, tells a running controller when its plans changed, and stops the loops of chargers whose
plans are gone or paused. Each controller loop calls `tick()` and sleeps for the delay it asks
for (the next slot boundary or the poll interval); `tick()` refreshes the prices while
tomorrow's are missing and re-plans when they arrive (see `smart.controller`).

Chargers are driven through the one `ChargerControl` port that the composition root's
`chargers(charger)` gives for each book charger (the web app's `ChargerControls`: see
`web.lifespan`), on the `prices` it hands over, each priced at its owner's tariff
(`chargebook.tariffs`). `run_smart_charging(parts, ...)` is the lifespan's part.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

from chargebook.clock import Clock
from chargebook.db import ChargerRepository
from chargebook.db.smart.repository import SmartPlanRepository
from chargebook.db.smart.store import DatabaseSmartStore
from chargebook.domain.ports import ChargerControl
from chargebook.domain.prices import PriceCache, PriceSource
from chargebook.domain.smart import ControllerEvent, RepeatingPlan
from chargebook.domain.stored import StoredCharger
from chargebook.domain.tariffs import TariffSchedule
from chargebook.errors import ChargebookError
from chargebook.prices import (
    CachedPriceSource,
    EnergyZeroPriceSource,
    EntsoePriceSource,
    FallbackPriceSource,
)
from chargebook.prices.tariffed import TariffedPriceSource
from chargebook.serve.parts import RuntimeParts
from chargebook.serve.plan_events import announce_unmet
from chargebook.settings import Settings
from chargebook.smart import ControllerSettings, SmartController
from chargebook.smart.limits import charger_limits
from chargebook.tariffs.service import owner_schedule

_LOGGER = logging.getLogger(__name__)
EVENTS_KEPT = 50
# The port that reads and commands one book charger (given by the composition root).
ChargerPorts = Callable[[StoredCharger], ChargerControl]


def network_price_source(settings: Settings, cache: PriceCache) -> PriceSource:
    """EnergyZero, then ENTSO-E (with the configured token), each cached in the book."""
    token = settings.entsoe_token.get_secret_value() if settings.entsoe_token else ""
    return FallbackPriceSource(
        [
            CachedPriceSource(EnergyZeroPriceSource(), cache),
            CachedPriceSource(EntsoePriceSource(security_token=token), cache),
        ]
    )


@dataclass(eq=False)
class _Running:
    controller: SmartController
    plans: tuple[RepeatingPlan, ...]
    task: asyncio.Task[None]
    events: deque[ControllerEvent] = field(default_factory=lambda: deque(maxlen=EVENTS_KEPT))


class SmartRuntime:
    """The controllers of every charger with an active plan (see the module docstring)."""

    def __init__(
        self,
        parts: RuntimeParts,
        *,
        chargers: ChargerPorts,
        prices: PriceSource,
        settings: ControllerSettings | None = None,
        rescan_s: float = 60.0,
    ) -> None:
        """`chargers(charger)`: the port that reads and commands a book charger; `prices`:
        the day-ahead prices every controller plans on."""
        self._parts = parts
        self._chargers = chargers
        self._prices = prices
        self._clock: Clock = parts.clock
        self._settings = settings or ControllerSettings()
        self._rescan_s = rescan_s
        self._running: dict[int, _Running] = {}
        self._stopping = asyncio.Event()
        self._wake = asyncio.Event()
        self.scans = 0

    @property
    def controllers(self) -> dict[int, SmartController]:
        """The running controllers by book charger id."""
        return {book_id: r.controller for book_id, r in self._running.items()}

    def events(self, book_id: int) -> list[ControllerEvent]:
        """The latest events of a charger's controller, newest last (none if not running)."""
        running = self._running.get(book_id)
        return list(running.events) if running is not None else []

    def wake(self) -> None:
        """Rescan the plans now (a plan was saved or removed)."""
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()

    async def run(self) -> None:
        """Scan and drive controllers until `stop()`; then stop every controller loop."""
        try:
            while not self._stopping.is_set():
                try:
                    await self._scan()
                except ChargebookError as exc:  # the database was away: try again later
                    _LOGGER.warning("smart charging: cannot read the plans: %s", exc.message)
                self.scans += 1
                await self._pause(self._rescan_s, self._wake)
        finally:
            for book_id in list(self._running):
                await self._stop_one(book_id)

    async def _scan(self) -> None:
        with self._parts.database.session() as session:
            by_charger: dict[int, list[RepeatingPlan]] = {}
            for book_id, plan in SmartPlanRepository(session, self._clock).list():
                by_charger.setdefault(book_id, []).append(plan)
            chargers = ChargerRepository(session, self._clock)
            active = [b for b, plans in by_charger.items() if any(p.active for p in plans)]
            # An earlier owner's plan (a transferred charger's old row) never drives the
            # charger that is now someone else's.
            wanted = {
                book_id: charger
                for book_id in active
                if not (charger := chargers.get(book_id)).transferred
            }
        for book_id in [b for b in self._running if b not in wanted]:
            await self._stop_one(book_id)
        for book_id, charger in wanted.items():
            plans = tuple(by_charger[book_id])
            running = self._running.get(book_id)
            if running is None:
                self._start_one(charger, plans)
            elif running.plans != plans:
                running.plans = plans
                running.controller.plans_changed()

    def _start_one(self, charger: StoredCharger, plans: tuple[RepeatingPlan, ...]) -> None:
        source = charger.charger.source
        store = DatabaseSmartStore(self._parts.database, self._clock, source)
        events: deque[ControllerEvent] = deque(maxlen=EVENTS_KEPT)
        owner = charger.owner_user_id
        controller = SmartController(
            charger.charger.external_id,
            self._chargers(charger),
            # The owner's tariff, read again at each price fetch (a change counts from then).
            TariffedPriceSource(self._prices, lambda: self._schedule(owner)),
            self._clock,
            limits=charger_limits(charger),
            plans=store,
            savings=store,
            settings=self._settings,
            on_event=lambda event: self._on_event(charger, events, event),
        )
        task = asyncio.create_task(self._drive(controller), name=f"smart:{charger.id}")
        self._running[charger.id] = _Running(controller, plans, task, events)
        _LOGGER.info("smart charging started for charger %d", charger.id)

    def _schedule(self, user_id: int | None) -> TariffSchedule:
        with self._parts.database.session() as session:
            return owner_schedule(session, self._parts.settings, user_id)

    def _on_event(
        self, charger: StoredCharger, events: deque[ControllerEvent], event: ControllerEvent
    ) -> None:
        events.append(event)
        running = self._running.get(charger.id)
        plan = running.controller.plan if running is not None else None
        announce_unmet(self._parts.database, self._clock, charger, plan, event)

    async def _stop_one(self, book_id: int) -> None:
        running = self._running.pop(book_id, None)
        if running is None:
            return
        running.task.cancel()
        with suppress(asyncio.CancelledError):
            await running.task
        _LOGGER.info("smart charging stopped for charger %d", book_id)

    async def _drive(self, controller: SmartController) -> None:
        while not self._stopping.is_set():
            try:
                delay_s = await controller.tick()
            except Exception:  # a bug must not end smart charging for good
                _LOGGER.exception("smart charging tick failed for %s", controller.charger_id)
                delay_s = self._settings.poll_interval_s
            await self._pause(delay_s, self._stopping)

    async def _pause(self, seconds: float, event: asyncio.Event) -> None:
        """Sleep `seconds` on the clock, or less when `event` is set (then clear the wake)."""
        waiters = {
            asyncio.ensure_future(event.wait()),
            asyncio.ensure_future(self._clock.sleep(seconds)),
        }
        try:
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()
        if event is self._wake:
            self._wake.clear()


@asynccontextmanager
async def run_smart_charging(
    parts: RuntimeParts, *, chargers: ChargerPorts, prices: PriceSource
) -> AsyncIterator[SmartRuntime | None]:
    """The lifespan's part: run a `SmartRuntime` (unless CHARGEBOOK_WEB_RUN_SMART_CHARGING is
    false; then None); stop every controller on exit."""
    if not parts.settings.web_run_smart_charging:
        yield None
        return
    runtime = SmartRuntime(parts, chargers=chargers, prices=prices)
    task = asyncio.create_task(runtime.run(), name="chargebook-smart-charging")
    try:
        yield runtime
    finally:
        runtime.stop()
        await task
