"""Try price sources in order until one knows the whole window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from chargebook.domain.prices import PriceCurve, PriceSource
from chargebook.prices.exceptions import PriceSourceError, PriceSourcesExhaustedError


def _reach(curve: PriceCurve) -> tuple[int, datetime | None]:
    return len(curve.slots), curve.known_until


class FallbackPriceSource:
    """Asks each source in turn (e.g. EnergyZero, then ENTSO-E).

    The first complete curve wins. A failing source (any `PriceSourceError`) or an incomplete
    curve moves on to the next one; if none is complete, the curve with the most slots is
    returned (still a visible "not known yet" state). `last_errors` keeps what went wrong.
    """

    name = "fallback"

    def __init__(self, sources: Sequence[PriceSource]) -> None:
        if not sources:
            raise ValueError("FallbackPriceSource needs at least one source")
        self._sources = tuple(sources)
        self.last_errors: tuple[PriceSourceError, ...] = ()

    async def get_prices(self, start: datetime, end: datetime) -> PriceCurve:
        """The first complete curve, else the best partial one.

        Raises:
            PriceSourcesExhaustedError: every source raised; `retryable` if any error was.
        """
        errors: list[PriceSourceError] = []
        best: PriceCurve | None = None
        for source in self._sources:
            try:
                curve = await source.get_prices(start, end)
            except PriceSourceError as exc:
                errors.append(exc)
                continue
            if curve.complete:
                self.last_errors = tuple(errors)
                return curve
            if best is None or _reach(curve) > _reach(best):
                best = curve
        self.last_errors = tuple(errors)
        if best is None:
            raise PriceSourcesExhaustedError(errors)
        return best
