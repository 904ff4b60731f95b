"""Whether a connection's customer is private or business (ere-rules §3.4): for a private
customer only a MID meter built into the charger counts; a separate MID meter (a SAP, a
dedicated connection) counts only for a business. A connection starts private (a household
owner joining through the wizard); the operator records a business customer here."""

from __future__ import annotations

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import CustomerKind
from chargebook.domain.ere_book import StoredConnection
from chargebook.ere import validate_ean


def set_customer_kind(store: EreStore, *, ean: str, kind: CustomerKind) -> StoredConnection:
    """Record the customer of the connection `ean` as private or business (audited).

    Raises:
        InvalidEanError: the EAN fails a check.
        NotFoundError: no connection with this EAN.
    """
    ean = validate_ean(ean)
    stored = store.connections.set_customer_kind(ean, kind)
    store.audit.append(
        actor="ere",
        action="ere_connection.customer_kind",
        entity_type="ere_connection",
        entity_id=stored.id,
        payload={"ean": ean, "customer_kind": kind.value},
    )
    return stored
