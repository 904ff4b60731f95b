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
from chargebook.domain.ere import Address
from chargebook.domain.ere_book import (
    StoredConnection,
    StoredConstruct,
    StoredFollowUp,
    StoredMandate,
)
from chargebook.domain.stored import StoredCharger
from chargebook.ere import FollowUp, MeteringAssessment
from chargebook.ere.service.metering import assess_charger
from chargebook.ere.service.setup import MandateAdded, add_connection, add_mandate, link_charger
from chargebook.errors import ConflictError, NotFoundError

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

    @property
    def requested(self) -> set[str]:
        """Follow-up kinds the owner asked for."""
        return {f.kind for f in self.follow_ups if f.note == OWNER_REQUEST_NOTE}


def meter_step(store: EreStore, charger: StoredCharger) -> MeterStep:
    """The charger's assessment, recorded construct, follow-ups, connection and mandates."""
    assessment = assess_charger(store, charger)
    follow_ups = tuple(f for f in store.metering.list_follow_ups() if f.charger_id == charger.id)
    connection = next((c for c in store.connections.list() if charger.id in c.charger_ids), None)
    mandates = tuple(store.mandates.list(ean=connection.connection.ean)) if connection else ()
    return MeterStep(
        charger, assessment, store.metering.current(charger.id), follow_ups, connection, mandates
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
    """Record the owner's connection (or link the charger to it) and a mandate from this
    year to `last_year`.

    Raises:
        NotFoundError: the charger has no owner yet.
        InvalidEanError: the EAN fails a check (`failed_check` names it).
        MandateConflictError: another service provider holds a mandate for the EAN then.
        ConflictError: the EAN is registered to another customer.
    """
    if charger.owner_user_id is None:
        raise NotFoundError("this charger has no owner yet")
    owner = store.users.get(charger.owner_user_id)
    connection = _connection(store, charger, ean, connected_party_name, address, owner.email)
    return add_mandate(
        store,
        ean=connection.connection.ean,
        service_provider_id=SERVICE_PROVIDER_ID,
        first_year=store.clock.now().year,
        last_year=last_year,
        consent_grid_operator_data=consent_grid_operator_data,
        consent_verifier_visit=consent_verifier_visit,
        signed_by_name=signed_by_name,
        signed_on=signed_on,
    )


def _connection(
    store: EreStore,
    charger: StoredCharger,
    ean: str,
    connected_party_name: str,
    address: Address,
    email: str,
) -> StoredConnection:
    try:
        existing = store.connections.get_by_ean(ean)
    except NotFoundError:
        existing = None
    if existing is None:
        return add_connection(
            store,
            ean=ean,
            customer_email=email,
            connected_party_name=connected_party_name,
            address=address,
            charger_ids=[charger.id],
        )
    if existing.connection.customer_id != str(charger.owner_user_id):
        raise ConflictError("this EAN is registered to another customer; ask the operator")
    if charger.id in existing.charger_ids:
        return existing
    return link_charger(store, ean=ean, charger_id=charger.id)
