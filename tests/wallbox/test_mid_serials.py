"""What the book needs of a charger costs one groups read, plus one read per MID charger."""

from __future__ import annotations

import copy
from collections.abc import Callable

import httpx
from wallbox_fakes import FakeCloud, fixture

from chargebook.wallbox import WallboxClient

MakeClient = Callable[..., WallboxClient]


def _charger_data(serial: str) -> dict[str, object]:
    body = copy.deepcopy(fixture("charger_data.json"))
    body["data"]["chargerData"].update(
        {"id": 9988552, "midEnabled": 1, "midSerialNumber": serial, "midStatus": 1}
    )
    return body


async def test_only_mid_chargers_are_read_for_their_serial_and_only_once(
    cloud: FakeCloud, make_client: MakeClient
) -> None:
    cloud.on("GET", "/v3/chargers/groups", httpx.Response(200, json=fixture("groups.json")))
    cloud.on("GET", "/v2/charger/9988552", httpx.Response(200, json=_charger_data("MID123")))
    client = make_client()

    chargers = {c.external_id: c for c in await client.list_chargers(mid_serials=True)}
    assert chargers["9988552"].mid.serial_number == "MID123"
    assert chargers["9988552"].mid.present
    assert chargers["123456"].mid.serial_number is None  # no MID meter: not read
    paths = [r.url.path for r in cloud.data_requests()]
    assert paths == ["/v3/chargers/groups", "/v2/charger/9988552"]

    again = {c.external_id: c for c in await client.list_chargers(mid_serials=True)}
    assert again["9988552"].mid.serial_number == "MID123"
    assert [r.url.path for r in cloud.data_requests()][2:] == ["/v3/chargers/groups"]


async def test_without_mid_serials_the_listing_is_one_read(
    cloud: FakeCloud, make_client: MakeClient
) -> None:
    cloud.on("GET", "/v3/chargers/groups", httpx.Response(200, json=fixture("groups.json")))
    chargers = await make_client().list_chargers()
    assert len(chargers) == 2
    assert [r.url.path for r in cloud.data_requests()] == ["/v3/chargers/groups"]
