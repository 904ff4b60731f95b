"""Prices from a recorded EnergyZero REST answer on disk (offline use, demos, backtests)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from chargebook.domain.prices import PriceCurve, PriceFormula, build_curve
from chargebook.prices.energyzero import curve_from_slots, parse_energyzero
from chargebook.prices.exceptions import PriceSourceResponseError


def load_price_file(path: Path, formula: PriceFormula | None = None) -> PriceCurve:
    """The whole recording as one curve.

    Raises:
        PriceSourceResponseError: the file is missing, unreadable or empty.
    """
    try:
        payload = path.read_bytes()
    except OSError as exc:
        raise PriceSourceResponseError(f"cannot read {path.name}", source="file") from exc
    return curve_from_slots("file", parse_energyzero(payload, formula or PriceFormula()))


class FilePriceSource:
    """A `PriceSource` that answers from a recorded file; quarters outside it are unknown."""

    name = "file"

    def __init__(self, path: Path, formula: PriceFormula | None = None) -> None:
        self._curve = load_price_file(path, formula)

    @property
    def recorded(self) -> PriceCurve:
        """Everything the file holds (to say which dates it covers)."""
        return self._curve

    async def get_prices(self, start: datetime, end: datetime) -> PriceCurve:
        """The recorded slots inside `[start, end)`."""
        return build_curve(self.name, start, end, self._curve.slots)
