"""An owner joins ERE for one charger (the connect wizard's step 4 and the charger page): what
the charger's metering allows, the owner's request for an upgrade quote or SAP guidance, and
the grid connection (EAN) and mandate with the owner as the connected party.

The caller owns the transaction (`EreStore` over one session); the web turns the errors named
below into messages for a form field.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address, Mandate
from chargebook.domain.ere_book import (
    StoredConnection,
    StoredConstruct,
    StoredFollowUp,
    StoredMandate,
)
from chargebook.domain.stored import StoredCharger
from chargebook.domain.users import User
from chargebook.ere import FollowUp, MeteringAssessment, mandate_problems
from chargebook.ere.mandates import covered_through
from chargebook.ere.service.metering import assess_charger
from chargebook.ere.service.setup import (
    MandateAdded,
    add_connection,
    add_mandate,
    attach_chargers,
)
from chargebook.errors import NotFoundError

SERVICE_PROVIDER_ID = "chargebook"
OWNER_REQUEST_NOTE = "requested by the owner in the connect wizard"


@dataclass(frozen=True, slots=True)
class MeterStep:
    """What the owner sees of one charger's ERE standing."""

    charger: StoredCharger
    assessment: MeteringAssessment
    construct: StoredConstruct | None
    follow_ups: tuple[StoredFollowUp, ...]
    connection: StoredConnection | None
    mandates: tuple[StoredMandate, ...]
    # The owner's connections this charger could be attached to in one step (it is on none).
    owner_connections: tuple[StoredConnection, ...] = ()
    this_year: int = 0
    # Last year of the unbroken run of our mandates from this year on; None: this year has none.
    mandate_through: int | None = None

    @property
    def mandate_ends(self) -> date | None:
        """The day the current mandate ends (31 December of its last year): never renewed by
        itself, the next year needs a new signature."""
        return None if self.mandate_through is None else date(self.mandate_through, 12, 31)

    @property
    def next_year_to_sign(self) -> int:
        """The first year a new mandate (a renewal) would cover."""
        return self.this_year if self.mandate_through is None else self.mandate_through + 1

    @property
    def requested(self) -> set[str]:
        """Follow-up kinds the owner asked for."""
        return {f.kind for f in self.follow_ups if f.note == OWNER_REQUEST_NOTE}


def meter_step(store: EreStore, charger: StoredCharger) -> MeterStep:
    """The charger's assessment, recorded construct, follow-ups, connection and mandates,
    the owner's other connections and how long the mandate runs."""
    assessment = assess_charger(store, charger)
    follow_ups = tuple(f for f in store.metering.list_follow_ups() if f.charger_id == charger.id)
    connection = next((c for c in store.connections.list() if charger.id in c.charger_ids), None)
    mandates = tuple(store.mandates.list(ean=connection.connection.ean)) if connection else ()
    owned: tuple[StoredConnection, ...] = ()
    if connection is None and charger.owner_user_id is not None:
        owned = tuple(store.connections.list(customer_id=charger.owner_user_id))
    year = store.clock.now().year
    through = covered_through(
        [m.mandate for m in mandates], year, service_provider_id=SERVICE_PROVIDER_ID
    )
    return MeterStep(
        charger,
        assessment,
        store.metering.current(charger.id),
        follow_ups,
        connection,
        mandates,
        owned,
        year,
        through,
    )


def request_follow_up(store: EreStore, charger: StoredCharger, kind: FollowUp) -> StoredFollowUp:
    """The owner asks for an upgrade quote or SAP guidance: the operator's follow-up."""
    assessment = assess_charger(store, charger)
    stored, _ = store.metering.ensure_follow_up(charger.id, kind.value, assessment.explanation)
    return store.metering.set_follow_up_status(stored.id, stored.status, OWNER_REQUEST_NOTE)


def join_ere(
    store: EreStore,
    charger: StoredCharger,
    *,
    ean: str,
    connected_party_name: str,
    address: Address,
    last_year: int,
    consent_grid_operator_data: bool,
    consent_verifier_visit: bool,
    signed_by_name: str,
    signed_on: date,
) -> MandateAdded:
    """Record the owner's connection (or attach the charger to the owner's connection with
    this EAN) and a mandate from this year to `last_year`.

    A mandate is per EAN and year: years our mandates of this EAN already cover are not
    signed again. When they cover all of this year..`last_year`, the existing mandate for this
    year is returned and nothing new is signed (a second charger behind the connection).

    Raises:
        NotFoundError: the charger has no owner yet.
        InvalidEanError: the EAN fails a check (`failed_check` names it).
        MandateConflictError: another service provider holds a mandate for the EAN then.
        ConflictError: another customer holds the EAN (`EAN_HELD_BY_ANOTHER`).
    """
    owner = _owner(store, charger)
    connection = add_connection(
        store,
        ean=ean,
        customer_email=owner.email,
        connected_party_name=connected_party_name,
        address=address,
        charger_ids=[charger.id],
    )
    ours = [
        m
        for m in store.mandates.list(ean=connection.connection.ean)
        if m.mandate.service_provider_id == SERVICE_PROVIDER_ID
    ]
    first_year = store.clock.now().year
    years = _years_to_sign([m.mandate for m in ours], first_year, last_year)
    if years is None:
        current = next(m for m in ours if m.mandate.covers_year(first_year))
        return MandateAdded(current, mandate_problems(current.mandate))
    return add_mandate(
        store,
        ean=connection.connection.ean,
        service_provider_id=SERVICE_PROVIDER_ID,
        first_year=years[0],
        last_year=years[1],
        consent_grid_operator_data=consent_grid_operator_data,
        consent_verifier_visit=consent_verifier_visit,
        signed_by_name=signed_by_name,
        signed_on=signed_on,
    )


def attach_charger(store: EreStore, charger: StoredCharger, connection_id: int) -> StoredConnection:
    """Add a charger to one of its owner's connections: the one step for a second charger
    (any source) behind the same connection; the EAN's mandates cover it.

    Raises:
        NotFoundError: the charger has no owner, or the connection is not its owner's (not
            told apart: another customer's connection is not shown to exist).
        ConflictError: the charger is linked to another connection.
    """
    owner = _owner(store, charger)
    mine = {c.id: c for c in store.connections.list(customer_id=owner.id)}
    if connection_id not in mine:
        raise NotFoundError(f"you have no connection with id {connection_id}")
    return attach_chargers(store, mine[connection_id], [charger.id])


def renew_mandate(
    store: EreStore,
    charger: StoredCharger,
    *,
    last_year: int,
    consent_grid_operator_data: bool,
    consent_verifier_visit: bool,
    signed_by_name: str,
    signed_on: date,
) -> MandateAdded:
    """Sign a new mandate for the charger's connection from the first year our mandates do
    not cover yet (this year, or the year after the current one ends) to `last_year`: a
    renewal is a new signature, never automatic.

    Raises:
        NotFoundError: the charger has no owner or is on no connection.
        ValueError: `last_year` is before the first year to sign.
        MandateConflictError, ConflictError: as `add_mandate`.
    """
    step = meter_step(store, charger)
    if step.connection is None or charger.owner_user_id is None:
        raise NotFoundError("this charger is not on a connection of yours yet")
    first_year = step.next_year_to_sign
    if last_year < first_year:
        raise ValueError(f"the new mandate starts in {first_year}: choose that year or later")
    ours = [
        m.mandate for m in step.mandates if m.mandate.service_provider_id == SERVICE_PROVIDER_ID
    ]
    years = _years_to_sign(ours, first_year, last_year)
    if years is None:  # pragma: no cover - next_year_to_sign is never covered
        raise ValueError(f"{first_year}-{last_year} is covered already")
    return add_mandate(
        store,
        ean=step.connection.connection.ean,
        service_provider_id=SERVICE_PROVIDER_ID,
        first_year=years[0],
        last_year=years[1],
        consent_grid_operator_data=consent_grid_operator_data,
        consent_verifier_visit=consent_verifier_visit,
        signed_by_name=signed_by_name,
        signed_on=signed_on,
    )


def _owner(store: EreStore, charger: StoredCharger) -> User:
    if charger.owner_user_id is None:
        raise NotFoundError("this charger has no owner yet")
    return store.users.get(charger.owner_user_id)


def _years_to_sign(ours: list[Mandate], first_year: int, last_year: int) -> tuple[int, int] | None:
    """The first run of years in first_year..last_year no mandate of ours covers, or None."""
    free = [y for y in range(first_year, last_year + 1) if not any(m.covers_year(y) for m in ours)]
    if not free:
        return None
    end = free[0]
    while end + 1 in free:
        end += 1
    return free[0], end
