"""Numbers no charger can report (NaN, Infinity, 1e999: Python's json reads them all) are
refused at the Wallbox edge as a payload error naming the field, never passed on as a
reading (a live page would answer 500 on them, the book could not store them)."""

from __future__ import annotations

import json

import httpx
import pytest
from wallbox_fakes import FakeCloud, fixture

from chargebook.wallbox import WallboxPayloadError


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e999"])
@pytest.mark.parametrize("field", ["charging_power", "added_energy"])
async def test_a_non_finite_status_number_is_a_payload_error(
    cloud: FakeCloud, make_client: object, field: str, number: str
) -> None:
    body = fixture("status.json")
    body[field] = "__NUMBER__"
    text = json.dumps(body).replace('"__NUMBER__"', number)
    cloud.on("GET", "/chargers/status/9988552", httpx.Response(200, content=text.encode()))
    wallbox = make_client(max_retries=0)  # type: ignore[operator]
    with pytest.raises(WallboxPayloadError) as info:
        await wallbox.get_status("9988552")
    assert info.value.field == field
    assert "finite" in info.value.message


@pytest.mark.parametrize("last_sync", ["9999-12-31 23:59:59", "0001-01-01 00:00:00"])
async def test_an_absurd_last_sync_is_unknown(
    cloud: FakeCloud, make_client: object, last_sync: str
) -> None:
    body = fixture("status.json")
    body["last_sync"] = last_sync
    cloud.on("GET", "/chargers/status/9988552", httpx.Response(200, json=body))
    wallbox = make_client(max_retries=0)  # type: ignore[operator]
    status = await wallbox.get_status("9988552")
    assert status.reported_at is None
