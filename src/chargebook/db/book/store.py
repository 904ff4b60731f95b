"""The sync engine's store: the `BookTransaction` port on SQLAlchemy, written in bulk.

`book_opener(database, clock)` gives the engine a `BookOpener`: each call opens one
transaction (IMMEDIATE on SQLite, so concurrent writers queue), committed only by
`commit()`; leaving the block without it rolls back. Sessions are upserted with one
INSERT .. ON CONFLICT DO NOTHING per chunk; the rare changed payload is updated row by row
and both raw versions go to the audit log.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from chargebook.clock import Clock
from chargebook.db.accounts.audit import AuditLogRepository
from chargebook.db.accounts.tables import BrandAccountRow, WallboxAccountRow
from chargebook.db.book.chargers import CURRENT, ChargerRepository
from chargebook.db.book.samples import SampleRepository
from chargebook.db.book.session_events import emit_completed
from chargebook.db.book.session_rows import SessionRowFormat, insert_session_rows
from chargebook.db.book.state_events import emit_state_changes
from chargebook.db.book.statements import (
    known_external_ids,
    link_samples_update,
    sync_state_upsert,
)
from chargebook.db.book.tables import ChargerRow, ChargingSessionRow, SyncStateRow
from chargebook.db.core.canonical import canonical_json
from chargebook.db.core.database import Database
from chargebook.db.core.engine import SQLITE_BEGIN_OPTION
from chargebook.db.core.exceptions import DatabaseUnavailableError
from chargebook.domain.account_keys import brand_account_id
from chargebook.domain.book import (
    SessionEntry,
    SessionSample,
    SessionState,
    StoredSession,
    SyncState,
    UpsertPlan,
)
from chargebook.domain.models import Charger, ChargerSource
from chargebook.domain.ownership import ChargerOwnedByAnotherError
from chargebook.domain.ports import BookOpener, BookTransaction
from chargebook.errors import NotFoundError

# Bound parameters per statement stay far below SQLite's and PostgreSQL's limits.
_CHUNK = 500
AUDIT_ACTOR = "sync"


def book_opener(database: Database, clock: Clock) -> BookOpener:
    """A `BookOpener` over `database`: one SQLAlchemy session and transaction per call."""
    writer = database.engine.execution_options(**{SQLITE_BEGIN_OPTION: "IMMEDIATE"})
    sessions = sessionmaker(writer, expire_on_commit=False)

    @contextmanager
    def open_book() -> Iterator[BookTransaction]:
        try:
            with sessions() as session:
                yield SqlBook(session, clock)
        except OperationalError as exc:
            raise DatabaseUnavailableError(
                f"the database is unavailable: {str(exc.orig).splitlines()[0]}"
            ) from exc

    return open_book


class LazyJson(Mapping[str, Any]):
    """A stored raw payload, decoded from its JSON text on first use.

    The sync compares a known session by its sha256; only a changed one needs the old payload
    (for the audit log), so a re-read of unchanged sessions decodes nothing.
    """

    __slots__ = ("_text", "_value")

    def __init__(self, text: str) -> None:
        self._text = text
        self._value: dict[str, Any] | None = None

    def _decoded(self) -> dict[str, Any]:
        if self._value is None:
            self._value = json.loads(self._text)
        return self._value

    def __getitem__(self, key: str) -> Any:
        return self._decoded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._decoded())

    def __len__(self) -> int:
        return len(self._decoded())

    def __repr__(self) -> str:
        return f"LazyJson({self._decoded()!r})"


class SqlBook:
    """One transaction on the book (implements `BookTransaction`)."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock
        self._charger_ids: dict[tuple[str, str], int] = {}
        self._earlier: dict[tuple[str, str], list[tuple[datetime, int]]] = {}
        self._format: SessionRowFormat | None = None

    def commit(self) -> None:
        self._session.commit()

    # -- chargers -------------------------------------------------------------------------

    def upsert_chargers(self, account_id: int, chargers: Sequence[Charger]) -> list[Charger]:
        repository = ChargerRepository(self._session, self._clock)
        # A new charger belongs to the account's owner; the repository's rule refuses one
        # that another chargebook user owns (it stays theirs, untouched).
        owner = self._account_owner(account_id)
        held: list[Charger] = []
        for charger in chargers:
            try:
                stored = repository.upsert(charger, account_id=account_id, owner_user_id=owner)
            except ChargerOwnedByAnotherError:
                held.append(charger)
                continue
            self._charger_ids[(charger.source.value, charger.external_id)] = stored.id
        return held

    def _account_owner(self, account_id: int) -> int:
        """The owner of the account with this key (`domain.account_keys`)."""
        brand_id = brand_account_id(account_id)
        if brand_id is not None:
            owner = self._session.scalar(
                select(BrandAccountRow.owner_user_id).where(BrandAccountRow.id == brand_id)
            )
            if owner is None:
                raise NotFoundError(f"no brand account with id {brand_id}")
            return owner
        owner = self._session.scalar(
            select(WallboxAccountRow.owner_user_id).where(WallboxAccountRow.id == account_id)
        )
        if owner is None:
            raise NotFoundError(f"no myWallbox account with id {account_id}")
        return owner

    def _charger_id(
        self, source: ChargerSource, external_id: str, started_at: datetime | None = None
    ) -> int:
        """The book id of the charger's row that owns a session started at `started_at`: an
        earlier owner's row (a transfer, see `charger_transfers`) when it started before that
        owner's period ended, else the current owner's row (also for no start time)."""
        key = (source.value, external_id)
        if started_at is not None:
            for until, earlier_id in self._earlier_periods(key):
                if started_at < until:
                    return earlier_id
        if key not in self._charger_ids:
            found = self._session.scalar(
                select(ChargerRow.id).where(
                    ChargerRow.source == key[0], ChargerRow.external_id == external_id, CURRENT
                )
            )
            if found is None:
                raise NotFoundError(f"the book has no charger {external_id} ({source.value})")
            self._charger_ids[key] = found
        return self._charger_ids[key]

    def _earlier_periods(self, key: tuple[str, str]) -> list[tuple[datetime, int]]:
        """(end of period, row id) of the charger's earlier owners, oldest first (usually
        none: read once per transaction and charger)."""
        if key not in self._earlier:
            rows = self._session.execute(
                select(ChargerRow.owner_until, ChargerRow.id)
                .where(
                    ChargerRow.source == key[0],
                    ChargerRow.external_id == key[1],
                    ChargerRow.owner_until.is_not(None),
                )
                .order_by(ChargerRow.owner_until)
            ).all()
            self._earlier[key] = [(until, row_id) for until, row_id in rows if until is not None]
        return self._earlier[key]

    # -- sessions -------------------------------------------------------------------------

    def find_sessions(
        self, source: ChargerSource, external_ids: Collection[str]
    ) -> Mapping[str, StoredSession]:
        ids = list(external_ids)
        found: dict[str, StoredSession] = {}
        row = ChargingSessionRow
        for start in range(0, len(ids), _CHUNK):
            # A cheap existence check first: most pages of a first sync hold only new ids.
            known = known_external_ids(self._session, source.value, ids[start : start + _CHUNK])
            if not known:
                continue
            query = (
                select(
                    row.external_id,
                    ChargerRow.external_id,
                    row.raw_payload,
                    row.raw_sha256,
                    row.state,
                    row.quarantine_reason,
                    row.started_at,
                )
                .join(ChargerRow, ChargerRow.id == row.charger_id)
                .where(row.source == source.value, row.external_id.in_(sorted(known)))
            )
            for external_id, charger, raw, sha, state, reason, started_at in self._session.execute(
                query
            ):
                found[external_id] = StoredSession(
                    external_id=external_id,
                    charger_external_id=charger,
                    raw=LazyJson(raw),
                    raw_sha256=sha,
                    state=SessionState(state),
                    reason=reason,
                    started_at=started_at,
                )
        return found

    def apply_upsert(self, plan: UpsertPlan) -> None:
        if plan.inserts:
            # Values converted once in plain Python and one driver executemany: the typed
            # path's per-value processing cost more than SQLite's insert (db.session_rows).
            form = self._row_format()
            now, charger_id = form.datetime(self._clock.now()), self._charger_id
            rows = [
                form.row(
                    entry, charger_id(entry.source, entry.charger_external_id, _start(entry)), now
                )
                for entry in plan.inserts
            ]
            insert_session_rows(self._session, form, rows)
            emit_completed(
                self._session,
                self._clock,
                plan.inserts,
                lambda entry: charger_id(entry.source, entry.charger_external_id, _start(entry)),
            )
        audit = AuditLogRepository(self._session, self._clock)
        for change in plan.changes:
            new = change.new
            self._session.execute(
                update(ChargingSessionRow)
                .where(
                    ChargingSessionRow.source == new.source.value,
                    ChargingSessionRow.external_id == new.external_id,
                )
                .values(**self._columns(new))
                .execution_options(synchronize_session=False)
            )
            payload: dict[str, Any] = {
                "old": {"sha256": change.old.raw_sha256, "raw": dict(change.old.raw)},
                "new": {"sha256": new.raw_sha256, "raw": dict(new.raw)},
                "state": new.state.value,
                "reason": new.reason,
            }
            if new.conflicting_raw is not None:
                payload["conflicting_raw"] = dict(new.conflicting_raw)
            audit.append(
                actor=AUDIT_ACTOR,
                action="session.conflict" if new.conflicting_raw else "session.raw_changed",
                entity_type="charging_session",
                entity_id=new.external_id,
                payload=payload,
            )
        for entry in plan.inserts:
            if entry.conflicting_raw is not None:
                audit.append(
                    actor=AUDIT_ACTOR,
                    action="session.conflict",
                    entity_type="charging_session",
                    entity_id=entry.external_id,
                    payload={
                        "kept": dict(entry.raw),
                        "conflicting_raw": dict(entry.conflicting_raw),
                    },
                )

    @property
    def _dialect(self) -> str:
        name: str = self._session.get_bind().dialect.name
        return name

    def _row_format(self) -> SessionRowFormat:
        if self._format is None:
            self._format = SessionRowFormat(self._dialect)
        return self._format

    def _columns(self, entry: SessionEntry) -> dict[str, Any]:
        session = entry.session
        currency = session.currency if session else None
        return {
            "charger_id": self._charger_id(entry.source, entry.charger_external_id, _start(entry)),
            "source": entry.source.value,
            "external_id": entry.external_id,
            "started_at": session.started_at if session else None,
            "ended_at": session.ended_at if session else None,
            "energy_kwh": session.energy_kwh if session else None,
            "mid_energy_kwh": session.mid_energy_kwh if session else None,
            "discharged_energy_kwh": session.discharged_energy_kwh if session else None,
            "meter_start_wh": session.meter_start_wh if session else None,
            "meter_stop_wh": session.meter_stop_wh if session else None,
            "cost": session.cost if session else None,
            # ISO 4217 codes only; a symbol such as "€" stays in the raw payload.
            "currency": currency if currency and len(currency) == 3 else None,
            "raw_payload": entry.raw_json or canonical_json(entry.raw),
            "raw_sha256": entry.raw_sha256,
            "state": entry.state.value,
            "quarantine_reason": entry.reason,
            "last_seen_at": self._clock.now(),
        }

    def link_samples(self, source: ChargerSource, charger_external_id: str) -> int:
        charger_id = self._charger_id(source, charger_external_id)
        result = self._session.execute(link_samples_update(), {"for_charger_id": charger_id})
        linked: int = result.rowcount  # type: ignore[attr-defined]
        return linked

    # -- sync state -----------------------------------------------------------------------

    def load_sync_state(self, source: ChargerSource, charger_external_id: str) -> SyncState | None:
        row = self._session.get(SyncStateRow, self._charger_id(source, charger_external_id))
        if row is None:
            return None
        return SyncState(
            charger_external_id=charger_external_id,
            synced_until=row.synced_until,
            backfill_cursor=row.backfill_cursor,
            backfill_complete=row.backfill_complete,
            sessions_found=row.sessions_found,
            empty_windows=row.empty_windows,
            last_success_at=row.last_success_at,
            last_error=row.last_error,
            last_error_at=row.last_error_at,
            consecutive_failures=row.consecutive_failures,
        )

    def save_sync_state(self, source: ChargerSource, state: SyncState) -> None:
        values: dict[str, Any] = {
            "charger_id": self._charger_id(source, state.charger_external_id),
            "synced_until": state.synced_until,
            "backfill_cursor": state.backfill_cursor,
            "backfill_complete": state.backfill_complete,
            "sessions_found": state.sessions_found,
            "empty_windows": state.empty_windows,
            "last_success_at": state.last_success_at,
            "last_error": state.last_error,
            "last_error_at": state.last_error_at,
            "consecutive_failures": state.consecutive_failures,
            "updated_at": self._clock.now(),
        }
        self._session.execute(sync_state_upsert(self._dialect), values)

    def record_account_outcome(self, account_id: int, *, at: datetime, error: str | None) -> None:
        values: dict[str, Any] = {"last_sync_error": error}
        if error is None:
            values["last_synced_at"] = at
        brand_id = brand_account_id(account_id)
        table: type[BrandAccountRow | WallboxAccountRow] = (
            WallboxAccountRow if brand_id is None else BrandAccountRow
        )
        self._session.execute(
            update(table)
            .where(table.id == (account_id if brand_id is None else brand_id))
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    # -- samples --------------------------------------------------------------------------

    def add_samples(self, samples: Sequence[SessionSample]) -> int:
        emit_state_changes(self._session, self._clock, samples)
        return SampleRepository(self._session).add_many(samples)


def _start(entry: SessionEntry) -> datetime | None:
    return entry.session.started_at if entry.session else None
