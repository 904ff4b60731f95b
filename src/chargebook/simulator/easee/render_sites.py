"""Sites, circuits and site state (pyeasee `tests/fixtures/sites.json`, `site.json`,
`site-state.json` key sets; the site's times are naive UTC with microseconds, as recorded)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from chargebook.simulator.easee.fleet import SimAccount, SimCharger
from chargebook.simulator.easee.render import charger_config, charger_item, charger_state
from chargebook.simulator.easee.state import ChargerState


def _address() -> dict[str, Any]:
    return {
        "street": "Stationsstraat",
        "buildingNumber": "1",
        "zip": "1234 AB",
        "area": "Utrecht",
        "country": {"id": "NL", "name": "Netherlands", "phonePrefix": 31},
        "latitude": None,
        "longitude": None,
        "altitude": None,
    }


def site_summary(account: SimAccount) -> dict[str, Any]:
    """One element of `GET /api/sites`."""
    return {
        "id": account.site_id,
        "siteKey": account.site_key,
        "name": "Home",
        "levelOfAccess": 1,
        "address": _address(),
    }


def circuit(account: SimAccount, chargers: list[SimCharger]) -> dict[str, Any]:
    return {
        "id": account.circuit_id,
        "siteId": account.site_id,
        "circuitPanelId": 1,
        "panelName": "1",
        "ratedCurrent": 40.0,
        "chargers": [charger_item(c) for c in chargers],
        "masterBackplate": None,
        "useDynamicMaster": False,
        "parentCircuitId": None,
    }


def site(account: SimAccount, chargers: list[SimCharger], price: dict[str, Any]) -> dict[str, Any]:
    """`GET /api/sites/{id}?detailed=true` and `GET /api/chargers/{id}/site`."""
    return {
        "contactInfo": {
            "installerName": None,
            "installerPhoneNumber": None,
            "ownerName": "Demo Owner",
            "ownerPhoneNumber": None,
            "company": None,
        },
        "costPerKWh": price.get("costPerKWh", 0.0),
        "vat": price.get("vat", 21.0),
        "costPerKwhExcludeVat": price.get("costPerKwhExcludeVat", 0.0),
        "currencyId": price.get("currencyId", "EUR"),  # set_price and set_currency change it
        "partnerId": 1,
        "siteType": 1,
        "ratedCurrent": 40.0,
        "useDynamicMaster": False,
        "circuits": [circuit(account, chargers)],
        "equalizers": [],
        "createdOn": "2020-04-06T11:59:53.135015",
        "updatedOn": "2020-08-14T02:12:29.215533",
        **site_summary(account),
        **({"name": price["name"]} if "name" in price else {}),
    }


def site_state(
    account: SimAccount,
    chargers: list[SimCharger],
    state_of: Callable[[str], ChargerState],
    now: datetime,
) -> dict[str, Any]:
    """`GET /api/sites/{id}/state`: per circuit, every charger's config and state."""
    charger_states = [
        {
            "chargerID": c.id,
            "chargerConfig": charger_config(state_of(c.id), now),
            "chargerState": charger_state(state_of(c.id), now),
        }
        for c in chargers
    ]
    return {
        "circuitStates": [{"circuit": circuit(account, chargers), "chargerStates": charger_states}],
        "site": site(account, chargers, {}),
    }


def products(account: SimAccount, chargers: list[SimCharger]) -> list[dict[str, Any]]:
    """`GET /api/accounts/products`: the sites with their circuits and equalizers."""
    return [{**site_summary(account), "circuits": [circuit(account, chargers)], "equalizers": []}]
