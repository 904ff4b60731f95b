"""Several chargers behind one connection (any source, one mandate per EAN and year), the same
EAN refused to another customer without naming the holder, mandates that cover their whole
calendar year whenever signed (both rule paths) and end at its end, and the connected party's
verification."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_party import PartyVerificationMethod
from chargebook.domain.stored import StoredCharger
from chargebook.ere import ReasonCode
from chargebook.ere.service import add_connection, add_mandate, eligibility_report
from chargebook.ere.service.eligibility import eligibility_report_streamed
from chargebook.ere.service.owner_setup import (
    attach_charger,
    join_ere,
    meter_step,
    renew_mandate,
)
from chargebook.ere.service.parties import (
    PartyVerificationError,
    connection_parties,
    record_party_verification,
)
from chargebook.errors import ConflictError, NotFoundError
from chargebook.ocpp_registration import register_ocpp_charger

from .helpers import ADDRESS, NOW, PARAMETERS, BookBuilder, make_ean, mid_charger

EAN = make_ean("70000000000001")
YEAR = DeliveryPeriod(2026)


def _join(book: BookBuilder, charger: StoredCharger, ean: str = EAN, last_year: int = 2027) -> int:
    with book.database.transaction() as session:
        added = join_ere(
            EreStore(session, book.clock), charger, ean=ean, connected_party_name="A. Smit",
            address=ADDRESS, last_year=last_year, consent_grid_operator_data=True,
            consent_verifier_visit=True, signed_by_name="A. Smit", signed_on=NOW.date(),
        )  # fmt: skip
    return added.stored.id


def _wallbox_and_ocpp(book: BookBuilder) -> tuple[int, StoredCharger, StoredCharger]:
    book.sync([mid_charger("701")], [])  # owned by the myWallbox account's owner
    with book.database.session() as session:
        copper = EreStore(session, book.clock).chargers.get(book.charger_id("701"))
    owner = copper.owner_user_id
    assert owner is not None
    ocpp = register_ocpp_charger(book.database, book.clock, "garage-701", owner_user_id=owner)
    with book.database.session() as session:
        garage = EreStore(session, book.clock).chargers.get(ocpp.charger_id)
    return owner, copper, garage


def test_a_second_charger_of_another_source_joins_the_connection_under_its_mandate(
    book: BookBuilder,
) -> None:
    _, copper, garage = _wallbox_and_ocpp(book)
    first = _join(book, copper)
    # The same EAN again for the same owner (before: refused as "one service provider per
    # EAN per calendar year", the mandate it collided with being the owner's own).
    second = _join(book, garage)
    assert second == first
    with book.database.session() as session:
        store = EreStore(session, book.clock)
        connection = store.connections.get_by_ean(EAN)
        mandates = store.mandates.list(ean=EAN)
        step = meter_step(store, garage)
    assert connection.charger_ids == (copper.id, garage.id)
    assert [(m.mandate.first_year, m.mandate.last_year) for m in mandates] == [(2027, 2027)]
    assert step.connection is not None
    assert step.connection.id == connection.id
    assert step.mandate_ends == date(2027, 12, 31)


def test_one_step_attach_and_only_to_the_owners_own_connection(book: BookBuilder) -> None:
    _, copper, garage = _wallbox_and_ocpp(book)
    _join(book, copper)
    with book.database.session() as session:
        step = meter_step(EreStore(session, book.clock), garage)
    assert [c.connection.ean for c in step.owner_connections] == [EAN]
    with book.database.transaction() as session:
        attached = attach_charger(
            EreStore(session, book.clock), garage, step.owner_connections[0].id
        )
    assert attached.charger_ids == (copper.id, garage.id)

    stranger = book.user("stranger@example.com")
    register_ocpp_charger(book.database, book.clock, "other-cp", owner_user_id=stranger)
    with book.database.session() as session:
        store = EreStore(session, book.clock)
        theirs = next(c for c in store.chargers.list() if c.charger.external_id == "other-cp")
        assert meter_step(store, theirs).owner_connections == ()
    with pytest.raises(NotFoundError), book.database.transaction() as session:
        attach_charger(EreStore(session, book.clock), theirs, attached.id)


def test_the_same_ean_for_another_customer_is_refused_without_naming_the_holder(
    book: BookBuilder,
) -> None:
    _, copper, _ = _wallbox_and_ocpp(book)
    _join(book, copper)
    stranger = book.user("stranger@example.com")
    register_ocpp_charger(book.database, book.clock, "other-cp", owner_user_id=stranger)
    with book.database.session() as session:
        theirs = next(
            c for c in EreStore(session, book.clock).chargers.list()
            if c.charger.external_id == "other-cp"
        )  # fmt: skip
    with pytest.raises(ConflictError) as refused:
        _join(book, theirs)
    message = refused.value.message
    assert "already registered by another customer" in message
    assert "one service provider per EAN per calendar year" in message
    assert "account-owner" not in message
    assert "Smit" not in message
    # The operator's door gives the same answer.
    with pytest.raises(ConflictError, match="another customer"), book.database.transaction() as s:
        add_connection(
            EreStore(s, book.clock), ean=EAN, customer_email="stranger@example.com",
            connected_party_name="B", address=ADDRESS, charger_ids=[theirs.id],
        )  # fmt: skip
    with book.database.session() as session:
        assert EreStore(session, book.clock).connections.get_by_ean(EAN).charger_ids == (copper.id,)


def test_the_operator_adding_the_same_ean_for_the_same_customer_attaches(
    book: BookBuilder,
) -> None:
    _, copper, garage = _wallbox_and_ocpp(book)
    for charger in (copper, garage, garage):
        with book.database.transaction() as session:
            stored = add_connection(
                EreStore(session, book.clock), ean=EAN, customer_email="account-owner@example.com",
                connected_party_name="A. Smit", address=ADDRESS, charger_ids=[charger.id],
            )  # fmt: skip
    assert stored.charger_ids == (copper.id, garage.id)


def test_a_mandate_signed_in_november_covers_the_year_from_1_january_on_both_paths(
    book: BookBuilder,
) -> None:
    book.sync([mid_charger("711")], [])
    # Metering detected as qualifying from 2026-01-01 (the helper's `since`), no mandate yet.
    customer = book.customer("nov@example.com", "70000000000011", ["711"], mandate_years=None)
    charger = customer.charger_ids[0]
    with book.database.transaction() as session:
        store = EreStore(session, book.clock)
        add_mandate(
            store, ean=customer.ean, service_provider_id="chargebook", first_year=2026,
            last_year=2026, consent_grid_operator_data=True, consent_verifier_visit=True,
            signed_by_name="N. November", signed_on=date(2026, 11, 20),
        )  # fmt: skip
    starts = [datetime(2026, 1, 1, 9, tzinfo=UTC) + timedelta(days=30 * n) for n in range(12)]
    book.insert_sessions(charger, [(f"n{n}", s, 60, "10") for n, s in enumerate(starts)])
    with book.database.session() as session:
        store = EreStore(session, book.clock)
        in_sql = eligibility_report(store, YEAR, parameters=PARAMETERS, now=NOW)
        in_python = eligibility_report_streamed(store, YEAR, parameters=PARAMETERS, now=NOW)
    for report in (in_sql, in_python):
        assert report.failures.get(ReasonCode.NO_MANDATE, 0) == 0, report.failures
        assert (report.evaluated, report.eligible) == (12, 12), report.failures
    assert in_sql == in_python


def test_the_mandate_ends_at_its_years_end_and_the_next_year_is_a_new_signature(
    book: BookBuilder,
) -> None:
    _, copper, _ = _wallbox_and_ocpp(book)
    _join(book, copper, last_year=2027)
    with book.database.session() as session:
        step = meter_step(EreStore(session, book.clock), copper)
    assert (step.mandate_ends, step.next_year_to_sign) == (date(2027, 12, 31), 2028)
    with pytest.raises(ValueError, match="starts in 2028"), book.database.transaction() as s:
        renew_mandate(
            EreStore(s, book.clock), copper, last_year=2027, consent_grid_operator_data=True,
            consent_verifier_visit=True, signed_by_name="A. Smit", signed_on=NOW.date(),
        )  # fmt: skip
    with book.database.transaction() as session:
        renewed = renew_mandate(
            EreStore(session, book.clock), copper, last_year=2028,
            consent_grid_operator_data=True, consent_verifier_visit=True,
            signed_by_name="A. Smit", signed_on=NOW.date(),
        )  # fmt: skip
    assert (renewed.stored.mandate.first_year, renewed.stored.mandate.last_year) == (2028, 2028)
    assert renewed.problems == ()
    with book.database.session() as session:
        step = meter_step(EreStore(session, book.clock), copper)
    assert (step.mandate_ends, step.next_year_to_sign) == (date(2028, 12, 31), 2029)

    # A later year already signed is not signed twice: the renewal fills the gap only.
    with book.database.transaction() as session:
        add_mandate(
            EreStore(session, book.clock), ean=EAN, service_provider_id="chargebook",
            first_year=2030, last_year=2030, consent_grid_operator_data=True,
            consent_verifier_visit=True, signed_by_name="A. Smit", signed_on=NOW.date(),
        )  # fmt: skip
        gap = renew_mandate(
            EreStore(session, book.clock), copper, last_year=2031,
            consent_grid_operator_data=True, consent_verifier_visit=True,
            signed_by_name="A. Smit", signed_on=NOW.date(),
        )  # fmt: skip
    assert (gap.stored.mandate.first_year, gap.stored.mandate.last_year) == (2029, 2029)


def test_no_mandate_this_year_offers_this_year(book: BookBuilder) -> None:
    book.sync([mid_charger("721")], [])
    customer = book.customer(
        "old@example.com", "70000000000021", ["721"], mandate_years=(2026, 2026)
    )
    with book.database.session() as session:
        store = EreStore(session, book.clock)
        step = meter_step(store, store.chargers.get(customer.charger_ids[0]))
    assert step.this_year == 2027
    assert (step.mandate_ends, step.next_year_to_sign) == (None, 2027)


def test_the_connected_partys_verification_is_recorded_with_its_history(
    book: BookBuilder,
) -> None:
    book.sync([mid_charger("731")], [])
    customer = book.customer("v@example.com", "70000000000031", ["731"])
    with book.database.session() as session:
        assert [p.verification for p in connection_parties(EreStore(session, book.clock))] == [None]
    for method, day in (("owner declaration", date(2026, 2, 1)), ("energy_bill", date(2026, 3, 2))):
        with book.database.transaction() as session:
            record_party_verification(
                EreStore(session, book.clock), ean=customer.ean, method=method,
                verified_by="op@example.com", verified_on=day, note="bill of Feb 2026",
            )  # fmt: skip
    with book.database.session() as session:
        store = EreStore(session, book.clock)
        (party,) = connection_parties(store)
        history = store.parties.history(party.connection.id)
    assert party.verification is not None
    assert party.verification.method is PartyVerificationMethod.ENERGY_BILL
    assert (party.verification.verified_by, party.verification.verified_on) == (
        "op@example.com",
        date(2026, 3, 2),
    )
    assert [v.method.value for v in history] == ["owner_declaration", "energy_bill"]

    bad = [
        ({"method": "phone call"}, "method"),
        ({"verified_by": "  "}, "verified_by"),
        ({"verified_on": NOW.date() + timedelta(days=1)}, "verified_on"),
    ]
    for change, field in bad:
        args = {"method": "energy_bill", "verified_by": "op", "verified_on": NOW.date(), **change}
        with pytest.raises(PartyVerificationError) as refused, book.database.transaction() as s:
            record_party_verification(EreStore(s, book.clock), ean=customer.ean, **args)  # type: ignore[arg-type]
        assert refused.value.field == field
