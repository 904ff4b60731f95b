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
