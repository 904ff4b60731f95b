"""Claiming a charger that "accept unknown" mode registered: it gets its owner and a new secret.

In accept-unknown mode whoever connects first with an id sets that id's password (trust on
first use). That may be a squatter who guessed the id before the real charger connected, so
the password chosen then must not survive the claim: claiming rotates the secret, shows the
new one once to the claimer, and turns an allowed empty password off (the squatter could use
that too). The real charger is then configured with the new secret.

A charge point already owned by the claimer is left alone (no new secret); one owned by
someone else is refused by the repository.
"""

from __future__ import annotations

from dataclasses import dataclass

from chargebook.central_system.auth import issue_secret
from chargebook.clock import Clock
from chargebook.db import Database
from chargebook.db.ocpp.chargers import OcppChargerRepository


@dataclass(frozen=True, slots=True)
class ClaimResult:
    """`secret` is the new Basic-auth password (shown once), None when nothing changed."""

    charger_id: int
    secret: str | None


def claim_charge_point(
    database: Database, clock: Clock, charge_point_id: str, owner_user_id: int
) -> ClaimResult:
    """Give an unclaimed charge point its owner and a freshly generated secret.

    Raises:
        NotFoundError: no such charge point.
        ConflictError: another owner has claimed it.
    """
    issued = issue_secret()
    with database.transaction() as session:
        chargers = OcppChargerRepository(session, clock)
        known = chargers.credentials(charge_point_id)
        already_mine = known is not None and known.owner_user_id == owner_user_id
        charger_id = chargers.claim(charge_point_id, owner_user_id)
        if already_mine:
            return ClaimResult(charger_id, None)
        chargers.set_secret(charge_point_id, secret_hash=issued.stored, allow_empty_password=False)
    return ClaimResult(charger_id, issued.secret)
