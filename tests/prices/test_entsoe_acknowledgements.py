"""ENTSO-E refusals, as the platform really sent them (tests/fixtures/real/entsoe, see SOURCES):
"no matching data" is no prices yet; a window too large is split; every other refusal is an
error with the platform's text, never "no prices yet"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from chargebook.domain.prices import PriceFormula
from chargebook.prices import EntsoePriceSource, PriceSourceResponseError, local_day_window
from chargebook.prices.entsoe import parse_entsoe
from chargebook.prices.exceptions import PriceSourceRequestTooLargeError

from .test_entsoe import TOKEN, a44_document

REAL = Path(__file__).parents[1] / "fixtures" / "real" / "entsoe"
NO_DATA = (REAL / "no_matching_data_energy_prices.xml").read_bytes()
NOT_VALID = (REAL / "delivered_area_not_valid.xml").read_bytes()
TOO_LARGE = (REAL / "instance_limit_energy_prices.xml").read_bytes()


def test_no_matching_data_is_no_prices_yet() -> None:
    assert parse_entsoe(NO_DATA, PriceFormula()) == []


def test_an_invalid_area_is_an_error_with_the_platform_text() -> None:
    # Reason code 999 as well: before, every 999 was read as "no prices yet".
    with pytest.raises(PriceSourceResponseError) as info:
        parse_entsoe(NOT_VALID, PriceFormula())
    assert "Delivered Area EIC 10YDE-ENBW-----N is not valid." in str(info.value)
    assert not isinstance(info.value, PriceSourceRequestTooLargeError)
    assert not info.value.retryable


def test_the_instance_limit_is_its_own_error() -> None:
    with pytest.raises(PriceSourceRequestTooLargeError) as info:
        parse_entsoe(TOO_LARGE, PriceFormula())
    assert "exceeds the allowed maximum (100)" in str(info.value)


@pytest.mark.parametrize(
    "text",
    ["", "<text>   </text>", "<text>Unknown reason</text>"],
    ids=["no-text", "blank-text", "other-text"],
)
def test_any_other_acknowledgement_is_an_error(text: str) -> None:
    doc = f"<Acknowledgement_MarketDocument><Reason><code>999</code>{text}</Reason>"
    with pytest.raises(PriceSourceResponseError):
        parse_entsoe(doc + "</Acknowledgement_MarketDocument>", PriceFormula())


@pytest.mark.parametrize("status", [200, 400])
async def test_a_refusal_reaches_the_caller_whatever_the_status(status: int) -> None:
    client = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(status, content=NOT_VALID))
    )
    source = EntsoePriceSource(security_token=TOKEN, client=client)
    async with client:
        with pytest.raises(PriceSourceResponseError):
            await source.get_prices(*local_day_window(date(2026, 2, 14)))


def daily_a44_document(first: datetime, last: datetime) -> str:
    """One A44 document with one period a day, as the platform answers a long window."""
    days = [first + timedelta(days=n) for n in range((last - first).days)]
    documents = [a44_document(day, day + timedelta(days=1), [(1, "80.00")]) for day in days]
    head, _, _ = documents[0].partition("<TimeSeries>")
    series = [doc.split("<TimeSeries>", 1)[1].split("</TimeSeries>")[0] for doc in documents]
    body = "".join(f"<TimeSeries>{one}</TimeSeries>" for one in series)
    return f"{head}{body}</Publication_MarketDocument>"


async def test_a_window_too_large_is_asked_in_halves() -> None:
    start = datetime(2026, 1, 1, 23, tzinfo=UTC)
    end = start + timedelta(days=200)
    windows: list[tuple[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        params = request.url.params
        window = (params["periodStart"], params["periodEnd"])
        windows.append(window)
        first = datetime.strptime(window[0], "%Y%m%d%H%M").replace(tzinfo=UTC)
        last = datetime.strptime(window[1], "%Y%m%d%H%M").replace(tzinfo=UTC)
        if last - first > timedelta(days=100):  # the platform's instance limit
            return httpx.Response(400, content=TOO_LARGE)
        return httpx.Response(200, text=daily_a44_document(first, last))

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    source = EntsoePriceSource(security_token=TOKEN, client=client)
    async with client:
        curve = await source.get_prices(start, end)
    assert windows == [
        ("202601012300", "202607202300"),
        ("202601012300", "202604112300"),
        ("202604112300", "202607202300"),
    ]
    assert curve.complete
    assert len(curve.slots) == 200 * 96


async def test_a_day_refused_as_too_large_stays_an_error() -> None:
    client = httpx.AsyncClient(
        transport=httpx.MockTransport(lambda request: httpx.Response(400, content=TOO_LARGE))
    )
    source = EntsoePriceSource(security_token=TOKEN, client=client)
    async with client:
        with pytest.raises(PriceSourceRequestTooLargeError):
            await source.get_prices(*local_day_window(date(2026, 2, 14)))


def test_every_recording_has_a_source() -> None:
    sources = (REAL / "SOURCES").read_text(encoding="utf-8")
    for recording in sorted(REAL.glob("*.xml")):
        assert recording.name in sources, recording.name
