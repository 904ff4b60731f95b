"""Live charger state for the charger page: read from the source, cached within its budget.

A Wallbox account may read about 3 times a minute (shared with the recorder), so a page that
polls every few seconds must not reach the cloud every time: readings are cached per charger
for `ttl_s` (a few seconds in partner mode) and a command invalidates the cache, so its effect
shows on the next poll. The reading goes through the charger's `ChargerControl` adapter; when
it cannot answer (no adapter, throttled, offline, slow) or its state is not a live reading
(OCPP: power and energy are the last recorded MeterValues), the book's latest sample is shown
instead and the reading says so.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from chargebook.charger_controls import ChargerControls
from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.db.book.reads import BookReadRepository
from chargebook.domain.book import SessionSample
from chargebook.domain.control import ControlNotSupportedError
from chargebook.domain.freshness import updated_ago
from chargebook.domain.models import ChargerState, ChargerStatus
from chargebook.domain.plausibility import CLOCK_TOLERANCE
from chargebook.domain.stored import StoredCharger
from chargebook.errors import ChargebookError
from chargebook.settings import Settings
from chargebook.web.filters import local_time

READ_TIMEOUT_S = 8.0


@dataclass(frozen=True, slots=True)
class LiveReading:
    """What the charger page shows; `live` is False when it comes from the book's samples."""

    charger_id: int
    state: ChargerState
    power_kw: float | None  # None: the source did not say (shown as unknown)
    energy_kwh: float | None
    observed_at: datetime | None
    live: bool
    car_connected: bool | None = None
    current_a: int | None = None
    max_current_a: int | None = None
    locked: bool | None = None
    firmware_version: str | None = None
    firmware_update_available: bool = False
    energy_price_per_kwh: Decimal | None = None
    currency: str | None = None
    note: str | None = None

    @property
    def state_label(self) -> str:
        return self.state.value.replace("_", " ")

    @property
    def suggested_command(self) -> str | None:
        """The control the page highlights: Pause while charging, Resume while paused."""
        if self.state is ChargerState.CHARGING:
            return "pause"
        if self.state is ChargerState.PAUSED:
            return "resume"
        return None

    def freshness(self, now: datetime) -> str:
        """How fresh the reading is, e.g. 'updated 40 s ago', with the reason when it is the
        book's last sample instead of a live reading (a cached reading ages: the budget
        allows a live read every 40 s or so)."""
        text = updated_ago(self.observed_at, now)
        if self.live:
            return text
        return f"{text} · {self.note}" if self.note else text

    def to_json(self, now: datetime) -> dict[str, Any]:
        """The JSON the page's script polls (numbers as numbers, times as ISO 8601)."""
        return {
            "freshness": self.freshness(now),
            "age_s": (
                max(0, round((now - self.observed_at).total_seconds()))
                if self.observed_at
                else None
            ),
            "charger_id": self.charger_id,
            "state": self.state.value,
            "state_label": self.state_label,
            "suggested_command": self.suggested_command,
            "power_kw": None if self.power_kw is None else round(self.power_kw, 2),
            "energy_kwh": None if self.energy_kwh is None else round(self.energy_kwh, 2),
            "observed_at": self.observed_at.isoformat() if self.observed_at else None,
            # The same local 24-hour time the page was first rendered with.
            "observed_time": local_time(self.observed_at, "%H:%M:%S") if self.observed_at else None,
            "live": self.live,
            "car_connected": self.car_connected,
            "current_a": self.current_a,
            "max_current_a": self.max_current_a,
            "locked": self.locked,
            "firmware_version": self.firmware_version,
            "firmware_update_available": self.firmware_update_available,
            "energy_price_per_kwh": (
                str(self.energy_price_per_kwh) if self.energy_price_per_kwh is not None else None
            ),
            "currency": self.currency,
            "note": self.note,
        }


def _from_status(charger_id: int, status: ChargerStatus) -> LiveReading:
    return LiveReading(
        charger_id=charger_id,
        state=status.state,
        power_kw=status.charging_power_kw,
        energy_kwh=status.session_energy_kwh,
        observed_at=status.observed_at,
        live=True,
        car_connected=status.car_connected,
        current_a=status.max_charging_current_a,
        max_current_a=status.max_available_current_a,
        locked=status.locked,
        firmware_version=status.firmware_version,
        firmware_update_available=status.firmware_update_available,
        energy_price_per_kwh=status.energy_price_per_kwh,
        currency=status.currency,
    )


def _from_sample(charger: StoredCharger, sample: SessionSample | None, note: str) -> LiveReading:
    return LiveReading(
        charger_id=charger.id,
        state=sample.state if sample else ChargerState.UNKNOWN,
        power_kw=sample.power_kw if sample else 0.0,
        energy_kwh=sample.energy_kwh if sample else 0.0,
        observed_at=sample.observed_at if sample else None,
        live=False,
        max_current_a=charger.charger.max_current_a,
        firmware_version=charger.charger.firmware_version,
        note=note,
    )


def _from_partial(charger: StoredCharger, status: ChargerStatus) -> LiveReading:
    """A reading whose state is live (OCPP: the connector's last StatusNotification) but whose
    power and energy are the book's last sample: once the charger stops charging, that sample's
    power is history, so the reading says 0 kW rather than an ended session's last figure."""
    charging = status.state is ChargerState.CHARGING
    return LiveReading(
        charger_id=charger.id,
        state=status.state,
        power_kw=status.charging_power_kw if charging else 0.0,
        energy_kwh=status.session_energy_kwh,
        observed_at=status.observed_at,
        live=False,
        car_connected=status.car_connected,
        max_current_a=charger.charger.max_current_a,
        firmware_version=charger.charger.firmware_version,
        note="state reported by the charger; power and energy from its last meter values",
    )


def cache_ttl_s(settings: Settings) -> float:
    """How long a reading is reused: 2 s in partner mode, else two reads' worth of budget."""
    if settings.wallbox_partner_mode:
        return 2.0
    return 2 * 60.0 / max(1, settings.wallbox_reads_per_minute)


class LiveStatus:
    """Cached live readings per charger (one read in flight per charger).

    `reading` is the one answer to "what is this charger's state now": the charger page, its
    live poll and the dashboard all show it, so they never disagree."""

    def __init__(
        self, database: Database, controls: ChargerControls, clock: Clock, *, ttl_s: float
    ) -> None:
        self._database, self._controls, self._clock, self._ttl_s = database, controls, clock, ttl_s
        self._cache: dict[int, tuple[float, LiveReading]] = {}
        self._locks: dict[int, asyncio.Lock] = {}

    def invalidate(self, charger_id: int) -> None:
        """Forget the cached reading (after a command), so the next poll reads again."""
        self._cache.pop(charger_id, None)

    async def reading(self, charger: StoredCharger) -> LiveReading:
        """The charger's state now (or as recently as the budget allows)."""
        cached = self._fresh(charger.id)
        if cached is not None:
            return cached
        lock = self._locks.setdefault(charger.id, asyncio.Lock())
        async with lock:
            cached = self._fresh(charger.id)
            if cached is not None:
                return cached
            reading = await self._read(charger)
            self._cache[charger.id] = (asyncio.get_running_loop().time(), reading)
            return reading

    def _fresh(self, charger_id: int) -> LiveReading | None:
        found = self._cache.get(charger_id)
        if found is None or asyncio.get_running_loop().time() - found[0] > self._ttl_s:
            return None
        return found[1]

    async def readings(self, chargers: Sequence[StoredCharger]) -> list[LiveReading]:
        """`reading` for each charger, read side by side (the dashboard's cards)."""
        return list(await asyncio.gather(*(self.reading(charger) for charger in chargers)))

    async def _read(self, charger: StoredCharger) -> LiveReading:
        note = "last reading recorded in the book"
        if charger.transferred:
            # An earlier owner's row (a house sale): the charger's state now is the new
            # owner's, never read for the earlier one.
            note = "transferred to its new owner; last reading recorded before"
        else:
            cid = charger.charger.external_id
            try:
                control = self._controls.for_charger(charger)
                status = await asyncio.wait_for(control.read(cid), READ_TIMEOUT_S)
                if control.capabilities(cid).live_reading:
                    return _from_status(charger.id, status)
                if status.state is not ChargerState.UNKNOWN:
                    return _from_partial(charger, status)
            except ControlNotSupportedError:
                pass  # no adapter runs for its system here: the book's sample, plainly
            except ChargebookError as exc:
                note = f"live state unavailable ({exc.message}); {note}"
            except TimeoutError:
                note = f"the charger's cloud is slow to answer; {note}"
        with self._database.session() as session:
            sample = BookReadRepository(session).latest_sample(
                charger.id, not_after=self._clock.now() + CLOCK_TOLERANCE
            )
        return _from_sample(charger, sample, note)
