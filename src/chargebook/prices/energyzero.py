"""EnergyZero public REST API (NL day-ahead prices, quarter-hourly since 2025-10).

GET https://public.api.energyzero.nl/public/v1/prices
    ?energyType=ENERGY_TYPE_ELECTRICITY&date=DD-MM-YYYY&interval=INTERVAL_QUARTER|INTERVAL_HOUR

The answer has `interval` (1 = quarter, 2 = hour), `range{start,end}` and arrays `base`,
`base_with_vat`, `all_in`, `all_in_with_vat` of `{start, end, price: {value}}` where `value`
is a string in EUR/kWh and times are UTC. It may cover more than the requested day; 404 means
no data (yet). We take `base` as the market price and compute the all-in price with our own
`PriceFormula`, so every source yields the same all-in price.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

import httpx
from pydantic import BaseModel, ValidationError

from chargebook.clock import ensure_utc
from chargebook.domain.prices import PriceCurve, PriceFormula, PriceSlot, build_curve
from chargebook.prices._http import HttpPriceSource
from chargebook.prices.exceptions import PriceSourceResponseError
from chargebook.prices.slots import (
    AMSTERDAM,
    local_day_window,
    local_days_covering,
    split_price,
)

ENERGYZERO_URL = "https://public.api.energyzero.nl/public/v1/prices"


class EnergyZeroInterval(StrEnum):
    QUARTER = "INTERVAL_QUARTER"
    HOUR = "INTERVAL_HOUR"


class _Value(BaseModel):
    value: Decimal


class _Price(BaseModel):
    start: datetime
    end: datetime
    price: _Value


class _Range(BaseModel):
    start: datetime
    end: datetime


class EnergyZeroPrices(BaseModel):
    """The wire shape of one answer (only the fields we read)."""

    interval: int
    range: _Range
    base: list[_Price]


def parse_energyzero(
    payload: bytes | str | dict[str, Any], formula: PriceFormula
) -> list[PriceSlot]:
    """Quarter slots from one EnergyZero REST answer (hourly prices become four quarters).

    Raises:
        PriceSourceResponseError: the payload does not have the documented shape.
    """
    try:
        if isinstance(payload, dict):
            wire = EnergyZeroPrices.model_validate(payload)
        else:
            wire = EnergyZeroPrices.model_validate_json(payload)
        slots: list[PriceSlot] = []
        for item in wire.base:
            start, end = ensure_utc(item.start), ensure_utc(item.end)
            slots.extend(split_price(start, end, item.price.value, formula))
    except (ValidationError, ValueError) as exc:
        raise PriceSourceResponseError(
            f"unreadable EnergyZero answer: {type(exc).__name__}", source=EnergyZeroPriceSource.name
        ) from exc
    return slots


class EnergyZeroPriceSource(HttpPriceSource):
    """EnergyZero day-ahead electricity prices; no account needed."""

    name = "energyzero"

    def __init__(
        self,
        *,
        client: httpx.AsyncClient | None = None,
        base_url: str = ENERGYZERO_URL,
        interval: EnergyZeroInterval = EnergyZeroInterval.QUARTER,
        formula: PriceFormula | None = None,
        timeout_s: float = 20.0,
    ) -> None:
        super().__init__(base_url=base_url, client=client, timeout_s=timeout_s)
        self._interval = interval
        self._formula = formula or PriceFormula()

    async def get_prices(self, start: datetime, end: datetime) -> PriceCurve:
        """Prices for the UTC window `[start, end)`, one request per local day not yet covered.

        Stops at the first day without data: that is "not published yet", and the returned
        curve is incomplete (`curve.known_until` says how far it reaches).

        Raises:
            PriceSourceError: the API could not be reached or answered nonsense.
        """
        slots: list[PriceSlot] = []
        covered_until: datetime | None = None
        for day in local_days_covering(start, end, AMSTERDAM):
            if covered_until is not None and covered_until >= local_day_window(day)[1]:
                continue  # an earlier answer already covered this day
            response = await self._request(
                {
                    "energyType": "ENERGY_TYPE_ELECTRICITY",
                    "date": day.strftime("%d-%m-%Y"),
                    "interval": self._interval.value,
                },
                pass_statuses=(404,),  # 404: no prices for this day (yet)
            )
            day_slots = (
                parse_energyzero(response.content, self._formula)
                if response.status_code == 200
                else []
            )
            if not day_slots:
                break
            slots.extend(day_slots)
            covered_until = max(s.end for s in day_slots)
        return build_curve(self.name, start, end, slots)


def curve_from_slots(source: str, slots: Iterable[PriceSlot]) -> PriceCurve:
    """A curve spanning exactly the given slots (for recorded files)."""
    ordered = sorted(slots, key=lambda s: s.start)
    if not ordered:
        raise PriceSourceResponseError("no prices in the recording", source=source)
    return build_curve(source, ordered[0].start, ordered[-1].end, ordered)
