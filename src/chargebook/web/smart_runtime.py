"""Smart charging while `chargebook serve` runs: one `SmartController` per charger with an
active repeating plan.

`SmartRuntime.run()` scans the book's plans every `rescan_s` (or at once after `wake()`, which
the plan editor calls on save), starts a controller loop for each charger that has an active
plan, tells a running controller when its plans changed, and stops the loops of chargers whose
plans are gone or paused. Each controller loop calls `tick()` and sleeps for the delay it asks
for (the next slot boundary or the poll interval); `tick()` refreshes the prices while
tomorrow's are missing and re-plans when they arrive (see `smart.controller`).

Chargers are driven through the app's own ports: writes go through `ChargerCommands` (the
Wallbox account's shared write budget, or the OCPP central system), reads through the
Wallbox port's `read_status` or, for OCPP, the central system's connector status plus the
book's latest recorded sample. `run_smart_charging(context)` is the lifespan's part.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field

from chargebook.clock import Clock
from chargebook.db import ChargerRepository, Database
from chargebook.db.book.reads import BookReadRepository
from chargebook.db.smart.repository import SmartPlanRepository
from chargebook.db.smart.store import DatabasePriceCache, DatabaseSmartStore
from chargebook.domain.models import ChargerSource
from chargebook.domain.plausibility import CLOCK_TOLERANCE
from chargebook.domain.prices import ChargerLimits, PriceCache, PriceSource
from chargebook.domain.smart import ChargerReading, ControllerEvent, RepeatingPlan
from chargebook.domain.stored import StoredCharger
from chargebook.errors import ChargebookError
from chargebook.prices import (
    CachedPriceSource,
    EnergyZeroPriceSource,
    EntsoePriceSource,
    FallbackPriceSource,
)
from chargebook.settings import Settings
from chargebook.smart import ControllerSettings, SmartController
from chargebook.smart.adapters.ocpp import OcppSmartCharger
from chargebook.smart.adapters.wallbox import reading_from_status
from chargebook.web.commands import ChargerCommand, CommandNotSupportedError, CommandRequest
from chargebook.web.context import WebContext
from chargebook.web.live import StatusReader

_LOGGER = logging.getLogger(__name__)
DEFAULT_MAX_CURRENT_A = 16
EVENTS_KEPT = 50


def network_price_source(settings: Settings, cache: PriceCache) -> PriceSource:
    """EnergyZero, then ENTSO-E (with the configured token), each cached in the book."""
    token = settings.entsoe_token.get_secret_value() if settings.entsoe_token else ""
    return FallbackPriceSource(
        [
            CachedPriceSource(EnergyZeroPriceSource(), cache),
            CachedPriceSource(EntsoePriceSource(security_token=token), cache),
        ]
    )


def price_source(context: WebContext) -> PriceSource:
    """The app's price source (built from the settings on first use)."""
    if context.prices is None:
        cache = DatabasePriceCache(context.database, context.clock)
        context.prices = network_price_source(context.settings, cache)
    return context.prices


def charger_limits(charger: StoredCharger) -> ChargerLimits:
    """What the planner assumes of a charger: its maximum current (16 A when the source does
    not say) on three phases at 230 V; the controller learns a slower car while it charges."""
    max_a = max(6, charger.charger.max_current_a or DEFAULT_MAX_CURRENT_A)
    return ChargerLimits(max_current_a=float(max_a), phases=3)


class PortSmartCharger:
    """The `SmartCharger` port over the web app's command ports, for one book charger."""

    def __init__(self, context: WebContext, charger: StoredCharger) -> None:
        self._context = context
        self._charger = charger

    async def read(self, charger_id: str) -> ChargerReading:
        """Raises `CommandNotSupportedError` when no port of the source can read, or the
        port's own errors (rate limit, offline, ...)."""
        source = self._charger.charger.source
        if source is ChargerSource.OCPP:
            central = self._context.central_system
            if central is None:
                raise CommandNotSupportedError("the OCPP central system is not running")
            meter = _BookMeter(self._context.database, self._charger.id, self._context.clock)
            ocpp = OcppSmartCharger(central, meter, self._context.clock)
            return await ocpp.read(charger_id)
        port = self._context.commands.port(source)
        if not isinstance(port, StatusReader):
            raise CommandNotSupportedError(f"cannot read {source.value} chargers here")
        return reading_from_status(charger_id, await port.read_status(self._charger))

    async def set_charging(self, charger_id: str, on: bool) -> None:
        command = ChargerCommand.RESUME if on else ChargerCommand.PAUSE
        await self._context.commands.execute(self._charger, CommandRequest(command))

    async def set_current(self, charger_id: str, amps: int) -> None:
        request = CommandRequest(ChargerCommand.CURRENT, current_a=amps)
        await self._context.commands.execute(self._charger, request)


class _BookMeter:
    """`LiveMeter` for OCPP chargers: the latest sample the central system recorded."""

    def __init__(self, database: Database, book_id: int, clock: Clock) -> None:
        self._database = database
        self._book_id = book_id
        self._clock = clock

    async def live(self, charge_point_id: str) -> tuple[float, float]:
        with self._database.session() as session:
            sample = BookReadRepository(session).latest_sample(
                self._book_id, not_after=self._clock.now() + CLOCK_TOLERANCE
            )
        return (sample.power_kw, sample.energy_kwh) if sample is not None else (0.0, 0.0)


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
        context: WebContext,
        *,
        settings: ControllerSettings | None = None,
        rescan_s: float = 60.0,
    ) -> None:
        self._context = context
        self._clock: Clock = context.clock
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
        with self._context.database.session() as session:
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
        context = self._context
        source = charger.charger.source
        store = DatabaseSmartStore(context.database, self._clock, source)
        events: deque[ControllerEvent] = deque(maxlen=EVENTS_KEPT)
        controller = SmartController(
            charger.charger.external_id,
            PortSmartCharger(context, charger),
            price_source(context),
            self._clock,
            limits=charger_limits(charger),
            plans=store,
            savings=store,
            settings=self._settings,
            on_event=events.append,
        )
        task = asyncio.create_task(self._drive(controller), name=f"smart:{charger.id}")
        self._running[charger.id] = _Running(controller, plans, task, events)
        _LOGGER.info("smart charging started for charger %d", charger.id)

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
async def run_smart_charging(context: WebContext) -> AsyncIterator[SmartRuntime | None]:
    """The lifespan's part: run a `SmartRuntime` (unless CHARGEBOOK_WEB_RUN_SMART_CHARGING is
    false) and keep it in `context.smart`; stop every controller on exit."""
    if not context.settings.web_run_smart_charging:
        yield None
        return
    runtime = SmartRuntime(context)
    task = asyncio.create_task(runtime.run(), name="chargebook-smart-charging")
    context.smart = runtime
    try:
        yield runtime
    finally:
        runtime.stop()
        await task
        context.smart = None
