"""ENTSO-E A44 adapter: synthetic documents through httpx.MockTransport; DST days of 2026."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from chargebook.domain.prices import PriceFormula
from chargebook.prices import (
    EntsoePriceSource,
    PriceSourceAuthError,
    PriceSourceConnectionError,
    PriceSourceResponseError,
    local_day_window,
    quarters_in_local_day,
)
from chargebook.prices.entsoe import parse_entsoe

TOKEN = "secret-token-1234"


def a44_document(
    start: datetime,
    end: datetime,
    points: Sequence[tuple[int, str]],
    *,
    resolution: str = "PT15M",
    curve_type: str = "A03",
) -> str:
    """An A44 publication document with one period; `points` are (position, EUR/MWh)."""
    fmt = "%Y-%m-%dT%H:%MZ"
    body = "".join(
        f"<Point><position>{pos}</position><price.amount>{price}</price.amount></Point>"
        for pos, price in points
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Publication_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-3:'
        'publicationdocument:7:3">'
        "<type>A44</type><TimeSeries><businessType>A62</businessType>"
        "<currency_Unit.name>EUR</currency_Unit.name>"
        "<price_Measure_Unit.name>MWH</price_Measure_Unit.name>"
        f"<curveType>{curve_type}</curveType><Period><timeInterval>"
        f"<start>{start.strftime(fmt)}</start><end>{end.strftime(fmt)}</end></timeInterval>"
        f"<resolution>{resolution}</resolution>{body}</Period></TimeSeries>"
        "</Publication_MarketDocument>"
    )


NO_DATA_ACK = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Acknowledgement_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-1:'
    'acknowledgementdocument:7:0">'
    "<mRID>x</mRID><Reason><code>999</code><text>No matching data found</text></Reason>"
    "</Acknowledgement_MarketDocument>"
)


def _source(handler: object) -> tuple[EntsoePriceSource, httpx.AsyncClient]:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    return EntsoePriceSource(security_token=TOKEN, client=client), client


async def test_request_parameters_and_a03_forward_fill() -> None:
    start, end = local_day_window(date(2026, 1, 15))
    # positions 2, 3 and 5..96 left out: they repeat the price before them
    doc = a44_document(start, end, [(1, "80.00"), (4, "120.50")])
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text=doc)

    source, client = _source(handler)
    async with client:
        curve = await source.get_prices(start, end)
    params = seen[0].url.params
    assert params["documentType"] == "A44"
    assert params["in_Domain"] == params["out_Domain"] == "10YNL----------L"
    assert params["periodStart"] == "202601142300"
    assert params["periodEnd"] == "202601152300"
    assert params["securityToken"] == TOKEN
    prices = [s.market_eur_per_kwh for s in curve.slots]
    assert len(prices) == 96
    assert curve.complete
    assert prices[:5] == [Decimal("0.08")] * 3 + [Decimal("0.1205")] * 2
    assert set(prices[4:]) == {Decimal("0.1205")}


@pytest.mark.parametrize(
    ("day", "quarters"),
    [
        pytest.param(date(2026, 3, 29), 92, id="spring-forward-92"),
        pytest.param(date(2026, 10, 25), 100, id="fall-back-100"),
        pytest.param(date(2026, 6, 1), 96, id="ordinary-96"),
    ],
)
async def test_dst_days_have_the_right_number_of_quarters(day: date, quarters: int) -> None:
    assert quarters_in_local_day(day) == quarters
    start, end = local_day_window(day)
    points = [(i, f"{i}.0") for i in range(1, quarters + 1)]  # every position distinct
    doc = a44_document(start, end, points, curve_type="A01")
    source, client = _source(lambda request: httpx.Response(200, text=doc))
    async with client:
        curve = await source.get_prices(start, end)
    assert len(curve.slots) == quarters
    assert curve.complete
    assert curve.slots[0].start == start
    assert curve.slots[-1].end == end
    assert curve.slots[-1].market_eur_per_kwh == Decimal(quarters) / 1000
    starts = [s.start for s in curve.slots]
    assert all(b - a == timedelta(minutes=15) for a, b in itertools.pairwise(starts))


@pytest.mark.parametrize("day", [date(2026, 3, 29), date(2026, 10, 25)], ids=["spring", "fall"])
def test_hourly_resolution_on_dst_days(day: date) -> None:
    start, end = local_day_window(day)
    hours = int((end - start) / timedelta(hours=1))
    doc = a44_document(start, end, [(h, f"{h}0") for h in range(1, hours + 1)], resolution="PT60M")
    slots = parse_entsoe(doc, PriceFormula())
    assert len(slots) == hours * 4 == quarters_in_local_day(day)
    assert slots[4].market_eur_per_kwh == Decimal("0.02")  # hour 2 = 20 EUR/MWh


async def test_no_matching_data_is_an_empty_curve_not_an_error() -> None:
    start, end = local_day_window(date(2026, 2, 14))
    source, client = _source(lambda request: httpx.Response(200, text=NO_DATA_ACK))
    async with client:
        curve = await source.get_prices(start, end)
    assert curve.slots == ()
    assert not curve.complete
    assert curve.known_until is None
    assert curve.missing_from == start


async def test_rejected_token_is_permanent_and_never_shown() -> None:
    source, client = _source(lambda request: httpx.Response(401, text="Unauthorized"))
    start, end = local_day_window(date(2026, 2, 14))
    async with client:
        with pytest.raises(PriceSourceAuthError) as info:
            await source.get_prices(start, end)
    assert not info.value.retryable
    assert TOKEN not in str(info.value)
    assert TOKEN not in repr(source)


async def test_network_error_message_does_not_leak_the_token() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError(f"failed {request.url}", request=request)

    source, client = _source(handler)
    start, end = local_day_window(date(2026, 2, 14))
    async with client:
        with pytest.raises(PriceSourceConnectionError) as info:
            await source.get_prices(start, end)
    assert info.value.retryable
    assert TOKEN not in str(info.value)


@pytest.mark.parametrize(
    "payload",
    [
        pytest.param("not xml", id="not-xml"),
        pytest.param("<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>", id="dtd"),
        pytest.param("<Other_Document/>", id="unknown-document"),
    ],
)
def test_unreadable_documents(payload: str) -> None:
    with pytest.raises(PriceSourceResponseError):
        parse_entsoe(payload, PriceFormula())


def test_missing_token_is_an_auth_error() -> None:
    import asyncio

    source = EntsoePriceSource(security_token="")
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(PriceSourceAuthError):
        asyncio.run(source.get_prices(start, start + timedelta(days=1)))
