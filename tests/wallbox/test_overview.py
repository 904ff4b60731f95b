"""The overview: every charger's state from one groups read, tolerant of missing live fields."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
from wallbox_fakes import FakeCloud, fixture

from chargebook.domain.models import ChargerState
from chargebook.domain.ports import ChargerOverview
from chargebook.wallbox import WallboxClient

MakeClient = Callable[..., WallboxClient]


async def test_one_read_gives_every_chargers_state(
    cloud: FakeCloud, make_client: MakeClient
) -> None:
    cloud.on("GET", "/v3/chargers/groups", httpx.Response(200, json=fixture("groups.json")))
    client = make_client()
    assert isinstance(client, ChargerOverview)
    readings = {r.charger.external_id: r for r in await client.read_overview()}
    assert [r.url.path for r in cloud.data_requests()] == ["/v3/chargers/groups"]
    home = readings["123456"]
    assert (home.state, home.status_code) == (ChargerState.CHARGING, 194)
    assert (home.charging_power_kw, home.session_energy_kwh) == (0.0, 0.987)
    assert home.reported_at == datetime.fromtimestamp(1662127235, UTC)
    assert home.charger.model == "Pulsar Plus US"
    garage = readings["9988552"]  # listed in a nested group without live numbers
    assert garage.state is ChargerState.LOCKED_CAR_CONNECTED
    assert (garage.charging_power_kw, garage.session_energy_kwh, garage.reported_at) == (
        None,
        None,
        None,
    )


async def test_broken_live_fields_are_unknown_not_fatal(
    cloud: FakeCloud, make_client: MakeClient
) -> None:
    body = copy.deepcopy(fixture("groups.json"))
    charger = body["result"]["groups"][0]["chargers"][0]
    charger.update({"chargingPower": "n/a", "addedEnergy": None, "lastSync": 10**20})
    body["result"]["groups"][1]["chargers"][1]["status"] = None  # the other charger
    cloud.on("GET", "/v3/chargers/groups", httpx.Response(200, json=body))
    readings = {r.charger.external_id: r for r in await make_client().read_overview()}
    home = readings["123456"]
    assert (home.state, home.status_code) == (ChargerState.CHARGING, 194)
    assert (home.charging_power_kw, home.session_energy_kwh, home.reported_at) == (None, None, None)
    garage = readings["9988552"]
    assert (garage.state, garage.status_code) == (ChargerState.UNKNOWN, 0)
