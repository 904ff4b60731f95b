"""Recorded real day-ahead prices replayed around "today", for `chargebook demo` only.

The demo must work offline, but the planner needs prices. `DemoPriceSource` serves the
project's recording of EnergyZero's quarter-hour answers for 16-18 Dec 2025 (shipped as
package data in `demo_data/`) moved onto yesterday, today and tomorrow of its clock, so the
plan editor and the CLI tour show a real winter price shape (cheap night, evening peak).

How a recorded day lands on a target day: by whole LOCAL days (Europe/Amsterdam). Every
15-minute UTC slot of the target day gets the recorded price of the same local wall-clock
quarter (00:00, 00:15, ...). On an ordinary day that is the recording shifted by whole days;
on the spring-forward day (92 quarters) the recorded 02:00-03:00 quarters are skipped, and on
the fall-back day (100 quarters) the recorded 02:00-03:00 quarters are used for both 02:00
hours. Slots stay UTC-aligned and contiguous, and every price is one the market really set.

Days beyond tomorrow (and before yesterday) have no price, as with a live source. The source's
`name` says that the prices are recorded, so every page or table that shows the source does.
Never wire this into a real installation: it is built only by `cli/demo.py` and `demo/web.py`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

from chargebook.clock import Clock
from chargebook.domain.prices import SLOT, PriceCurve, PriceFormula, PriceSlot, build_curve
from chargebook.prices.energyzero import curve_from_slots, parse_energyzero
from chargebook.prices.slots import AMSTERDAM, local_day_window, local_days_covering

DEMO_PRICE_FILE = "energyzero-rest-quarter-2025-12-16_18.json"
"""The recording in `chargebook/prices/demo_data/` (a copy of tests/fixtures/prices/)."""


def load_demo_recording(formula: PriceFormula | None = None) -> PriceCurve:
    """The shipped recording as one curve (288 quarters, 16-18 Dec 2025 local).

    Raises:
        PriceSourceResponseError: the package data is missing or unreadable.
    """
    payload = (
        resources.files("chargebook.prices").joinpath("demo_data", DEMO_PRICE_FILE).read_bytes()
    )
    return curve_from_slots("demo", parse_energyzero(payload, formula or PriceFormula()))


def recorded_days(curve: PriceCurve, tz: ZoneInfo = AMSTERDAM) -> list[date]:
    """The local days the recording covers completely, in order."""
    assert curve.known_until is not None  # curve_from_slots never returns an empty curve
    first, last = curve.slots[0].start, curve.known_until
    return [
        day
        for day in local_days_covering(first, last, tz)
        if first <= local_day_window(day, tz)[0] and local_day_window(day, tz)[1] <= last
    ]


def demo_label(days: list[date]) -> str:
    """ "demo prices recorded 16-18 Dec 2025": what the UI shows as the source."""
    first, last = days[0], days[-1]
    if first == last:
        span = f"{first.day} {first:%b %Y}"
    elif (first.year, first.month) == (last.year, last.month):
        span = f"{first.day}-{last.day} {last:%b %Y}"
    else:
        span = f"{first.day} {first:%b %Y} - {last.day} {last:%b %Y}"
    return f"demo prices recorded {span}"


def shift_day(
    by_local_quarter: dict[time, PriceSlot], target: date, tz: ZoneInfo = AMSTERDAM
) -> list[PriceSlot]:
    """The slots of local day `target`, priced by wall-clock quarter from a recorded day.

    `by_local_quarter` maps a recorded day's local quarter start (00:00 .. 23:45) to its slot.
    Quarters the recorded day lacks (e.g. a recorded spring-forward day's 02:xx) stay unpriced,
    which cuts the curve there (a plan never believes a price it does not have).
    """
    start, end = local_day_window(target, tz)
    slots: list[PriceSlot] = []
    moment = start
    while moment < end:
        recorded = by_local_quarter.get(moment.astimezone(tz).time())
        if recorded is not None:
            slots.append(
                PriceSlot(moment, recorded.market_eur_per_kwh, recorded.all_in_eur_per_kwh)
            )
        moment += SLOT
    return slots


class DemoPriceSource:
    """A `PriceSource` replaying the recorded days onto yesterday, today and tomorrow (local
    dates of `clock`): the first recorded day is yesterday, the second today, the third
    tomorrow. Offline and instant; for demos only (see the module docstring)."""

    def __init__(
        self, clock: Clock, formula: PriceFormula | None = None, tz: ZoneInfo = AMSTERDAM
    ) -> None:
        self._clock = clock
        self._tz = tz
        recording = load_demo_recording(formula)
        self.recorded = recorded_days(recording, tz)
        self.name = demo_label(self.recorded)
        self._by_day: list[dict[time, PriceSlot]] = [{} for _ in self.recorded]
        index = {day: i for i, day in enumerate(self.recorded)}
        for slot in recording.slots:
            local = slot.start.astimezone(tz)
            i = index.get(local.date())
            if i is not None:
                # fold=0 keeps the first of a repeated fall-back hour, the recording's own order.
                self._by_day[i].setdefault(local.time(), slot)
        self._cached_for: date | None = None
        self._cached: list[PriceSlot] = []

    def target_days(self) -> list[date]:
        """The local dates the recorded days land on, for the clock's current local date."""
        today = self._clock.now().astimezone(self._tz).date()
        first = today - timedelta(days=1)
        return [first + timedelta(days=i) for i in range(len(self.recorded))]

    def shifted_slots(self) -> list[PriceSlot]:
        """All served slots for the clock's current day (recomputed when the day changes)."""
        days = self.target_days()
        if self._cached_for != days[0]:
            self._cached = [
                slot
                for recorded, target in zip(self._by_day, days, strict=True)
                for slot in shift_day(recorded, target, self._tz)
            ]
            self._cached_for = days[0]
        return self._cached

    async def get_prices(self, start: datetime, end: datetime) -> PriceCurve:
        """The replayed slots inside the UTC window `[start, end)`; quarters outside yesterday
        .. tomorrow are unknown (an incomplete curve, not an error)."""
        return build_curve(self.name, start, end, self.shifted_slots())
