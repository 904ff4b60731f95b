"""Step 4 of the connect wizard: the charger's MID meter and, when it qualifies, the grid
connection (EAN), address and mandate that ERE registration needs.

Everything goes through the ERE service (`chargebook.ere.service.owner_setup`); this module
only checks the form and turns the service's errors into messages for a form field.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

from chargebook.clock import Clock
from chargebook.db import SqlSession
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address
from chargebook.domain.ere_book import StoredFollowUp, StoredMandate
from chargebook.domain.stored import StoredCharger
from chargebook.ere import FollowUp, InvalidEanError, MandateConflictError, load_parameters
from chargebook.ere.mandates import MANDATE_PROBLEM_MESSAGES
from chargebook.ere.service import detect_metering, owner_setup
from chargebook.ere.service.estimate import MandateEstimate, mandate_estimate
from chargebook.ere.service.owner_setup import MeterStep
from chargebook.ere.service.setup import MandateAdded
from chargebook.errors import ConflictError
from chargebook.web.errors import InvalidInputError

_EAN_PROBLEMS = {
    "length": "an EAN has exactly 18 digits",
    "digits": "an EAN has only digits",
    "prefix": "a Dutch connection EAN starts with 871",
    "check_digit": "the last digit does not match (check for a typo)",
}


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


def signing_estimate(
    session: SqlSession, clock: Clock, charger: StoredCharger
) -> MandateEstimate | None:
    """What a mandate for this year would earn from this charger's sessions so far
    (`chargebook.ere.service.estimate.mandate_estimate`); None without an owner or factors."""
    if charger.owner_user_id is None:
        return None
    return mandate_estimate(
        EreStore(session, clock),
        charger.owner_user_id,
        parameters=load_parameters(),
        now=clock.now(),
        charger_ids=[charger.id],
    )


def meter_step(session: SqlSession, clock: Clock, charger: StoredCharger) -> MeterStep:
    """The charger's ERE standing (`chargebook.ere.service.owner_setup.meter_step`)."""
    return owner_setup.meter_step(EreStore(session, clock), charger)


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
    return owner_setup.request_follow_up(EreStore(session, clock), charger, chosen)


def join_ere(
    session: SqlSession, clock: Clock, charger: StoredCharger, form: EreForm
) -> tuple[StoredMandate, tuple[str, ...]]:
    """Check the form, then record the connection (or link the charger to it) and the
    mandate (`chargebook.ere.service.owner_setup.join_ere`).

    Returns:
        The mandate and its problems in words (empty when it is complete).

    Raises:
        InvalidInputError: a field is missing or wrong (`field` names it).
    """
    signed_on = _signature(clock, form.signed_on, form.signed_by_name, form.last_year)
    for value, name in (
        (form.connected_party_name, "connected_party_name"),
        (form.street, "street"),
        (form.house_number, "house_number"),
        (form.postal_code, "postal_code"),
        (form.city, "city"),
    ):
        if not value.strip():
            raise InvalidInputError("Fill in every field of the address", field=name)
    address = Address(
        form.street.strip(),
        form.house_number.strip(),
        form.postal_code.strip().upper(),
        form.city.strip(),
    )
    with _refusals_on("ean"):
        try:
            added = owner_setup.join_ere(
                EreStore(session, clock),
                charger,
                ean="".join(form.ean.split()),
                connected_party_name=form.connected_party_name.strip(),
                address=address,
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
    return _signed(added)


def attach(session: SqlSession, clock: Clock, charger: StoredCharger, connection_id: str) -> None:
    """Add the charger to one of its owner's connections: one step, covered by that EAN's
    mandate (`chargebook.ere.service.owner_setup.attach_charger`).

    Raises:
        InvalidInputError: not a connection id, or the charger is on another connection.
        NotFoundError: not a connection of the charger's owner.
    """
    text = connection_id.strip()
    if not (text.isascii() and text.isdigit() and 0 < int(text) < 2**62):
        raise InvalidInputError("choose one of your connections", field="connection_id")
    try:
        owner_setup.attach_charger(EreStore(session, clock), charger, int(text))
    except ConflictError as exc:
        raise InvalidInputError(exc.message, field="connection_id") from None


@dataclass(frozen=True, slots=True)
class RenewForm:
    """A new mandate for the next year(s) not covered yet: a renewal is a new signature."""

    signed_by_name: str
    signed_on: str
    last_year: int
    consent_grid_operator_data: bool
    consent_verifier_visit: bool


def renew(
    session: SqlSession, clock: Clock, charger: StoredCharger, form: RenewForm
) -> tuple[StoredMandate, tuple[str, ...]]:
    """Sign the mandate for the first year not covered yet through `form.last_year`
    (`chargebook.ere.service.owner_setup.renew_mandate`).

    Raises:
        InvalidInputError: a field is missing or wrong (`field` names it).
    """
    signed_on = _signature(clock, form.signed_on, form.signed_by_name, form.last_year)
    with _refusals_on("last_year"):
        try:
            added = owner_setup.renew_mandate(
                EreStore(session, clock),
                charger,
                last_year=form.last_year,
                consent_grid_operator_data=form.consent_grid_operator_data,
                consent_verifier_visit=form.consent_verifier_visit,
                signed_by_name=form.signed_by_name.strip(),
                signed_on=signed_on,
            )
        except ValueError as exc:
            raise InvalidInputError(str(exc), field="last_year") from None
    return _signed(added)


@contextmanager
def _refusals_on(field: str) -> Iterator[None]:
    """The service's refusal of a mandate (another provider's, or a conflict) as a form error
    on `field`."""
    try:
        yield
    except MandateConflictError:
        raise InvalidInputError(
            "Another service provider already holds a mandate for this EAN in these years",
            field=field,
        ) from None
    except ConflictError as exc:
        raise InvalidInputError(exc.message, field=field) from None


def _signed(added: MandateAdded) -> tuple[StoredMandate, tuple[str, ...]]:
    return added.stored, tuple(MANDATE_PROBLEM_MESSAGES[p] for p in added.problems)


def _signature(clock: Clock, signed_on_text: str, name: str, last_year: int) -> date:
    """The signing date, after checking the date, the typed name and the last year."""
    signed_on = _date(signed_on_text)
    today = clock.now().date()
    if signed_on > today:
        raise InvalidInputError("The signing date cannot be in the future", field="signed_on")
    if not name.strip():
        raise InvalidInputError("Type your full name to sign the mandate", field="signed_by_name")
    if not today.year <= last_year <= today.year + 10:
        raise InvalidInputError("Choose a year from this year on", field="last_year")
    return signed_on


def _date(text: str) -> date:
    try:
        return datetime.strptime(text.strip(), "%Y-%m-%d").date()  # noqa: DTZ007 (a date)
    except ValueError:
        raise InvalidInputError("Enter the date as YYYY-MM-DD", field="signed_on") from None
