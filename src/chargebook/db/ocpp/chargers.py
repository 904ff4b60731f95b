"""OCPP charge points in the book: registration, credentials, claiming, boot and status facts.

An OCPP charger is a `chargers` row with source "ocpp" and the charge point id as external id;
an unclaimed one has no owner yet. Secrets are stored only as argon2 hashes made by the caller.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.chargers import ChargerRepository
from chargebook.db.book.state_events import state_change_event
from chargebook.db.book.tables import ChargerRow
from chargebook.db.core.writes import flush_or_conflict
from chargebook.db.hooks.outbox import SqlOutbox
from chargebook.db.ocpp.lookups import is_charge_point
from chargebook.db.ocpp.security import OcppSecurityRepository
from chargebook.db.ocpp.tables import OcppChargePointRow
from chargebook.domain.models import ChargerSource
from chargebook.domain.ocpp import OcppBoot, OcppCredentials, charger_state_of
from chargebook.domain.plausibility import CLOCK_TOLERANCE
from chargebook.errors import ConflictError, NotFoundError

# The book needs a model before the first BootNotification says which one it is.
UNKNOWN_MODEL = "unknown"


class OcppChargerRepository:
    """Reads and writes OCPP charge points; adds and flushes, never commits."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def register(
        self,
        charge_point_id: str,
        *,
        secret_hash: str | None,
        allow_empty_password: bool = False,
        owner_user_id: int | None = None,
    ) -> OcppCredentials:
        """Add an OCPP charger (unclaimed when `owner_user_id` is None).

        Raises:
            ConflictError: a charger with this charge point id exists.
        """
        now = self._clock.now()
        row = ChargerRow(
            source=ChargerSource.OCPP.value,
            external_id=charge_point_id,
            owner_user_id=owner_user_id,
            name=charge_point_id,
            model=UNKNOWN_MODEL,
            mid_enabled=False,
            created_at=now,
            updated_at=now,
            ocpp_secret_hash=secret_hash,
            ocpp_allow_empty_password=allow_empty_password,
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"charge point {charge_point_id} is already registered")
        return _credentials(row)

    def credentials(self, charge_point_id: str) -> OcppCredentials | None:
        """How the charge point authenticates, or None if the book does not know it."""
        found = self.credentials_and_make(charge_point_id)
        return None if found is None else found[0]

    def credentials_and_make(
        self, charge_point_id: str
    ) -> tuple[OcppCredentials, str | None, str | None] | None:
        """The credentials with the vendor and model of the last BootNotification, in one
        Core query (a connecting charger needs both; 2,000 reconnecting at once pay it)."""
        found = self._session.execute(
            _CREDENTIALS_AND_MAKE, {"charge_point_id": charge_point_id}
        ).first()
        if found is None:
            return None
        charger_id, secret_hash, allow_empty, owner, min_profile, vendor, model = found
        credentials = OcppCredentials(
            charger_id=charger_id,
            charge_point_id=charge_point_id,
            secret_hash=secret_hash,
            allow_empty_password=allow_empty,
            owner_user_id=owner,
            min_security_profile=min_profile or 0,
        )
        return credentials, vendor, model

    def set_secret(
        self, charge_point_id: str, *, secret_hash: str | None, allow_empty_password: bool
    ) -> None:
        """Replace the charger's secret hash and empty-password permission.

        Raises:
            NotFoundError: no such charge point.
        """
        row = self._row(charge_point_id)
        row.ocpp_secret_hash = secret_hash
        row.ocpp_allow_empty_password = allow_empty_password
        row.updated_at = self._clock.now()
        self._session.flush()

    def replace_secret_hash(self, charge_point_id: str, *, old: str, new: str) -> bool:
        """Store `new` as the charger's secret hash if it still holds `old` (the same secret in
        a faster form, auth.py); False if the secret changed meanwhile or the charger is gone.

        One conditional UPDATE, not read-then-write: a rotation committed between the two would
        otherwise be overwritten with the old secret's hash."""
        result = self._session.execute(
            update(ChargerRow)
            .where(
                is_charge_point(charge_point_id),
                ChargerRow.ocpp_secret_hash == old,
            )
            .values(ocpp_secret_hash=new)
            .execution_options(synchronize_session=False)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def raise_min_security_profile(self, charge_point_id: str, profile: int) -> None:
        """Store `profile` as the charger's minimum if higher (trust on upgrade)."""
        OcppSecurityRepository(self._session, self._clock).raise_minimum(charge_point_id, profile)

    def claim(self, charge_point_id: str, owner_user_id: int) -> int:
        """Give an unclaimed charger its owner; returns the charger's book id.

        Claiming again for the same owner is a no-op.

        Raises:
            NotFoundError: no such charge point.
            ConflictError: another owner has claimed it.
        """
        row = self._row(charge_point_id)
        # The one rule of ownership, atomically: two claims at once cannot both win.
        if not ChargerRepository(self._session, self._clock).take_owner(row.id, owner_user_id):
            raise ConflictError(f"charge point {charge_point_id} belongs to another owner")
        return row.id

    def record_boot(self, charge_point_id: str, boot: OcppBoot) -> None:
        """Store what a BootNotification said, and the metering verdict, on the charger.

        Raises:
            NotFoundError: no such charge point.
        """
        row = self._row(charge_point_id)
        now = self._clock.now()
        row.model = boot.model
        row.serial_number = boot.serial_number
        row.firmware_version = boot.firmware_version
        row.metering_verdict = boot.metering_verdict
        row.mid_enabled = boot.mid_qualifying
        row.mid_serial_number = boot.meter_serial_number if boot.mid_qualifying else None
        row.updated_at = now
        facts = self._facts(row.id)
        facts.vendor = boot.vendor
        facts.meter_type = boot.meter_type
        facts.meter_serial_number = boot.meter_serial_number
        facts.metering_explanation = boot.metering_explanation
        facts.booted_at = now
        self._session.flush()

    def record_status(
        self, charge_point_id: str, *, status: str, error_code: str, at: datetime | None
    ) -> None:
        """Store the latest StatusNotification at `at` (None: now); an older one than the
        stored one is ignored.

        Raises:
            NotFoundError: no such charge point.
        """
        row = self._row(charge_point_id)
        facts = self._facts(row.id)
        now = self._clock.now()
        at = at or now
        stored = facts.status_at
        # A buffered, older notification must not overwrite a newer state; a stored time
        # from the future (an old book, before such times were refused) is no newer state.
        if stored is not None and at < stored <= now + CLOCK_TOLERANCE:
            return
        if facts.last_status is not None:
            before, after = charger_state_of(facts.last_status), charger_state_of(status)
            if before is not after:  # webhooks and notifications, in this transaction
                SqlOutbox(self._session, self._clock).emit(
                    state_change_event(row, before.value, after.value, at)
                )
        facts.last_status = status
        facts.last_error_code = error_code
        facts.status_at = at
        self._session.flush()

    def vendor_and_model(self, charge_point_id: str) -> tuple[str | None, str | None]:
        """The vendor and model from the last BootNotification (None before the first)."""
        found = self._session.execute(
            select(OcppChargePointRow.vendor, ChargerRow.model)
            .join(OcppChargePointRow, OcppChargePointRow.charger_id == ChargerRow.id)
            .where(
                is_charge_point(charge_point_id),
            )
        ).first()
        return (None, None) if found is None else (found[0], found[1])

    def list(self) -> list[OcppCredentials]:
        """All OCPP chargers, in book-id order."""
        rows = self._session.scalars(
            select(ChargerRow)
            .where(ChargerRow.source == ChargerSource.OCPP.value)
            .order_by(ChargerRow.id)
        )
        return [_credentials(row) for row in rows]

    def _facts(self, charger_id: int) -> OcppChargePointRow:
        facts = self._session.get(OcppChargePointRow, charger_id)
        if facts is None:
            facts = OcppChargePointRow(charger_id=charger_id)
            self._session.add(facts)
        return facts

    def _find(self, charge_point_id: str) -> ChargerRow | None:
        return self._session.scalars(
            select(ChargerRow).where(
                is_charge_point(charge_point_id),
            )
        ).one_or_none()

    def _row(self, charge_point_id: str) -> ChargerRow:
        row = self._find(charge_point_id)
        if row is None:
            raise NotFoundError(f"no OCPP charge point {charge_point_id}")
        return row


# Built once: constructing the statement cost 20x running it (0.5 ms vs 22 us on SQLite), paid by
# every charger of a reconnect storm.
_CREDENTIALS_AND_MAKE = (
    select(
        ChargerRow.id,
        ChargerRow.ocpp_secret_hash,
        ChargerRow.ocpp_allow_empty_password,
        ChargerRow.owner_user_id,
        ChargerRow.ocpp_min_security_profile,
        OcppChargePointRow.vendor,
        ChargerRow.model,
    )
    .outerjoin(OcppChargePointRow, OcppChargePointRow.charger_id == ChargerRow.id)
    .where(is_charge_point(bindparam("charge_point_id")))
)


def _credentials(row: ChargerRow) -> OcppCredentials:
    return OcppCredentials(
        charger_id=row.id,
        charge_point_id=row.external_id,
        secret_hash=row.ocpp_secret_hash,
        allow_empty_password=row.ocpp_allow_empty_password,
        owner_user_id=row.owner_user_id,
        min_security_profile=row.ocpp_min_security_profile or 0,
    )
