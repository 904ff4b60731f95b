"""Chargers in the book, one row per (source, external id), refreshed by an upsert."""

from __future__ import annotations

import functools
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.tables import ChargerRow
from chargebook.domain.account_keys import brand_account_id, brand_account_key
from chargebook.domain.models import Charger, ChargerSource, MidMeter
from chargebook.domain.ownership import ChargerOwnedByAnotherError
from chargebook.domain.stored import StoredCharger
from chargebook.errors import NotFoundError


class ChargerRepository:
    """Reads and writes chargers; adds and flushes, never commits."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def upsert(
        self,
        charger: Charger,
        *,
        account_id: int | None = None,
        owner_user_id: int | None = None,
    ) -> StoredCharger:
        """Insert the charger or refresh its facts, keyed by (source, external id).

        The one rule of ownership (see `chargebook.domain.ownership`): a new charger gets
        `owner_user_id`; a stored one keeps its owner, and only an unowned one takes the given
        owner. A charger of another owner is left untouched (facts, account and owner) and
        refused. `account_id` is the account's key (`domain.account_keys`: a myWallbox
        account's id, or minus a brand account's id, kept in `brand_account_id`); it is
        changed only when given with an owner; None keeps what is stored, and so do the
        serials, part number and time zone. `created_at` is kept, `updated_at` is now. One
        statement on both backends (INSERT .. ON CONFLICT DO UPDATE .. WHERE), so concurrent
        syncs can neither insert it twice nor both take it.

        Raises:
            ChargerOwnedByAnotherError: the book holds it under another owner.
        """
        now = self._clock.now()
        brand_id = None if account_id is None else brand_account_id(account_id)
        wallbox_id = account_id if brand_id is None else None
        values = {
            **_facts(charger),
            "source": charger.source.value,
            "external_id": charger.external_id,
            "account_id": wallbox_id,
            "brand_account_id": brand_id,
            "owner_user_id": owner_user_id,
            "created_at": now,
            "updated_at": now,
        }
        statement = _upsert_statement(self._session.get_bind().dialect.name)
        charger_id = self._session.execute(statement, values).scalar_one_or_none()
        if charger_id is None:  # the WHERE of the update refused: another owner's charger
            raise ChargerOwnedByAnotherError(charger.external_id, charger.name)
        # The statement bypassed the ORM: refresh any copy already in the identity map.
        row = self._session.scalars(
            select(ChargerRow)
            .where(ChargerRow.id == charger_id)
            .execution_options(populate_existing=True)
        ).one()
        return to_stored_charger(row)

    def take_owner(self, charger_id: int, owner_user_id: int) -> bool:
        """Give an unowned charger its owner (the same owner again is a no-op).

        Returns False, changing nothing, when the charger belongs to another owner (or does
        not exist). One UPDATE .. WHERE, so two claims at once cannot both win.
        """
        result = self._session.execute(
            update(ChargerRow)
            .where(
                ChargerRow.id == charger_id,
                CURRENT,  # an earlier owner's period is history, never claimed
                may_take_owner(ChargerRow.owner_user_id, literal(owner_user_id)),
            )
            .values(owner_user_id=owner_user_id, updated_at=self._clock.now())
            .execution_options(synchronize_session=False)
        )
        self._refresh(charger_id)
        taken: int = result.rowcount  # type: ignore[attr-defined]
        return taken == 1

    def _refresh(self, charger_id: int) -> None:
        """Statements that bypassed the ORM: refresh a copy already in the identity map."""
        self._session.scalars(
            select(ChargerRow)
            .where(ChargerRow.id == charger_id)
            .execution_options(populate_existing=True)
        ).one_or_none()

    def get(self, charger_id: int) -> StoredCharger:
        """The charger with this book id.

        Raises:
            NotFoundError: no such charger.
        """
        row = self._session.get(ChargerRow, charger_id)
        if row is None:
            raise NotFoundError(f"no charger with id {charger_id}")
        return to_stored_charger(row)

    def find(self, source: ChargerSource, external_id: str) -> StoredCharger | None:
        """The charger a source knows by `external_id` (its current owner's row), or None."""
        row = self._session.scalars(
            select(ChargerRow).where(
                ChargerRow.source == source.value, ChargerRow.external_id == external_id, CURRENT
            )
        ).one_or_none()
        return None if row is None else to_stored_charger(row)

    def with_external_id(self, external_id: str) -> list[StoredCharger]:
        """The current owners' rows of chargers any source knows by `external_id`, by book id
        (a Wallbox id and an OCPP charge point id may be the same text)."""
        query = (
            select(ChargerRow)
            .where(ChargerRow.external_id == external_id, CURRENT)
            .order_by(ChargerRow.id)
        )
        return [to_stored_charger(row) for row in self._session.scalars(query)]

    def list(
        self, *, account_id: int | None = None, owner_user_id: int | None = None
    ) -> list[StoredCharger]:
        """Chargers in book-id order, optionally of one account and/or one owner."""
        query = select(ChargerRow).order_by(ChargerRow.id)
        if account_id is not None:
            brand_id = brand_account_id(account_id)
            if brand_id is not None:
                query = query.where(ChargerRow.brand_account_id == brand_id)
            else:
                query = query.where(ChargerRow.account_id == account_id)
        if owner_user_id is not None:
            query = query.where(ChargerRow.owner_user_id == owner_user_id)
        return [to_stored_charger(row) for row in self._session.scalars(query)]


# The current owner's row of a charger; earlier owners' rows end at their `owner_until`.
CURRENT = ChargerRow.owner_until.is_(None)
_KEPT_WHEN_MISSING = ("serial_number", "part_number", "time_zone")
_FACTS = (
    "name",
    "group_name",
    "serial_number",
    "part_number",
    "model",
    "firmware_version",
    "time_zone",
    "max_current_a",
    "mid_enabled",
    "mid_serial_number",
    "mid_status",
)


@functools.cache
def _upsert_statement(dialect_name: str) -> Any:
    """INSERT .. ON CONFLICT DO UPDATE .. RETURNING id, built once per dialect (building it
    per call cost ~1 ms, once per charger on every sync); executed with the row's values."""
    insert = postgresql.insert if dialect_name == "postgresql" else sqlite.insert
    statement = insert(ChargerRow)
    return statement.on_conflict_do_update(
        # The current row (the partial unique index of migration 0011).
        index_elements=[ChargerRow.source, ChargerRow.external_id],
        index_where=CURRENT,
        set_={
            **{name: statement.excluded[name] for name in _FACTS if name not in _KEPT_WHEN_MISSING},
            # Facts some reads do not carry (the Wallbox group list has no serials, part
            # number or zone): None keeps what a fuller read stored.
            **{
                name: func.coalesce(statement.excluded[name], getattr(ChargerRow, name))
                for name in _KEPT_WHEN_MISSING
            },
            # The MID serial too, while the meter is still reported enabled.
            "mid_serial_number": case(
                (
                    statement.excluded.mid_enabled,
                    func.coalesce(
                        statement.excluded.mid_serial_number, ChargerRow.mid_serial_number
                    ),
                ),
                else_=statement.excluded.mid_serial_number,
            ),
            # Which account syncs and controls it: only its owner's write moves it.
            "account_id": _account_column(statement, "account_id"),
            "brand_account_id": _account_column(statement, "brand_account_id"),
            # The stored owner first: an owner is only ever set, never replaced, here.
            "owner_user_id": func.coalesce(
                ChargerRow.owner_user_id, statement.excluded.owner_user_id
            ),
            "updated_at": statement.excluded.updated_at,
        },
        where=may_take_owner(ChargerRow.owner_user_id, statement.excluded.owner_user_id),
    ).returning(ChargerRow.id)


def _account_column(statement: Any, name: str) -> Any:
    """Which account syncs and controls the charger: only its owner's write moves it (a
    charger's source never changes, so only one of the two account columns is ever set)."""
    return case(
        (statement.excluded.owner_user_id.is_(None), getattr(ChargerRow, name)),
        else_=func.coalesce(statement.excluded[name], getattr(ChargerRow, name)),
    )


def may_take_owner(stored: Any, given: Any) -> ColumnElement[bool]:
    """The rule of ownership as SQL: a write on behalf of `given` (an owner's user id, or NULL
    for a write on nobody's behalf) may touch a charger stored with owner `stored`.

    Only an unowned charger, or one of the same owner, is touched; changing the owner of an
    owned charger is `charger_transfers.transfer_charger`'s job alone.
    """
    return or_(stored.is_(None), given.is_(None), stored == given)


def _facts(charger: Charger) -> dict[str, Any]:
    return {
        "name": charger.name,
        "group_name": charger.group_name,
        "serial_number": charger.serial_number,
        "part_number": charger.part_number,
        "model": charger.model,
        "firmware_version": charger.firmware_version,
        "time_zone": charger.time_zone,
        "max_current_a": charger.max_current_a,
        "mid_enabled": charger.mid.enabled,
        "mid_serial_number": charger.mid.serial_number,
        "mid_status": charger.mid.status,
    }


def to_stored_charger(row: ChargerRow) -> StoredCharger:
    """Map a charger row to the domain (for other modules of `chargebook.db`)."""
    charger = Charger(
        source=ChargerSource(row.source),
        external_id=row.external_id,
        name=row.name,
        serial_number=row.serial_number,
        part_number=row.part_number,
        model=row.model,
        firmware_version=row.firmware_version,
        max_current_a=row.max_current_a,
        time_zone=row.time_zone,
        mid=MidMeter(
            enabled=row.mid_enabled, serial_number=row.mid_serial_number, status=row.mid_status
        ),
        group_name=row.group_name,
    )
    return StoredCharger(
        id=row.id,
        charger=charger,
        account_id=(
            brand_account_key(row.brand_account_id)
            if row.brand_account_id is not None
            else row.account_id
        ),
        owner_user_id=row.owner_user_id,
        created_at=row.created_at,
        updated_at=row.updated_at,
        owner_until=row.owner_until,
    )
