"""What the CLI says when the prices do not cover the dates asked (issue 18): which dates the
source holds, and how to get real prices. A window with no price at all is an error (exit 1)
rather than a plan costing €0.00; a partly covered one is a note under the table."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from chargebook.domain.prices import PriceCurve
from chargebook.errors import NotFoundError

AMSTERDAM = ZoneInfo("Europe/Amsterdam")

HOW_TO_GET_PRICES = (
    "for real day-ahead prices leave out --prices-file (EnergyZero, no account needed; "
    "`chargebook prices show`), or set CHARGEBOOK_ENTSOE_TOKEN to an ENTSO-E "
    "Transparency Platform token and use --source entsoe"
)


def _when(moment: datetime) -> str:
    return moment.astimezone(AMSTERDAM).strftime("%Y-%m-%d %H:%M")


def _span(start: datetime, end: datetime) -> str:
    return f"{_when(start)} to {_when(end)}"


def file_span(held: PriceCurve) -> tuple[datetime, datetime] | None:
    """First and last moment a recorded price file holds prices for (None: none)."""
    return (held.slots[0].start, held.slots[-1].end) if held.slots else None


def _holds(source: str, prices_file: Path | None, held: tuple[datetime, datetime] | None) -> str:
    if prices_file is None:
        return (
            f"{source} has published none for it yet "
            "(tomorrow's prices appear around 13:00 Europe/Amsterdam)"
        )
    if held is None:
        return f"{prices_file.name} holds no prices at all"
    return f"{prices_file.name} holds prices from {_span(*held)} (Europe/Amsterdam)"


def require_some_prices(
    curve: PriceCurve, prices_file: Path | None, held: tuple[datetime, datetime] | None
) -> None:
    """Refuse a window without a single price, saying what the source holds and how to get
    prices.

    Raises:
        NotFoundError: no quarter of the requested window has a price (exit 1).
    """
    if curve.slots:
        return
    window = _span(curve.requested_start, curve.requested_end)
    raise NotFoundError(
        f"no prices for {window}: {_holds(curve.source, prices_file, held)}; {HOW_TO_GET_PRICES}"
    )


def partial_note(
    curve: PriceCurve, prices_file: Path | None, held: tuple[datetime, datetime] | None
) -> str | None:
    """The note for a window the prices cover only in part, or None when they cover it all."""
    missing = curve.missing_from
    if missing is None or not curve.slots:
        return None
    known = _span(curve.slots[0].start, curve.slots[-1].end)
    if prices_file is None:
        return (
            f"prices known for {known} only; {curve.source} publishes tomorrow's around 13:00 "
            "Europe/Amsterdam"
        )
    return (
        f"prices known for {known} only: {_holds(curve.source, prices_file, held)}; "
        f"{HOW_TO_GET_PRICES}"
    )
