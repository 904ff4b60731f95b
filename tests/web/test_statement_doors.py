"""A statement is the same document through every door: the owner's web download and the
file the worker (and `chargebook ere statements --output`) writes name the same connection,
even when the statement's EAN is not one of the customer's connections (a SAP line books on
the SAP's own EAN) and the service falls back to the customer's connection."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from chargebook.crypto import load_secret_box
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address
from chargebook.ere import gs1_check_digit
from chargebook.ere.service import add_connection
from chargebook.ere.service.statement_files import statement_party, statement_pdf_name
from chargebook.jobs.worker_jobs import WorkerRuntime
from chargebook.settings import Settings

from .helpers import World, context_of


def _ean(tail: str) -> str:
    body = f"871{tail:0>14}"
    return body + str(gs1_check_digit(body))


async def test_web_download_names_the_connection_the_worker_file_names(
    world: World, web_settings: Settings, tmp_path: Path
) -> None:
    owner = world.actors["owner_a"]
    assert owner.user is not None
    context = context_of(world.app)
    with world.database.transaction() as session:
        store = EreStore(session, context.clock)
        add_connection(store, ean=_ean("42"), customer_email=owner.user.email,
                       connected_party_name="Anna Jansen", charger_ids=[],
                       address=Address("Dorpsstraat", "7", "1234 AB", "Utrecht"))  # fmt: skip
    statement_id = world.statement_ids["owner_a"]

    downloaded = await owner.client.get(f"/credits/statements/{statement_id}.pdf")
    assert downloaded.status_code == 200

    runtime = WorkerRuntime(web_settings, world.database, load_secret_box(web_settings),
                            context.clock)  # fmt: skip
    written = runtime.write_statements("2026-Q1", Decimal("0.20"), output=tmp_path)
    with world.database.session() as session:
        store = EreStore(session, context.clock)
        statement = store.statements.list(statement_id=statement_id)[0]
        party = statement_party(store, statement)
    assert statement.eans == ("871234567890123456",)  # not one of the customer's connections
    assert party.connection is not None
    assert party.connection.ean == _ean("42")
    worker_file = tmp_path / statement_pdf_name(statement)
    assert worker_file in written
    # The same drawing, byte for byte (the PDF carries no creation time).
    assert downloaded.content == worker_file.read_bytes()


async def test_credits_page_counts_only_the_viewers_own_payouts(world: World) -> None:
    """An operator's own credits page once summed every customer's paid statements (the
    page passed the operator's view of all statements to the quarters)."""
    operator = world.actors["operator"]
    owner_b = world.actors["owner_b"]
    details = await owner_b.client.post(
        "/credits/payout-details",
        data={"iban": "NL91ABNA0417164300", "holder": "B", "csrf_token": owner_b.csrf},
    )
    assert details.status_code == 303
    paid = await operator.client.post(
        f"/operator/payouts/{world.statement_ids['owner_b']}/paid",
        data={"reference": "NL-1", "csrf_token": operator.csrf},
    )
    assert paid.status_code == 303

    def paid_metric(text: str) -> str:
        found = re.search(r'Paid</span><span class="value">([^<]*)<', text)
        assert found is not None
        return found.group(1)

    mine = await operator.client.get("/credits")
    theirs = await world.actors["owner_b"].client.get("/credits")
    assert "0.72" not in paid_metric(mine.text)  # the operator was paid nothing
    assert "0.72" in paid_metric(theirs.text)
