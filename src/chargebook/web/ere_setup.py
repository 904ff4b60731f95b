"""Step 4 of the connect wizard: the charger's MID meter and, when it qualifies, the grid
connection (EAN), address and mandate that ERE registration needs.

Everything goes through the ERE book's services (`chargebook.ere_book`); this module only
gathers what the page shows and turns the services' errors into messages for a form field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from chargebook.clock import Clock
from chargebook.db import SqlSession, UserRepository
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address
from chargebook.domain.ere_book import (
    StoredConnection,
    StoredConstruct,
    StoredFollowUp,
    StoredMandate,
)
from chargebook.domain.stored import StoredCharger
from chargebook.ere import FollowUp, InvalidEanError, MandateConflictError, MeteringAssessment
from chargebook.ere.mandates import MANDATE_PROBLEM_MESSAGES
from chargebook.ere_book import add_connection, add_mandate, detect_metering, link_charger
from chargebook.ere_book.metering import assess
from chargebook.errors import ConflictError, NotFoundError
from chargebook.web.errors import InvalidInputError

SERVICE_PROVIDER_ID = "chargebook"
OWNER_REQUEST_NOTE = "requested by the owner in the connect wizard"

_EAN_PROBLEMS = {
    "length": "an EAN has exactly 18 digits",
    "digits": "an EAN has only digits",
    "prefix": "a Dutch connection EAN starts with 871",
    "check_digit": "the last digit does not match (check for a typo)",
}


@dataclass(frozen=True, slots=True)
class MeterStep:
    """What step 4 shows for one charger."""

    charger: StoredCharger
    assessment: MeteringAssessment
    construct: StoredConstruct | None
    follow_ups: tuple[StoredFollowUp, ...]
    connection: StoredConnection | None
    mandates: tuple[StoredMandate, ...]

    @property
    def requested(self) -> set[str]:
        """Follow-up kinds the owner asked for."""
        return {f.kind for f in self.follow_ups if f.note == OWNER_REQUEST_NOTE}


@dataclass(frozen=True, slots=True)
class EreForm:
    """The qualifying path's form: connection, address, mandate."""

    ean: str
    connected_party_name: str
    street: str
    house_number: str
    postal_code: str
    city: str
    signed_by_name: str
    signed_on: str
    last_year: int
    consent_grid_operator_data: bool
    consent_verifier_visit: bool


def detect(session: SqlSession, clock: Clock, charger: StoredCharger) -> None:
    """Run metering detection for this charger (records a construct and follow-ups)."""
    detect_metering(EreStore(session, clock), now=clock.now(), charger_id=charger.id)


def meter_step(session: SqlSession, clock: Clock, charger: StoredCharger) -> MeterStep:
    """The charger's assessment, recorded construct, follow-ups, connection and mandates."""
    store = EreStore(session, clock)
    assessment = assess(store, charger, store.mid_session_counts())
    follow_ups = tuple(f for f in store.metering.list_follow_ups() if f.charger_id == charger.id)
    connection = next((c for c in store.connections.list() if charger.id in c.charger_ids), None)
    mandates = tuple(store.mandates.list(ean=connection.connection.ean)) if connection else ()
    return MeterStep(
        charger, assessment, store.metering.current(charger.id), follow_ups, connection, mandates
    )


def request_follow_up(
    session: SqlSession, clock: Clock, charger: StoredCharger, kind: str
) -> StoredFollowUp:
    """The owner asks for an upgrade quote or SAP guidance: the operator's follow-up.

    Raises:
        InvalidInputError: an unknown kind.
    """
    try:
        chosen = FollowUp(kind)
    except ValueError:
        raise InvalidInputError("choose an upgrade quote or SAP guidance", field="kind") from None
    store = EreStore(session, clock)
    assessment = assess(store, charger, store.mid_session_counts())
    stored, _ = store.metering.ensure_follow_up(charger.id, chosen.value, assessment.explanation)
    return store.metering.set_follow_up_status(stored.id, stored.status, OWNER_REQUEST_NOTE)


def join_ere(
    session: SqlSession, clock: Clock, charger: StoredCharger, form: EreForm
) -> tuple[StoredMandate, tuple[str, ...]]:
    """Record the connection (or link the charger to it) and the mandate.

    Returns:
        The mandate and its problems in words (empty when it is complete).

    Raises:
        InvalidInputError: a field is missing or wrong (`field` names it).
    """
    signed_on = _date(form.signed_on)
    today = clock.now().date()
    if signed_on > today:
        raise InvalidInputError("The signing date cannot be in the future", field="signed_on")
    if not form.signed_by_name.strip():
        raise InvalidInputError("Type your full name to sign the mandate", field="signed_by_name")
    for value, name in (
        (form.connected_party_name, "connected_party_name"),
        (form.street, "street"),
        (form.house_number, "house_number"),
        (form.postal_code, "postal_code"),
        (form.city, "city"),
    ):
        if not value.strip():
            raise InvalidInputError("Fill in every field of the address", field=name)
    if not today.year <= form.last_year <= today.year + 10:
        raise InvalidInputError("Choose a year from this year on", field="last_year")
    store = EreStore(session, clock)
    if charger.owner_user_id is None:
        raise NotFoundError("this charger has no owner yet")
    owner = UserRepository(session, clock).get(charger.owner_user_id)
    try:
        connection = _connection(store, charger, form, owner.email, owner.id)
        added = add_mandate(
            store,
            ean=connection.connection.ean,
            service_provider_id=SERVICE_PROVIDER_ID,
            first_year=today.year,
            last_year=form.last_year,
            consent_grid_operator_data=form.consent_grid_operator_data,
            consent_verifier_visit=form.consent_verifier_visit,
            signed_by_name=form.signed_by_name.strip(),
            signed_on=signed_on,
        )
    except InvalidEanError as exc:
        raise InvalidInputError(
            f"This EAN is not valid: {_EAN_PROBLEMS.get(exc.failed_check, exc.message)}",
            field="ean",
        ) from None
    except MandateConflictError:
        raise InvalidInputError(
            "Another service provider already holds a mandate for this EAN in these years",
            field="ean",
        ) from None
    except ConflictError as exc:
        raise InvalidInputError(exc.message, field="ean") from None
    problems = tuple(MANDATE_PROBLEM_MESSAGES[p] for p in added.problems)
    return added.stored, problems


def _connection(
    store: EreStore, charger: StoredCharger, form: EreForm, email: str, owner_id: int
) -> StoredConnection:
    ean = "".join(form.ean.split())
    try:
        existing = store.connections.get_by_ean(ean)
    except NotFoundError:
        existing = None
    if existing is None:
        return add_connection(
            store,
            ean=ean,
            customer_email=email,
            connected_party_name=form.connected_party_name.strip(),
            address=Address(
                form.street.strip(),
                form.house_number.strip(),
                form.postal_code.strip().upper(),
                form.city.strip(),
            ),
            charger_ids=[charger.id],
        )
    if existing.connection.customer_id != str(owner_id):
        raise ConflictError("this EAN is registered to another customer; ask the operator")
    if charger.id in existing.charger_ids:
        return existing
    return link_charger(store, ean=ean, charger_id=charger.id)


def _date(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()  # noqa: DTZ007 (a date)
    except ValueError:
        raise InvalidInputError("Enter the date as YYYY-MM-DD", field="signed_on") from None
