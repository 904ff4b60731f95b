"""Local days and 15-minute UTC slots: the only place where Europe/Amsterdam meets UTC.

A local day has 96 quarters, 92 on the spring-forward day and 100 on the fall-back day; the
count always comes from the UTC width of the day, never from a constant.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from chargebook.clock import ensure_utc
from chargebook.domain.prices import SLOT, PriceFormula, PriceSlot

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def local_day_window(day: date, tz: ZoneInfo = AMSTERDAM) -> tuple[datetime, datetime]:
    """The UTC half-open window `[start, end)` of the local calendar day `day` in `tz`."""
    start = datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz).astimezone(UTC)
    return start, end


def quarters_in_local_day(day: date, tz: ZoneInfo = AMSTERDAM) -> int:
    """How many 15-minute slots the local day has (92, 96 or 100 in Europe/Amsterdam)."""
    start, end = local_day_window(day, tz)
    return int((end - start) / SLOT)


def local_days_covering(start: datetime, end: datetime, tz: ZoneInfo = AMSTERDAM) -> list[date]:
    """The local calendar days that overlap the UTC window `[start, end)`, in order."""
    start, end = ensure_utc(start), ensure_utc(end)
    if end <= start:
        return []
    first = start.astimezone(tz).date()
    last = (end - timedelta(microseconds=1)).astimezone(tz).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# No day-ahead answer covers more than this in one price or period; a longer interval is a
# broken answer, and splitting it would make millions of quarters.
MAX_PRICE_SPAN = timedelta(days=31)


def check_price_span(start: datetime, end: datetime) -> None:
    """Refuse a price interval longer than `MAX_PRICE_SPAN`.

    Raises:
        ValueError: it is longer.
    """
    if end - start > MAX_PRICE_SPAN:
        raise ValueError(f"price interval {start.isoformat()}..{end.isoformat()} is too long")


def quarter_starts(start: datetime, end: datetime) -> Iterator[datetime]:
    """The starts of the 15-minute slots in `[start, end)`.

    Raises:
        ValueError: the interval is not a whole number of quarters (e.g. a PT5M price), or
            longer than `MAX_PRICE_SPAN`.
    """
    start, end = ensure_utc(start), ensure_utc(end)
    span = end - start
    check_price_span(start, end)
    if span <= timedelta(0) or span % SLOT:
        raise ValueError(f"interval {start.isoformat()}..{end.isoformat()} is not whole quarters")
    for i in range(span // SLOT):
        yield start + i * SLOT


def split_price(
    start: datetime, end: datetime, market_eur_per_kwh: Decimal, formula: PriceFormula
) -> list[PriceSlot]:
    """One price over `[start, end)` as equal 15-minute slots (an hour becomes four quarters).

    Raises:
        ValueError: the price is not a finite number (ENTSO-E's XML may say "NaN"), or the
            interval is not whole quarters or too long (`quarter_starts`).
    """
    if not market_eur_per_kwh.is_finite():
        raise ValueError(f"price {market_eur_per_kwh} is not a finite number")
    all_in = formula.all_in(market_eur_per_kwh)
    return [PriceSlot(s, market_eur_per_kwh, all_in) for s in quarter_starts(start, end)]
