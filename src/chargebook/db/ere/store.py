"""`EreStore`: the ERE book inside one transaction, for the services in `chargebook.ere.service`.

It bundles the repositories and the fast session paths so that services never see SQLAlchemy;
the caller opens the transaction (`with database.transaction() as session:`) and commits.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.accounts.audit import AuditLogRepository
from chargebook.db.accounts.users import UserRepository
from chargebook.db.book.chargers import ChargerRepository
from chargebook.db.book.sessions import SessionRepository
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.ere import eligibility as ere_eligibility
from chargebook.db.ere import staging as ere_staging
from chargebook.db.ere.batches import BatchRepository
from chargebook.db.ere.connections import ConnectionRepository, MandateRepository
from chargebook.db.ere.credits import CreditReads
from chargebook.db.ere.eligibility import VerdictGroup, VerdictQuery
from chargebook.db.ere.evidence_reads import LineSums, line_sums
from chargebook.db.ere.mandate_documents import MandateDocumentRepository
from chargebook.db.ere.metering import MeteringRepository
from chargebook.db.ere.parties import PartyVerificationRepository
from chargebook.db.ere.payouts import PayoutAccountRepository, PayoutRunRepository
from chargebook.db.ere.sessions import (
    EreSessionRow,
    exact_kwh_sum,
    insert_batch_sessions,
    lock_registrations,
    micro_kwh_to_decimal,
    stream_linked_sessions,
)
from chargebook.db.ere.statements import StatementRepository
from chargebook.db.hooks.outbox import SqlOutbox
from chargebook.db.ocpp.tables import OcppChargePointRow
from chargebook.domain.book import SessionState
from chargebook.errors import NotFoundError


class EreStore:
    """Repositories and bulk paths of the ERE book over one SQLAlchemy session."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self.clock = clock
        self.connections = ConnectionRepository(session, clock)
        self.mandates = MandateRepository(session, clock)
        self.mandate_documents = MandateDocumentRepository(session, clock)
        self.metering = MeteringRepository(session, clock)
        self.parties = PartyVerificationRepository(session, clock)
        self.batches = BatchRepository(session, clock)
        self.statements = StatementRepository(session, clock)
        self.payout_accounts = PayoutAccountRepository(session, clock)
        self.payout_runs = PayoutRunRepository(session, clock)
        self.chargers = ChargerRepository(session, clock)
        self.users = UserRepository(session, clock)
        self.audit = AuditLogRepository(session, clock)
        self.credits = CreditReads(session)  # grouped reads for owners' pages and exports
        # Domain events (webhooks, notifications), written in this same transaction.
        self.events = SqlOutbox(session, clock)

    def owner_energy_kwh(self, owner_user_id: int, *, start: datetime, end: datetime) -> Decimal:
        """kWh of the owner's plausible sessions in [start, end) (one summing query)."""
        totals = SessionRepository(self._session).totals(
            owner_user_id=owner_user_id, start=start, end=end, state=SessionState.OK
        )
        return totals.energy_kwh

    @property
    def dialect(self) -> str:
        return self._session.get_bind().dialect.name

    def stream_linked_sessions(
        self, *, ended_from: datetime, ended_until: datetime
    ) -> Iterator[EreSessionRow]:
        """See `chargebook.db.ere.sessions.stream_linked_sessions`."""
        return stream_linked_sessions(self._session, ended_from=ended_from, ended_until=ended_until)

    def insert_batch_sessions(self, rows: list[tuple[int, int, int, Decimal, str]]) -> None:
        """See `chargebook.db.ere.sessions.insert_batch_sessions`."""
        insert_batch_sessions(self._session, rows)

    def eligibility_summary(self, query: VerdictQuery) -> list[VerdictGroup]:
        """See `chargebook.db.ere.eligibility.summarize` (the rules in SQL, grouped)."""
        return ere_eligibility.summarize(self._session, query)

    def failing_examples(self, query: VerdictQuery, per_reason: int) -> dict[str, list[int]]:
        """See `chargebook.db.ere.eligibility.failing_examples`."""
        return ere_eligibility.failing_examples(self._session, query, per_reason)

    def verdict_rows(self, query: VerdictQuery) -> list[dict[str, Any]]:
        """See `chargebook.db.ere.eligibility.verdict_rows` (small periods only)."""
        return ere_eligibility.verdict_rows(self._session, query)

    def stage_verdicts(self, query: VerdictQuery) -> list[VerdictGroup]:
        """See `chargebook.db.ere.staging.stage_verdicts` (the rules once, into a temp table)."""
        return ere_staging.stage_verdicts(self._session, query)

    def drop_staged(self) -> None:
        """See `chargebook.db.ere.staging.drop_staged`."""
        ere_staging.drop_staged(self._session)

    def register_staged(self, batch_id: int) -> int:
        """See `chargebook.db.ere.staging.register_staged` (INSERT ... SELECT)."""
        return ere_staging.register_staged(self._session, batch_id)

    def constructs_are_disjoint(self) -> bool:
        """See `chargebook.db.ere.eligibility.constructs_are_disjoint`."""
        return ere_eligibility.constructs_are_disjoint(self._session)

    def lock_registrations(self) -> None:
        """See `chargebook.db.ere.sessions.lock_registrations`."""
        lock_registrations(self._session)

    def mid_session_counts(self) -> dict[int, tuple[int, int]]:
        """charger id -> (ok sessions, of which with MID energy > 0), counted by the database."""
        cs = ChargingSessionRow
        with_mid = func.sum(case((cs.mid_energy_kwh > 0, 1), else_=0))
        rows = self._session.execute(
            select(cs.charger_id, func.count(), with_mid)
            .where(cs.state == "ok")
            .group_by(cs.charger_id)
        )
        return {charger_id: (count, int(mid or 0)) for charger_id, count, mid in rows}

    def sessions_energy(
        self, charger_ids: list[int], *, ended_from: datetime, ended_until: datetime
    ) -> tuple[int, Decimal]:
        """(count, kWh) of the chargers' ok sessions ending in [ended_from, ended_until)."""
        if not charger_ids:
            return 0, Decimal(0)
        cs = ChargingSessionRow
        count, total = self._session.execute(
            select(func.count(), exact_kwh_sum(cs.energy_kwh)).where(
                cs.state == "ok",
                cs.charger_id.in_(charger_ids),
                cs.ended_at >= ended_from,
                cs.ended_at < ended_until,
            )
        ).one()
        return count, micro_kwh_to_decimal(total)

    def ocpp_boot_facts(self, charger_id: int) -> tuple[str | None, str | None] | None:
        """(meterType, meterSerialNumber) from an OCPP charger's BootNotification, if any."""
        row = self._session.get(OcppChargePointRow, charger_id)
        return None if row is None else (row.meter_type, row.meter_serial_number)

    def line_sums(self, batch_id: int) -> list[LineSums]:
        """See `chargebook.db.ere.evidence_reads.line_sums` (the materiality check's sums)."""
        return line_sums(self._session, batch_id)

    def raw_payload(self, session_id: int) -> tuple[str, str]:
        """(canonical JSON as stored, its SHA-256) of a session's raw evidence.

        Raises:
            NotFoundError: no such session.
        """
        row = self._session.execute(
            select(ChargingSessionRow.raw_payload, ChargingSessionRow.raw_sha256).where(
                ChargingSessionRow.id == session_id
            )
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no charging session with id {session_id}")
        return row[0], row[1]

    def raw_payload_object(self, session_id: int) -> dict[str, Any]:
        payload: dict[str, Any] = json.loads(self.raw_payload(session_id)[0])
        return payload
