"""EnergyZero REST adapter against the recorded answers, served through httpx.MockTransport."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal

import httpx
import pytest

from chargebook.domain.prices import PriceFormula
from chargebook.prices import (
    EnergyZeroInterval,
    EnergyZeroPriceSource,
    PriceSourceConnectionError,
    PriceSourceRateLimitError,
    PriceSourceResponseError,
    local_day_window,
)
from chargebook.prices.energyzero import ENERGYZERO_URL


async def test_quarter_prices_for_one_local_day(quarter_payload: bytes) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, content=quarter_payload)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        source = EnergyZeroPriceSource(client=client)
        start, end = local_day_window(date(2025, 12, 16))
        curve = await source.get_prices(start, end)

    assert len(seen) == 1
    assert str(seen[0].url).startswith(ENERGYZERO_URL)
    assert dict(seen[0].url.params) == {
        "energyType": "ENERGY_TYPE_ELECTRICITY",
        "date": "16-12-2025",
        "interval": "INTERVAL_QUARTER",
    }
    assert curve.complete
    assert curve.source == "energyzero"
    assert len(curve.slots) == 96
    assert curve.slots[0].start == datetime(2025, 12, 15, 23, 0, tzinfo=UTC)
    assert curve.slots[0].market_eur_per_kwh == Decimal("0.07994")
    assert curve.slots[0].all_in_eur_per_kwh == PriceFormula().all_in(Decimal("0.07994"))
    assert curve.known_until == end


async def test_one_answer_covering_three_days_is_not_asked_again(quarter_payload: bytes) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return httpx.Response(200, content=quarter_payload)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        start = local_day_window(date(2025, 12, 16))[0]
        end = local_day_window(date(2025, 12, 18))[1]
        curve = await EnergyZeroPriceSource(client=client).get_prices(start, end)
    assert calls == 1
    assert len(curve.slots) == 288
    assert curve.complete


async def test_hourly_prices_become_four_equal_quarters(hour_payload: bytes) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.url.params["interval"] == "INTERVAL_HOUR"
        return httpx.Response(200, content=hour_payload)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        source = EnergyZeroPriceSource(client=client, interval=EnergyZeroInterval.HOUR)
        start, end = local_day_window(date(2025, 12, 17))
        curve = await source.get_prices(start, end)
    assert len(curve.slots) == 96
    first_hour = curve.slots[:4]
    assert len({s.market_eur_per_kwh for s in first_hour}) == 1
    hourly = json.loads(hour_payload)["base"]
    expected = next(p for p in hourly if p["start"] == "2025-12-16T23:00:00Z")
    assert first_hour[0].market_eur_per_kwh == Decimal(expected["price"]["value"])
    assert [s.start.minute for s in first_hour] == [0, 15, 30, 45]


async def test_tomorrow_not_published_is_an_incomplete_curve(quarter_payload: bytes) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.params["date"] == "19-12-2025":
            return httpx.Response(404, json={"message": "no prices"})
        return httpx.Response(200, content=quarter_payload)

    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        start = local_day_window(date(2025, 12, 18))[0]
        end = local_day_window(date(2025, 12, 19))[1]
        curve = await EnergyZeroPriceSource(client=client).get_prices(start, end)
    assert not curve.complete
    assert curve.known_until == datetime(2025, 12, 18, 23, 0, tzinfo=UTC)
    assert curve.missing_from == curve.known_until
    assert len(curve.slots) == 96


def test_formula_with_energyzero_2025_figures_reproduces_their_all_in(
    quarter_payload: bytes,
) -> None:
    from chargebook.prices.energyzero import parse_energyzero

    formula = PriceFormula(
        energy_tax_eur_per_kwh=Decimal("0.10154"),
        supplier_surcharge_eur_per_kwh=Decimal(0),
        vat_rate=Decimal("0.21"),
    )
    slots = parse_energyzero(quarter_payload, formula)
    theirs = {
        p["start"]: Decimal(p["price"]["value"])
        for p in json.loads(quarter_payload)["all_in_with_vat"]
    }
    assert len(slots) == len(theirs) == 288
    for slot in slots:
        key = slot.start.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert abs(slot.all_in_eur_per_kwh - theirs[key]) < Decimal("0.000001")


@pytest.mark.parametrize(
    ("response", "error", "retryable"),
    [
        pytest.param(httpx.Response(500), PriceSourceConnectionError, True, id="server-error"),
        pytest.param(httpx.Response(429), PriceSourceRateLimitError, True, id="rate-limited"),
        pytest.param(httpx.Response(418), PriceSourceResponseError, False, id="odd-status"),
        pytest.param(
            httpx.Response(200, json={"interval": 1}),
            PriceSourceResponseError,
            False,
            id="wrong-shape",
        ),
        pytest.param(
            httpx.Response(200, content=b"<html>"), PriceSourceResponseError, False, id="not-json"
        ),
    ],
)
async def test_errors_are_translated(
    response: httpx.Response, error: type[Exception], retryable: bool
) -> None:
    transport = httpx.MockTransport(lambda request: response)
    async with httpx.AsyncClient(transport=transport) as client:
        start, end = local_day_window(date(2025, 12, 16))
        with pytest.raises(error) as info:
            await EnergyZeroPriceSource(client=client).get_prices(start, end)
    assert info.value.retryable is retryable  # type: ignore[attr-defined]


async def test_network_failure_is_retryable_and_client_ownership_respected() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("boom", request=request)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    start, end = local_day_window(date(2025, 12, 16))
    async with EnergyZeroPriceSource(client=client) as source:
        with pytest.raises(PriceSourceConnectionError) as info:
            await source.get_prices(start, end)
    assert info.value.retryable
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert not client.is_closed  # the caller owns it
    await client.aclose()
