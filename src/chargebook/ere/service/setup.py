"""Onboarding for ERE: grid connections (EAN validated, the customer as connected party),
mandates per EAN and whole calendar years, and the operator's prices per period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address, DeliveryPeriod, GridConnection, Mandate
from chargebook.domain.ere_book import StoredConnection, StoredMandate
from chargebook.ere import MandateProblem, check_single_provider, mandate_problems, validate_ean
from chargebook.ere.service import events
from chargebook.ere.service.mandate_document import record_mandate_document
from chargebook.errors import ConflictError, NotFoundError

# Says that the EAN is taken without saying by whom (the holder's identity is not ours to show).
EAN_HELD_BY_ANOTHER = (
    "EAN {ean} is already registered by another customer. A connection has one connected "
    "party, and one service provider per EAN per calendar year; if you are its connected "
    "party (aangeslotene), ask the operator to check it."
)


def add_connection(
    store: EreStore,
    *,
    ean: str,
    customer_email: str,
    connected_party_name: str,
    address: Address,
    charger_ids: Sequence[int] = (),
) -> StoredConnection:
    """Record a customer's grid connection and link chargers installed behind it.

    The same EAN again for the same customer is not a new connection: the chargers are
    attached to the recorded one (its name and address stay as recorded) and its mandates,
    which are per EAN and year, cover them too.

    Raises:
        InvalidEanError: the EAN fails a check (`failed_check` names it).
        NotFoundError: no user with that e-mail, or a charger id is unknown.
        ConflictError: another customer holds the EAN (`EAN_HELD_BY_ANOTHER`), or a charger is
            linked to another connection.
    """
    ean = validate_ean(ean)
    user = store.users.get_by_email(customer_email)
    if user is None:
        raise NotFoundError(f"no user with e-mail {customer_email.strip().lower()}")
    existing = _by_ean(store, ean)
    if existing is not None:
        if existing.connection.customer_id != str(user.id):
            raise ConflictError(EAN_HELD_BY_ANOTHER.format(ean=ean))
        return attach_chargers(store, existing, charger_ids)
    stored = store.connections.add(
        GridConnection(
            ean=ean,
            address=address,
            customer_id=str(user.id),
            connected_party_name=connected_party_name,
        )
    )
    for charger_id in charger_ids:
        store.connections.link_charger(stored.id, charger_id)
    store.audit.append(
        actor="ere",
        action="ere_connection.added",
        entity_type="ere_connection",
        entity_id=stored.id,
        payload={"ean": ean, "customer_user_id": user.id, "chargers": list(charger_ids)},
    )
    return store.connections.get(stored.id)


def attach_chargers(
    store: EreStore, connection: StoredConnection, charger_ids: Sequence[int]
) -> StoredConnection:
    """Link more chargers (any source) to a recorded connection; already linked ones are
    left alone. The connection's mandates cover them: a mandate is per EAN and year.

    Raises:
        NotFoundError: a charger id is unknown.
        ConflictError: a charger is linked to another connection.
    """
    added = [c for c in charger_ids if c not in connection.charger_ids]
    for charger_id in added:
        store.connections.link_charger(connection.id, charger_id)
    if added:
        store.audit.append(
            actor="ere",
            action="ere_connection.chargers_linked",
            entity_type="ere_connection",
            entity_id=connection.id,
            payload={"ean": connection.connection.ean, "chargers": added},
        )
    return store.connections.get(connection.id)


def _by_ean(store: EreStore, ean: str) -> StoredConnection | None:
    try:
        return store.connections.get_by_ean(ean)
    except NotFoundError:
        return None


def link_charger(store: EreStore, *, ean: str, charger_id: int) -> StoredConnection:
    """Link one more charger to the connection with `ean`.

    Raises:
        NotFoundError, ConflictError: as `ConnectionRepository.link_charger`.
    """
    connection = store.connections.get_by_ean(validate_ean(ean))
    return attach_chargers(store, connection, [charger_id])


@dataclass(frozen=True, slots=True)
class MandateAdded:
    stored: StoredMandate
    problems: tuple[MandateProblem, ...]  # empty when the mandate is complete


def add_mandate(
    store: EreStore,
    *,
    ean: str,
    service_provider_id: str,
    first_year: int,
    last_year: int,
    consent_grid_operator_data: bool,
    consent_verifier_visit: bool,
    signed_by_name: str,
    signed_on: date,
) -> MandateAdded:
    """Record a mandate; an incomplete one is stored too (its sessions fail
    `mandate_invalid`) and its problems are returned.

    Raises:
        InvalidEanError: the EAN fails a check.
        NotFoundError: no connection with this EAN.
        MandateConflictError: another provider holds a mandate for the EAN in a covered year.
        ConflictError: a covered year already has a mandate (the database's key).
        ValueError: the last year is before the first.
    """
    ean = validate_ean(ean)
    connection = store.connections.get_by_ean(ean)
    candidate = Mandate(
        mandate_id="new",
        customer_id=connection.connection.customer_id,
        ean=ean,
        service_provider_id=service_provider_id,
        first_year=first_year,
        last_year=last_year,
        consent_grid_operator_data=consent_grid_operator_data,
        consent_verifier_visit=consent_verifier_visit,
        signed_by_name=signed_by_name,
        signed_on=signed_on,
    )
    existing = [stored.mandate for stored in store.mandates.list(ean=ean)]
    check_single_provider([*existing, candidate])
    stored = store.mandates.add(
        ean=ean,
        service_provider_id=service_provider_id,
        first_year=first_year,
        last_year=last_year,
        consent_grid_operator_data=consent_grid_operator_data,
        consent_verifier_visit=consent_verifier_visit,
        signed_by_name=signed_by_name,
        signed_on=signed_on,
    )
    # The words agreed to and every field, as signed: the mandate's document (evidence).
    record_mandate_document(store, stored)
    store.audit.append(
        actor="ere",
        action="ere_mandate.added",
        entity_type="ere_mandate",
        entity_id=stored.id,
        payload={"ean": ean, "years": [first_year, last_year], "provider": service_provider_id},
    )
    events.mandate_signed(
        store,
        customer_id=connection.connection.customer_id,
        mandate_id=stored.id,
        ean=ean,
        first_year=first_year,
        last_year=last_year,
        signed_on=signed_on.isoformat(),
    )
    return MandateAdded(stored, mandate_problems(stored.mandate))


def set_price(store: EreStore, period: DeliveryPeriod, price_eur_per_ere: Decimal) -> None:
    """Set the operator's price per ERE for a period (replacing an earlier one).

    Raises:
        ValueError: a negative price.
    """
    store.statements.set_price(period, price_eur_per_ere)
    store.audit.append(
        actor="ere",
        action="ere_price.set",
        entity_type="ere_price",
        entity_id=period.label,
        payload={"price_eur_per_ere": str(price_eur_per_ere)},
    )
