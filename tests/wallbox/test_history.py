"""Session history: envelope vs item errors, paging by offset, time windows, de-duplication."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import httpx
import pytest
from wallbox_fakes import FakeCloud, fixture

from chargebook.wallbox import WallboxClient, WallboxPayloadError, time_windows

MakeClient = Callable[..., WallboxClient]
PATH = "/v4/sessions/stats"
T0 = datetime(2024, 1, 1, tzinfo=UTC)


def item(n: int, start: datetime, **attributes: Any) -> dict[str, Any]:
    attrs = {
        "charger": 42,
        "start": int(start.timestamp()),
        "end": int(start.timestamp()) + 3600,
        "energy": 10 + n / 100,
        "mid_energy": 0,
        "discharged_energy": 0,
        "time": 3600,
        "cost": 2.5,
        "currency": {"code": "EUR"},
    }
    attrs.update(attributes)
    return {"type": "charger_log_session", "id": str(n), "attributes": attrs}


def serve(cloud: FakeCloud, items: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Serve `items` like the API: start in [start_date, end_date], limit/offset, meta.count."""
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        seen.append(params)
        lo, hi = float(params["start_date"]), float(params["end_date"])
        hits = [i for i in items if _starts_within(i, lo, hi)]
        offset, limit = int(params["offset"]), int(params["limit"])
        page = hits[offset : offset + limit]
        return httpx.Response(200, json={"meta": {"count": len(hits)}, "data": page})

    cloud.on("GET", PATH, handler)
    return seen


def _starts_within(entry: dict[str, Any], lo: float, hi: float) -> bool:
    start = entry["attributes"].get("start")
    if not isinstance(start, int | float) or isinstance(start, bool):
        return lo == T0.timestamp()  # a broken item shows up in the first window only
    return lo <= start <= hi


async def collect(client: WallboxClient, **kwargs: Any) -> list[Any]:
    return [r async for r in client.iter_sessions("42", **kwargs)]


async def test_recorded_page_parses_into_exact_sessions(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    cloud.on("GET", PATH, httpx.Response(200, json=fixture("sessions_page.json")))
    page = await client.fetch_session_page(
        "42", start=datetime(2024, 10, 1, tzinfo=UTC), end=datetime(2024, 10, 31, tzinfo=UTC)
    )
    assert page.count == 2
    first, second = page.records
    assert first.problem is None
    assert first.session is not None
    assert first.external_id == "123456789"
    assert first.session.started_at == datetime.fromtimestamp(1728417604, tz=UTC)
    assert first.session.ended_at == datetime.fromtimestamp(1728539458, tz=UTC)
    assert first.session.energy_kwh == Decimal("15.06")
    assert first.session.cost == Decimal("6.024")
    assert first.session.currency == "EUR"
    assert first.session.duration_s == 13577
    assert first.raw["attributes"]["user_email"] == "test.test@test.com"  # raw kept whole
    assert second.session is not None
    assert second.session.energy_kwh == Decimal("7.5")  # "7.5" on the wire
    assert second.session.mid_energy_kwh is None
    params = dict(cloud.requests[-1].url.params)
    assert params == {
        "charger": "42",
        "start_date": str(int(datetime(2024, 10, 1, tzinfo=UTC).timestamp())),
        "end_date": str(int(datetime(2024, 10, 31, tzinfo=UTC).timestamp())),
        "limit": "1000",
        "offset": "0",
    }


@pytest.mark.parametrize(
    ("broken", "problem"),
    [
        (
            {"attributes": {"start": T0.timestamp(), "end": T0.timestamp()}},
            "energy: field required",
        ),
        ({"energy": "lots"}, "energy: "),
        ({"energy": -1.5}, "energy: negative"),
        ({"end": T0.timestamp() - 1}, "end: before start"),
        ({"start": "yesterday"}, "start: "),
        ({"start": True}, "start: "),
        ({"mid_energy": -0.1}, "mid_energy: negative"),
    ],
    ids=[
        "missing-energy",
        "energy-text",
        "negative",
        "end-before-start",
        "start-text",
        "start-bool",
        "negative-mid",
    ],
)
async def test_malformed_items_are_quarantined_not_fatal(
    cloud: FakeCloud, client: WallboxClient, broken: dict[str, Any], problem: str
) -> None:
    bad = item(1, T0)
    if "attributes" in broken:
        bad["attributes"] = broken["attributes"]
    else:
        bad["attributes"].update(broken)
    serve(cloud, [bad, item(2, T0 + timedelta(hours=2))])
    records = await collect(client, start=T0, end=T0 + timedelta(days=1))
    assert [r.external_id for r in records] == ["1", "2"]
    assert records[0].session is None
    assert records[0].problem is not None
    assert records[0].problem.startswith(problem)
    assert records[0].raw == bad
    assert records[1].session is not None


async def test_items_without_id_or_attributes_are_quarantined(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    body = {"meta": {"count": 3}, "data": ["junk", {"attributes": {}}, {"id": "9"}]}
    cloud.on("GET", PATH, httpx.Response(200, json=body))
    page = await client.fetch_session_page("42", start=T0, end=T0 + timedelta(days=1))
    problems = [r.problem for r in page.records]
    assert problems == [
        "item: expected an object, got str",
        "id: missing or not a string/number",
        "attributes: missing or not an object",
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"data": []}, "meta"),
        ({"meta": {"count": 1}}, "data"),
        ({"meta": {}, "data": []}, "meta.count"),
        ({"meta": {"count": "many"}, "data": []}, "meta.count"),
        ({"meta": {"count": 1}, "data": {"id": 1}}, "data"),
        ([], "<root>"),
    ],
    ids=["no-meta", "no-data", "no-count", "count-text", "data-object", "array"],
)
async def test_malformed_envelope_raises_a_payload_error_naming_the_field(
    cloud: FakeCloud, make_client: MakeClient, body: object, field: str
) -> None:
    cloud.on("GET", PATH, httpx.Response(200, json=body))
    with pytest.raises(WallboxPayloadError) as info:
        await make_client(max_retries=0).fetch_session_page("42", start=T0, end=T0)
    assert info.value.field == field
    assert info.value.retryable


async def test_transient_envelope_garbage_is_retried(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    serve(cloud, [item(1, T0)])
    cloud.fail("GET", PATH, httpx.Response(200, content=b'{"meta":{"cou'))
    records = await collect(client, start=T0, end=T0 + timedelta(days=1))
    assert [r.external_id for r in records] == ["1"]


async def test_paging_by_offset_until_count(cloud: FakeCloud, client: WallboxClient) -> None:
    items = [item(n, T0 + timedelta(hours=n)) for n in range(25)]
    seen = serve(cloud, items)
    records = await collect(client, start=T0, end=T0 + timedelta(days=5), page_size=10)
    assert [r.external_id for r in records] == [str(n) for n in range(25)]
    assert [p["offset"] for p in seen] == ["0", "10", "20"]


async def test_long_history_is_one_range_paged_by_offset(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    # One session a day for a year: one range, one read per page (not one per 30 days).
    items = [item(n, T0 + timedelta(days=n)) for n in range(365)]
    seen = serve(cloud, items)
    pages: list[tuple[int, int]] = []
    records = await collect(
        client,
        start=T0,
        end=T0 + timedelta(days=365),
        page_size=100,
        on_page=lambda read, expected: pages.append((read, expected)),
    )
    assert [r.external_id for r in records] == [str(n) for n in range(365)]
    assert [p["offset"] for p in seen] == ["0", "100", "200", "300"]
    assert {int(p["end_date"]) - int(p["start_date"]) for p in seen} == {365 * 86400}
    # The first page's meta.count tells how many reads the range takes.
    assert pages == [(1, 4), (2, 4), (3, 4), (4, 4)]


async def test_windows_when_asked_for_without_duplicates(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    # One session a day for a year, one exactly on every 30-day window boundary.
    items = [item(n, T0 + timedelta(days=n)) for n in range(365)]
    seen = serve(cloud, items)
    records = await collect(
        client, start=T0, end=T0 + timedelta(days=365), page_size=100, window=timedelta(days=30)
    )
    assert [r.external_id for r in records] == [str(n) for n in range(365)]
    assert len(seen) == 13  # ceil(365 / 30) windows of one page each
    assert max(int(p["end_date"]) - int(p["start_date"]) for p in seen) <= 30 * 86400


async def test_an_empty_long_range_costs_one_request(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    seen = serve(cloud, [item(1, T0 - timedelta(days=1)), item(2, T0 + timedelta(days=181))])
    records = await collect(client, start=T0, end=T0 + timedelta(days=180))
    assert records == []
    assert len(seen) == 1  # not six empty 30-day windows


async def test_a_long_range_that_fits_one_page_is_read_in_one_request(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    end = T0 + timedelta(days=180)
    items = [item(n, T0 + timedelta(days=7 * n)) for n in range(26)]
    items += [item(99, end), item(3, T0 + timedelta(days=21))]  # end is exclusive; a repeat
    seen = serve(cloud, items)
    records = await collect(client, start=T0, end=end, page_size=50)
    assert [r.external_id for r in records] == [str(n) for n in range(26)]
    assert len(seen) == 1


async def test_a_long_range_beyond_one_page_pages_on_from_the_first_page(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    items = [item(n, T0 + timedelta(hours=12 * n)) for n in range(120)]  # 60 days
    seen = serve(cloud, items)
    records = await collect(client, start=T0, end=T0 + timedelta(days=60), page_size=50)
    assert sorted(int(r.external_id or "") for r in records) == list(range(120))
    # The first page is used, not thrown away for windows: ceil(120 / 50) reads.
    assert [p["offset"] for p in seen] == ["0", "50", "100"]


async def test_repeated_ids_across_pages_are_yielded_once(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    pages = [
        {"meta": {"count": 3}, "data": [item(1, T0), item(2, T0 + timedelta(hours=1))]},
        {"meta": {"count": 3}, "data": [item(2, T0 + timedelta(hours=1)), item(3, T0)]},
    ]
    cloud.fail("GET", PATH, *(httpx.Response(200, json=p) for p in pages))
    cloud.on("GET", PATH, httpx.Response(200, json={"meta": {"count": 3}, "data": []}))
    records = await collect(client, start=T0, end=T0 + timedelta(days=1), page_size=2)
    assert [r.external_id for r in records] == ["1", "2", "3"]


async def test_sessions_outside_the_half_open_range_are_dropped(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    end = T0 + timedelta(days=1)
    serve(cloud, [item(1, T0), item(2, end)])  # the server's end_date is inclusive
    records = await collect(client, start=T0, end=end)
    assert [r.external_id for r in records] == ["1"]


async def test_an_empty_page_before_count_stops_instead_of_looping(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    cloud.on("GET", PATH, httpx.Response(200, json={"meta": {"count": 50}, "data": []}))
    assert await collect(client, start=T0, end=T0 + timedelta(days=1)) == []
    assert len(cloud.data_requests()) == 1


def test_time_windows_cover_the_range_half_open() -> None:
    windows = list(time_windows(T0, T0 + timedelta(days=65), timedelta(days=30)))
    assert windows == [
        (T0, T0 + timedelta(days=30)),
        (T0 + timedelta(days=30), T0 + timedelta(days=60)),
        (T0 + timedelta(days=60), T0 + timedelta(days=65)),
    ]
    assert list(time_windows(T0, T0)) == []
    with pytest.raises(ValueError, match="naive"):
        list(time_windows(datetime(2024, 1, 1), T0))


def test_item_fixture_is_json_serialisable() -> None:
    assert json.loads(json.dumps(item(1, T0)))["id"] == "1"


async def test_an_overlapping_page_does_not_make_the_client_skip_an_item(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    items = [item(n, T0 + timedelta(hours=n)) for n in range(25)]
    calls = 0

    def shifted(request: httpx.Request) -> httpx.Response:
        # Like the live API under load: page 2 starts one item early (overlaps page 1).
        nonlocal calls
        calls += 1
        offset, limit = int(request.url.params["offset"]), int(request.url.params["limit"])
        begin = offset - 1 if calls == 2 else offset
        page = items[begin : begin + limit]
        return httpx.Response(200, json={"meta": {"count": len(items)}, "data": page})

    cloud.on("GET", PATH, shifted)
    records = await collect(client, start=T0, end=T0 + timedelta(days=5), page_size=10)
    assert sorted(int(r.external_id) for r in records) == list(range(25))


async def test_a_refused_long_range_is_read_in_windows_instead(
    cloud: FakeCloud, client: WallboxClient
) -> None:
    # The real API's longest span is undocumented: a server that refuses a year as a bad
    # request still gets the whole history, in 30-day windows.
    items = [item(n, T0 + timedelta(days=3 * n)) for n in range(120)]  # a year
    seen: list[dict[str, str]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        params = dict(request.url.params)
        seen.append(params)
        if float(params["end_date"]) - float(params["start_date"]) > 100 * 86400:
            return httpx.Response(400, json={"error": True, "msg": "range too long"})
        lo, hi = float(params["start_date"]), float(params["end_date"])
        hits = [i for i in items if _starts_within(i, lo, hi)]
        offset, limit = int(params["offset"]), int(params["limit"])
        return httpx.Response(
            200, json={"meta": {"count": len(hits)}, "data": hits[offset : offset + limit]}
        )

    cloud.on("GET", PATH, handler)
    records = await collect(client, start=T0, end=T0 + timedelta(days=360))
    assert sorted(int(r.external_id or "") for r in records) == list(range(120))
    assert len(seen) == 1 + 12  # the refused year, then 12 windows of 30 days
