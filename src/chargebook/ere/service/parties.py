"""The connected party (aangeslotene) of each connection: how and when the operator verified
that the customer is it (ere-rules §2.5: checked against the CAR register via the grid
operator, or the evidence the provider relied on). Web (operator console) and CLI call this."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere_book import StoredConnection
from chargebook.domain.ere_party import PartyVerification, parse_method
from chargebook.ere import validate_ean
from chargebook.ere.service.errors import EreBookError

MAX_NOTE = 500
MAX_BY = 200


class PartyVerificationError(EreBookError):
    """A verification record is incomplete or wrong; `field` names the input."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True, slots=True)
class ConnectionParty:
    """A connection with its latest verification (None: never verified)."""

    connection: StoredConnection
    verification: PartyVerification | None


def record_party_verification(
    store: EreStore,
    *,
    ean: str,
    method: str,
    verified_by: str,
    verified_on: date,
    note: str | None = None,
    actor: str = "ere",
) -> PartyVerification:
    """Record how the connection's connected party was verified (a new record; earlier ones
    stay as history).

    Raises:
        InvalidEanError: the EAN fails a check.
        NotFoundError: no connection with this EAN.
        PartyVerificationError: unknown method, no verifier named, a date in the future.
    """
    connection = store.connections.get_by_ean(validate_ean(ean))
    try:
        chosen = parse_method(method)
    except ValueError as exc:
        raise PartyVerificationError(str(exc), field="method") from None
    who = " ".join(verified_by.split())
    if not who or len(who) > MAX_BY:
        raise PartyVerificationError(
            f"name who verified it (1-{MAX_BY} characters)", field="verified_by"
        )
    if verified_on > store.clock.now().date():
        raise PartyVerificationError("the verification date is in the future", field="verified_on")
    text = (note or "").strip() or None
    if text is not None and len(text) > MAX_NOTE:
        raise PartyVerificationError(f"the note is longer than {MAX_NOTE} characters", field="note")
    stored = store.parties.add(
        connection.id, method=chosen, verified_by=who, verified_on=verified_on, note=text
    )
    store.audit.append(
        actor=actor,
        action="ere_connection.party_verified",
        entity_type="ere_connection",
        entity_id=connection.id,
        payload={
            "ean": connection.connection.ean,
            "method": chosen.value,
            "verified_by": who,
            "verified_on": verified_on.isoformat(),
        },
    )
    return stored


def connection_parties(store: EreStore) -> list[ConnectionParty]:
    """Every connection with its latest verification, for the operator's list."""
    latest = store.parties.latest()
    return [ConnectionParty(c, latest.get(c.id)) for c in store.connections.list()]
