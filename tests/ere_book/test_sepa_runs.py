"""SEPA payout runs: the pain.001 file parsed back and checked against the payouts and the
schema sepaxml validates with; runs pay each payout exactly once."""

from __future__ import annotations

import hashlib
import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest
import sepaxml
import xmlschema
from sqlalchemy import text

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere_book import PayoutStatus
from chargebook.domain.ere_payouts import PayoutRunStatus
from chargebook.ere.service import mark_paid
from chargebook.ere.service.payout_accounts import set_payout_account
from chargebook.ere.service.payout_runs import (
    NothingToPayError,
    build_sepa_run,
    cancel_run,
    mark_run_paid,
    sepa_run_file,
)
from chargebook.ere.service.sepa_file import SEPA_SCHEMA
from chargebook.errors import ConflictError

from .helpers import BookBuilder
from .payout_world import DEBTOR, IBANS, YEAR, PayoutWorld, payout_world

NS = {"p": f"urn:iso:std:iso:20022:tech:xsd:{SEPA_SCHEMA}"}
XSD = Path(sepaxml.__file__).parent / "schemas" / f"{SEPA_SCHEMA}.xsd"


def _with_accounts(book: BookBuilder) -> PayoutWorld:
    """anna and bram entered payout details; cees did not."""
    world = payout_world(book)
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        for name in ("anna", "bram"):
            set_payout_account(
                store, world.box, user_id=world.users[name], iban=IBANS[name],
                holder=name.title(), actor=f"{name}@example.com",
            )  # fmt: skip
    return world


def test_the_file_holds_each_payout_with_details_once(book: BookBuilder) -> None:
    world = _with_accounts(book)
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        built = build_sepa_run(store, world.box, DEBTOR, actor="operator", period=YEAR)
        statements = {s.id: s for s in store.statements.list(period=YEAR)}

    xmlschema.XMLSchema(str(XSD)).validate(built.xml.decode())
    root = ET.fromstring(built.xml)  # noqa: S314  (our own file, just written)
    transfers = root.findall(".//p:CdtTrfTxInf", NS)
    expected = {world.statements[n]: IBANS[n] for n in ("anna", "bram")}
    assert len(transfers) == 2
    assert root.findtext(".//p:GrpHdr/p:NbOfTxs", namespaces=NS) == "2"
    seen_total = Decimal(0)
    for transfer in transfers:
        e2e = transfer.findtext("p:PmtId/p:EndToEndId", namespaces=NS)
        assert e2e is not None
        statement_id = int(e2e.rsplit("-S", 1)[1])
        amount = Decimal(transfer.findtext("p:Amt/p:InstdAmt", namespaces=NS) or "")
        assert e2e == f"ERE-2026-S{statement_id}"
        assert amount == statements[statement_id].payout_eur
        assert transfer.findtext("p:CdtrAcct/p:Id/p:IBAN", namespaces=NS) == expected[statement_id]
        seen_total += amount
    assert Decimal(root.findtext(".//p:GrpHdr/p:CtrlSum", namespaces=NS) or "") == seen_total
    assert seen_total == built.run.total_eur
    assert root.findtext(".//p:DbtrAcct/p:Id/p:IBAN", namespaces=NS) == DEBTOR.iban
    # cees has no payout details: left out, with the reason.
    assert [(x.statement_id, x.reason) for x in built.left_out] == [
        (world.statements["cees"], "no payout details: the owner has not entered an IBAN yet")
    ]
    # The run keeps the file (encrypted) and its hash; a download is the same bytes.
    assert built.run.file_sha256 == hashlib.sha256(built.xml).hexdigest()
    with book.database.session() as session:
        name, again = sepa_run_file(EreStore(session, book.clock), world.box, built.run.id)
        stored = session.execute(text("SELECT file_encrypted FROM ere_payout_runs")).scalar_one()
    assert again == built.xml
    assert name == f"sepa-payouts-2026-run-{built.run.id}.xml"
    assert IBANS["anna"] not in stored


def test_a_run_pays_its_payouts_exactly_once(book: BookBuilder) -> None:
    world = _with_accounts(book)
    with book.database.transaction() as session:
        run = build_sepa_run(EreStore(session, book.clock), world.box, DEBTOR, actor="op").run
    # Building again finds nothing new: the open run holds both payouts.
    with (
        book.database.transaction() as session,
        pytest.raises(NothingToPayError, match=f"already in open payout run {run.id}"),
    ):
        build_sepa_run(EreStore(session, book.clock), world.box, DEBTOR, actor="op")
    # A payout in an open run is paid by marking the run, not on its own.
    with (
        book.database.transaction() as session,
        pytest.raises(ConflictError, match=f"in SEPA payout run {run.id}"),
    ):
        mark_paid(EreStore(session, book.clock), world.statements["anna"], "BY-HAND")
    with book.database.transaction() as session:
        paid = mark_run_paid(EreStore(session, book.clock), run.id, "BANK-REF-7", actor="op")
    assert paid.status is PayoutRunStatus.PAID
    with book.database.transaction() as session, pytest.raises(ConflictError, match="paid"):
        mark_run_paid(EreStore(session, book.clock), run.id, "BANK-REF-8", actor="op")
    with book.database.session() as session:
        listed = EreStore(session, book.clock).statements.list()
    by_id = {s.id: s for s in listed}
    for name in ("anna", "bram"):
        s = by_id[world.statements[name]]
        assert (s.payout_status, s.payout_reference, s.payout_run_id) == (
            PayoutStatus.PAID, "BANK-REF-7", run.id,
        )  # fmt: skip
    assert by_id[world.statements["cees"]].payout_status is PayoutStatus.PENDING
    # Paid payouts never go into another file.
    with book.database.transaction() as session, pytest.raises(NothingToPayError):
        build_sepa_run(EreStore(session, book.clock), world.box, DEBTOR, actor="op")


def test_a_cancelled_run_frees_its_payouts_for_the_next(book: BookBuilder) -> None:
    world = _with_accounts(book)
    with book.database.transaction() as session:
        first = build_sepa_run(EreStore(session, book.clock), world.box, DEBTOR, actor="op").run
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        assert cancel_run(store, first.id, actor="op").status is PayoutRunStatus.CANCELLED
        second = build_sepa_run(store, world.box, DEBTOR, actor="op").run
    assert second.id != first.id
    assert {i.statement_id for i in second.items} == {i.statement_id for i in first.items}
    with book.database.transaction() as session, pytest.raises(ConflictError, match="cancelled"):
        mark_run_paid(EreStore(session, book.clock), first.id, "LATE", actor="op")


def test_claiming_a_payout_twice_is_refused(book: BookBuilder) -> None:
    # Two operators building at once: the second claim finds the payouts taken and records
    # nothing (the repository's conditional UPDATE, checked by its row count).
    world = _with_accounts(book)
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        run = build_sepa_run(store, world.box, DEBTOR, actor="op").run
        with pytest.raises(ConflictError, match="another payout run"):
            store.payout_runs.add(
                period=None, message_id="X", file_sha256="0" * 64, file_encrypted="-",
                items=run.items, actor="op",
            )  # fmt: skip
