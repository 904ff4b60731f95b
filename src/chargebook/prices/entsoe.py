"""ENTSO-E Transparency Platform, day-ahead prices (document type A44).

GET https://web-api.tp.entsoe.eu/api?securityToken=…&documentType=A44
    &in_Domain=10YNL----------L&out_Domain=10YNL----------L
    &periodStart=YYYYMMDDHHMM&periodEnd=YYYYMMDDHHMM   (UTC)

The answer is a `Publication_MarketDocument` of `TimeSeries/Period` blocks, each with a
`timeInterval`, a `resolution` (PT15M, PT30M or PT60M) and `Point{position, price.amount}` in
EUR/MWh. With curve type A03 a point that repeats the previous price is left out, so missing
positions are filled forward; the number of positions comes from the interval (92/100 quarters
on DST days).

Refusals come as an `Acknowledgement_MarketDocument`, with reason code 999 for very different
things; like entsoe-py (entsoe/entsoe.py `_base_request`) they are told apart by the reason
text (recorded documents in tests/fixtures/real/entsoe):
- "No matching data found ..." -> no prices published yet: an empty answer, not an error;
- "The number of instances (365) exceeds the allowed maximum (100) ..." (and the older
  "amount of requested data exceeds allowed limit") -> the window is too large: it is split in
  halves and asked again;
- anything else ("Delivered Area EIC ... is not valid.", a wrong parameter, no text at all)
  -> an error with the platform's text; never read as "no prices yet".
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation

import httpx

from chargebook.clock import ensure_utc
from chargebook.domain.prices import PriceCurve, PriceFormula, PriceSlot, build_curve, floor_to_slot
from chargebook.prices._http import HttpPriceSource
from chargebook.prices.exceptions import (
    PriceSourceAuthError,
    PriceSourceRequestTooLargeError,
    PriceSourceResponseError,
)
from chargebook.prices.slots import check_price_span, split_price

ENTSOE_URL = "https://web-api.tp.entsoe.eu/api"
NL_AREA = "10YNL----------L"
_RESOLUTIONS = {
    "PT15M": timedelta(minutes=15),
    "PT30M": timedelta(minutes=30),
    "PT60M": timedelta(minutes=60),
}
_MWH_PER_KWH = Decimal(1000)
_NO_DATA = "no matching data found"
_TOO_LARGE = ("exceeds the allowed maximum", "exceeds allowed limit", "exceeds the allowed limit")
# A window is halved on "too large" until it is this short; then the refusal stands.
_SMALLEST_SPLIT = timedelta(days=1)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child(element: ET.Element, name: str) -> ET.Element | None:
    for child in element:
        if _local(child.tag) == name:
            return child
    return None


def _text(element: ET.Element, path: str) -> str:
    node: ET.Element | None = element
    for name in path.split("/"):
        node = _child(node, name) if node is not None else None
    if node is None or node.text is None:
        raise ValueError(f"missing <{path}>")
    return node.text.strip()


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child.tag) == name]


def _period_slots(period: ET.Element, formula: PriceFormula) -> list[PriceSlot]:
    start = ensure_utc(datetime.fromisoformat(_text(period, "timeInterval/start")))
    end = ensure_utc(datetime.fromisoformat(_text(period, "timeInterval/end")))
    check_price_span(start, end)  # a period of centuries would loop for hours
    resolution = _RESOLUTIONS.get(_text(period, "resolution"))
    if resolution is None:
        raise ValueError(f"unsupported resolution {_text(period, 'resolution')}")
    count = (end - start) // resolution
    prices: dict[int, Decimal] = {}
    for point in _children(period, "Point"):
        position = int(_text(point, "position"))
        prices[position] = Decimal(_text(point, "price.amount")) / _MWH_PER_KWH
    if 1 not in prices:
        raise ValueError("period without a first point")
    slots: list[PriceSlot] = []
    current = prices[1]
    for position in range(1, count + 1):
        current = prices.get(position, current)  # A03: a left-out position repeats the last
        point_start = start + (position - 1) * resolution
        slots.extend(split_price(point_start, point_start + resolution, current, formula))
    return slots


def _sequence_rank(series: ET.Element) -> int:
    # DE-LU/AT publish several sequences (1 = SDAC); prefer SDAC, then unclassified.
    try:
        return int(_text(series, "classificationSequence_AttributeInstanceComponent.position"))
    except ValueError:
        return 1


def parse_entsoe(xml: bytes | str, formula: PriceFormula) -> list[PriceSlot]:
    """Quarter slots from an A44 answer; "No matching data found" gives [].

    Raises:
        PriceSourceRequestTooLargeError: the platform refused the window as too large.
        PriceSourceResponseError: any other refusal (with the platform's reason text), not
            XML, an unknown document or a malformed period.
    """
    text = xml.decode("utf-8", "replace") if isinstance(xml, bytes) else xml
    if "<!DOCTYPE" in text or "<!ENTITY" in text:
        raise PriceSourceResponseError("ENTSO-E answer declares a DTD", source="entsoe")
    try:
        root = ET.fromstring(text)  # noqa: S314 - DTDs rejected above, so no entity expansion
        kind = _local(root.tag)
        if kind == "Acknowledgement_MarketDocument":
            return _acknowledgement(root)
        if kind != "Publication_MarketDocument":
            raise PriceSourceResponseError(f"unexpected ENTSO-E document {kind}", source="entsoe")
        slots: list[PriceSlot] = []
        for series in sorted(_children(root, "TimeSeries"), key=_sequence_rank):
            for period in _children(series, "Period"):
                slots.extend(_period_slots(period, formula))
    except (ET.ParseError, ValueError, InvalidOperation) as exc:
        raise PriceSourceResponseError(
            f"unreadable ENTSO-E answer: {type(exc).__name__}", source="entsoe"
        ) from exc
    return slots


def _acknowledgement(root: ET.Element) -> list[PriceSlot]:
    """[] for "No matching data found"; every other acknowledgement raises (see module doc)."""
    reason = _child(root, "Reason")
    code = _child(reason, "code") if reason is not None else None
    text_node = _child(reason, "text") if reason is not None else None
    reason_text = " ".join((text_node.text or "").split()) if text_node is not None else ""
    code_text = (code.text or "").strip() if code is not None else "?"
    lowered = reason_text.lower()
    if _NO_DATA in lowered:
        return []
    message = f"ENTSO-E refused the request (reason {code_text}): {reason_text[:200] or '-'}"
    if any(marker in lowered for marker in _TOO_LARGE):
        raise PriceSourceRequestTooLargeError(message, source="entsoe")
    raise PriceSourceResponseError(message, source="entsoe")


def _entsoe_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%d%H%M")


class EntsoePriceSource(HttpPriceSource):
    """ENTSO-E day-ahead prices for one bidding zone; needs a security token."""

    name = "entsoe"

    def __init__(
        self,
        *,
        security_token: str,
        area: str = NL_AREA,
        client: httpx.AsyncClient | None = None,
        base_url: str = ENTSOE_URL,
        formula: PriceFormula | None = None,
        timeout_s: float = 60.0,
    ) -> None:
        super().__init__(base_url=base_url, client=client, timeout_s=timeout_s)
        self._token = security_token
        self._area = area
        self._formula = formula or PriceFormula()

    def __repr__(self) -> str:
        return f"EntsoePriceSource(area={self._area!r})"  # never the token

    async def get_prices(self, start: datetime, end: datetime) -> PriceCurve:
        """Prices for the UTC window `[start, end)`, asked in whole hours: one request, or
        halves of it when the platform refuses the window as too large.

        Prices not published yet ("No matching data found") give an incomplete curve.

        Raises:
            PriceSourceAuthError: no token, or the token was rejected.
            PriceSourceResponseError: the platform refused the request (its reason text is in
                the message) or answered nonsense.
            PriceSourceError: the platform could not be reached.
        """
        if not self._token:
            raise PriceSourceAuthError(
                "no ENTSO-E security token configured (set CHARGEBOOK_ENTSOE_TOKEN)",
                source=self.name,
            )
        start, end = floor_to_slot(start), ensure_utc(end)
        period_start = start.replace(minute=0)
        period_end = (
            end
            if end == end.replace(minute=0, second=0, microsecond=0)
            else (end.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1))
        )
        slots = await self._slots(period_start, period_end)
        return build_curve(self.name, start, end, slots)

    async def _slots(self, period_start: datetime, period_end: datetime) -> list[PriceSlot]:
        """The slots of one window; a window refused as too large is asked in two halves,
        as entsoe-py's `paginated` does, down to one day."""
        try:
            response = await self._request(
                {
                    "securityToken": self._token,
                    "documentType": "A44",
                    "in_Domain": self._area,
                    "out_Domain": self._area,
                    "periodStart": _entsoe_time(period_start),
                    "periodEnd": _entsoe_time(period_end),
                    "contract_MarketAgreement.type": "A01",
                },
                # The platform answers refusals as an acknowledgement, sometimes with 400.
                pass_statuses=(400,),
            )
            return parse_entsoe(response.content, self._formula)
        except PriceSourceRequestTooLargeError:
            if period_end - period_start <= _SMALLEST_SPLIT:
                raise
        middle = period_start + (period_end - period_start) / 2
        middle = middle.replace(minute=0, second=0, microsecond=0)  # ENTSO-E asks whole hours
        return [
            *await self._slots(period_start, middle),
            *await self._slots(middle, period_end),
        ]
