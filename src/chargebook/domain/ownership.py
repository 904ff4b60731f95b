"""Who a charger in the book belongs to, and what a second account that can see it is told.

A charger has one chargebook owner at a time. The first chargebook user whose myWallbox
account (or OCPP registration) brings it into the book owns it; a sync, a wizard run, a worker
job or an API call never gives it to somebody else. Wallbox lets several accounts see one
charger (a "user" share: a partner, a tenant, the previous owner after a house sale): such a
second chargebook user gets nothing of the charger, neither its facts nor its sessions, and is
told why. Only the operator changes a charger's owner (`chargebook chargers transfer`), audited;
the earlier owner keeps the sessions that started before the transfer.
"""

from __future__ import annotations

from chargebook.errors import ConflictError

ALREADY_CONNECTED_HINT = (
    "Their sessions are not synced to your book: they belong to the chargebook user who "
    "connected the charger first. If you share a charger, that user keeps its book. If a "
    "charger is yours now (you bought the house), ask the operator to transfer it to you."
)


class ChargerOwnedByAnotherError(ConflictError):
    """The charger is in the book under another chargebook owner; nothing was changed.

    `name` is the charger's name as the caller's own source reported it (never read from the
    other owner's book).
    """

    def __init__(self, external_id: str, name: str) -> None:
        super().__init__(
            f"charger {name} ({external_id}) is already connected by another chargebook user"
        )
        self.external_id = external_id
        self.name = name
