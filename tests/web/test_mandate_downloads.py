"""A signed mandate's document on the web: the owner downloads their own, another owner gets
404, the operator gets any; the operator's year-end page shows the calendar and blockers."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address
from chargebook.ere import gs1_check_digit
from chargebook.ere.service import add_connection, add_mandate

from .helpers import World, context_of


def _mandate_of_owner_a(world: World) -> tuple[int, str]:
    owner = world.actors["owner_a"]
    assert owner.user is not None
    body = f"871{'77':0>14}"
    ean = body + str(gs1_check_digit(body))
    with world.database.transaction() as session:
        store = EreStore(session, context_of(world.app).clock)
        add_connection(store, ean=ean, customer_email=owner.user.email,
                       connected_party_name="Anna Jansen", charger_ids=[],
                       address=Address("Dorpsstraat", "7", "1234 AB", "Utrecht"))  # fmt: skip
        added = add_mandate(store, ean=ean, service_provider_id="chargebook", first_year=2026,
                            last_year=2026, consent_grid_operator_data=True,
                            consent_verifier_visit=True, signed_by_name="Anna Jansen",
                            signed_on=date(2026, 3, 1))  # fmt: skip
    return added.stored.id, ean


async def test_owner_operator_and_another_owner(world: World) -> None:
    mandate_id, ean = _mandate_of_owner_a(world)
    page = await world.actors["owner_a"].client.get("/credits")
    assert f"/credits/mandates/{mandate_id}.pdf" in page.text
    mine = await world.actors["owner_a"].client.get(f"/credits/mandates/{mandate_id}.pdf")
    assert mine.status_code == 200
    assert mine.headers["content-type"] == "application/pdf"
    text = " ".join(PdfReader(io.BytesIO(mine.content)).pages[0].extract_text().split())
    for expected in ("Anna Jansen", ean, "ends on 2026-12-31"):
        assert expected in text

    theirs = await world.actors["owner_b"].client.get(f"/credits/mandates/{mandate_id}.pdf")
    assert theirs.status_code == 404
    assert (
        await world.actors["owner_b"].client.get("/credits/mandates/99999.pdf")
    ).status_code == 404
    not_operator = await world.actors["owner_b"].client.get(f"/operator/mandates/{mandate_id}.pdf")
    assert not_operator.status_code in (403, 404)

    operator = await world.actors["operator"].client.get(f"/operator/mandates/{mandate_id}.pdf")
    assert operator.content == mine.content  # the stored bytes, whoever asks
    # The first download stored the PDF, although a GET's request session is never committed.
    with world.database.session() as session:
        stored = EreStore(session, context_of(world.app).clock).mandate_documents.get(mandate_id)
    assert stored is not None
    assert stored.pdf == mine.content


async def test_the_year_end_page(world: World) -> None:
    _mandate_of_owner_a(world)
    page = await world.actors["operator"].client.get("/operator/year-end?year=2026")
    assert page.status_code == 200
    for expected in ("Year-end 2026", "2027-02-26", "2027-03-31", "2027-04-30"):
        assert expected in page.text
    assert (
        await world.actors["operator"].client.get("/operator/year-end?year=x")
    ).status_code == 422
    assert (await world.actors["owner_a"].client.get("/operator/year-end")).status_code in (
        403,
        404,
    )
