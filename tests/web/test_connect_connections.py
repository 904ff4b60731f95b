"""The wizard with several chargers behind one connection: a Copper SB signs the form, an OCPP
charger joins the owner's connection in one step (no form, the EAN's mandate covers it), the
Pulsar Plus typed with the same EAN attaches instead of being refused; another owner typing
that EAN is refused without learning who holds it. The mandate shows its end and the next year
is signed explicitly; the operator records how the connected party was verified."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address
from chargebook.ere.service import add_connection, add_mandate
from chargebook.settings import Settings

from .helpers import Actor, add_user, client_for, sign_in
from .test_connect_pages import DEMO_EMAIL, DEMO_PASSWORD, Wizard, _wizard, valid_ean


@pytest.fixture
async def wizard(
    web_settings: Settings, sqlite_database: Database, clock: FixedClock
) -> AsyncIterator[Wizard]:
    async for world in _wizard(web_settings, sqlite_database, clock):
        yield world


def _form(wizard: Wizard, **change: str) -> dict[str, str]:
    today = wizard.simulator.clock.now().date()
    return {
        "ean": valid_ean(), "connected_party_name": "D. River", "street": "Laan",
        "house_number": "1", "postal_code": "1234 AB", "city": "Utrecht",
        "signed_by_name": "D. River", "signed_on": today.isoformat(),
        "last_year": str(today.year), "consent_grid_operator_data": "on",
        "consent_verifier_visit": "on", **change,
    }  # fmt: skip


async def _ocpp(wizard: Wizard, actor: Actor, cp_id: str) -> int:
    registered = await wizard.post("/connect/ocpp", {"charge_point_id": cp_id}, actor)
    assert registered.status_code == 200
    with wizard.database.session() as session:
        found = next(
            c for c in ChargerRepository(session, wizard.simulator.clock).list()
            if c.charger.external_id == cp_id
        )  # fmt: skip
    return found.id


async def test_a_second_and_third_charger_join_the_connection_without_signing_again(
    wizard: Wizard,
) -> None:
    await wizard.post("/connect/wallbox", {"email": DEMO_EMAIL, "password": DEMO_PASSWORD})
    with wizard.database.session() as session:
        chargers = ChargerRepository(session, wizard.simulator.clock).list()
    copper = next(c for c in chargers if c.charger.model == "Copper SB")
    pulsar = next(c for c in chargers if c.charger.model == "Pulsar Plus")
    await wizard.post(f"/connect/{copper.id}/select", {})
    signed = await wizard.post(f"/connect/{copper.id}/ere", _form(wizard))
    assert signed.headers["location"] == f"/connect/{copper.id}/done?mandate=ok"
    year = wizard.simulator.clock.now().year

    garage = await _ocpp(wizard, wizard.owner, "garage-1")
    meter = await wizard.owner.client.get(f"/connect/{garage}/meter")
    assert f"Add to my connection EAN {valid_ean()}" in meter.text
    attached = await wizard.post(f"/connect/{garage}/ere/attach", {"connection_id": "1"})
    assert attached.status_code == 303
    assert attached.headers["location"] == f"/connect/{garage}/done?mandate=attached"
    done = await wizard.owner.client.get(attached.headers["location"])
    assert "nothing to sign again" in done.text

    # The full form with the same EAN (before: refused as "one service provider per EAN per
    # calendar year", against the owner's own mandate) attaches the Pulsar Plus.
    again = await wizard.post(f"/connect/{pulsar.id}/ere", _form(wizard, connected_party_name="X"))
    assert again.status_code == 303, again.text
    with wizard.database.session() as session:
        store = EreStore(session, wizard.simulator.clock)
        connection = store.connections.get_by_ean(valid_ean())
        mandates = store.mandates.list(ean=valid_ean())
    assert connection.charger_ids == tuple(sorted((copper.id, garage, pulsar.id)))
    assert connection.connection.connected_party_name == "D. River"
    assert [(m.mandate.first_year, m.mandate.last_year) for m in mandates] == [(year, year)]

    for path in (f"/connect/{garage}/meter", f"/chargers/{garage}"):
        page = await wizard.owner.client.get(path)
        assert f"31 December {year}" in page.text, path
    meter = await wizard.owner.client.get(f"/connect/{garage}/meter")
    assert f"Sign for {year + 1}" in meter.text
    assert "not renewed by itself" in meter.text


async def test_another_owner_typing_the_ean_is_refused_without_learning_who_holds_it(
    wizard: Wizard,
) -> None:
    mine = await _ocpp(wizard, wizard.owner, "garage-1")
    assert (await wizard.post(f"/connect/{mine}/ere", _form(wizard))).status_code == 303
    other = Actor("other", add_user(wizard.app, "other@example.com"), client_for(wizard.app))
    sign_in(wizard.app, other)
    theirs = await _ocpp(wizard, other, "other-cp")
    meter = await other.client.get(f"/connect/{theirs}/meter")
    assert valid_ean() not in meter.text  # no one else's connection is offered
    refused = await wizard.post(
        f"/connect/{theirs}/ere", _form(wizard, signed_by_name="O. Ther"), other
    )
    assert refused.status_code == 422
    assert "already registered by another customer" in refused.text
    assert "one service provider per EAN per calendar year" in refused.text
    assert "D. River" not in refused.text
    assert "driver@example.com" not in refused.text
    foreign = await wizard.post(f"/connect/{theirs}/ere/attach", {"connection_id": "1"}, other)
    assert foreign.status_code == 404
    await other.client.aclose()


async def test_the_next_year_is_signed_explicitly(wizard: Wizard) -> None:
    garage = await _ocpp(wizard, wizard.owner, "garage-1")
    await wizard.post(f"/connect/{garage}/ere", _form(wizard))
    year = wizard.simulator.clock.now().year
    renew = {
        "signed_by_name": "D. River",
        "signed_on": wizard.simulator.clock.now().date().isoformat(),
        "last_year": str(year + 1),
        "consent_grid_operator_data": "on",
        "consent_verifier_visit": "on",
    }
    missing = await wizard.post(f"/connect/{garage}/ere/renew", {**renew, "signed_by_name": " "})
    assert missing.status_code == 422
    assert "Type your full name" in missing.text
    renewed = await wizard.post(f"/connect/{garage}/ere/renew", renew)
    assert renewed.headers["location"] == f"/connect/{garage}/done?mandate=renewed"
    with wizard.database.session() as session:
        mandates = EreStore(session, wizard.simulator.clock).mandates.list(ean=valid_ean())
    assert [(m.mandate.first_year, m.mandate.last_year) for m in mandates] == [
        (year, year),
        (year + 1, year + 1),
    ]
    meter = await wizard.owner.client.get(f"/connect/{garage}/meter")
    assert f"31 December {year + 1}" in meter.text


async def test_the_operator_records_how_the_connected_party_was_verified(wizard: Wizard) -> None:
    garage = await _ocpp(wizard, wizard.owner, "garage-1")
    await wizard.post(f"/connect/{garage}/ere", _form(wizard))
    page = await wizard.operator.client.get("/operator/mandates")
    assert "not verified" in page.text
    form = {
        "ean": valid_ean(),
        "method": "energy_bill",
        "verified_by": "op@example.com",
        "verified_on": "2026-03-01",
        "note": "bill of February",
    }
    bad = await wizard.post("/operator/connections/verification", {**form, "method": "x"},
                            wizard.operator)  # fmt: skip
    assert bad.status_code == 422
    assert "energy_bill" in bad.text
    owner_try = await wizard.post("/operator/connections/verification", form)
    assert owner_try.status_code in (403, 404)
    done = await wizard.post("/operator/connections/verification", form, wizard.operator)
    assert done.status_code == 303
    page = await wizard.operator.client.get("/operator/mandates")
    cell = page.text.split(f'data-testid="party-{valid_ean()}">')[1].split("<details>")[0]
    assert "energy bill" in cell
    assert "2026-03-01 by op@example.com" in cell
    assert "bill of February" in cell


async def test_a_mandate_of_another_provider_for_the_ean_refuses_ours_on_the_form(
    wizard: Wizard,
) -> None:
    # The owner's connection is recorded, but another service provider holds its mandate for
    # this year (one provider per EAN per calendar year): signing ours is refused on the form.
    mine = await _ocpp(wizard, wizard.owner, "garage-1")
    year = wizard.simulator.clock.now().year
    with wizard.database.transaction() as session:
        store = EreStore(session, wizard.simulator.clock)
        add_connection(store, ean=valid_ean(), customer_email="driver@example.com",
                       connected_party_name="D. River",
                       address=Address("Laan", "1", "1234 AB", "Utrecht"))  # fmt: skip
        add_mandate(store, ean=valid_ean(), service_provider_id="another-provider",
                    first_year=year, last_year=year, consent_grid_operator_data=True,
                    consent_verifier_visit=True, signed_by_name="D. River",
                    signed_on=wizard.simulator.clock.now().date())  # fmt: skip
    refused = await wizard.post(f"/connect/{mine}/ere", _form(wizard))
    assert refused.status_code == 422, refused.text
    assert "Another service provider already holds a mandate for this EAN" in refused.text
    with wizard.database.session() as session:
        mandates = EreStore(session, wizard.simulator.clock).mandates.list(ean=valid_ean())
    assert [m.mandate.service_provider_id for m in mandates] == ["another-provider"]
