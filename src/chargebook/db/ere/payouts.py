"""Owners' payout accounts and SEPA payout runs; add and flush, never commit.

The IBAN arrives here already encrypted (the service holds the SecretBox) and leaves the same
way: these repositories never see a full IBAN in the clear. Claiming payouts for a run and
closing a run are conditional UPDATEs whose row counts are checked, so two operators (or a
double click) building or paying at once get a ConflictError instead of a double payment.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.ere.tables import (
    ErePayoutAccountRow,
    ErePayoutRow,
    ErePayoutRunItemRow,
    ErePayoutRunRow,
)
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_book import PayoutStatus, parse_period
from chargebook.domain.ere_payouts import PayoutAccount, PayoutRun, PayoutRunItem, PayoutRunStatus
from chargebook.errors import ConflictError, NotFoundError


def stored_payout_account_count(session: Session) -> int:
    """How many payout accounts hold an IBAN encrypted with the secret key."""
    return int(session.scalar(select(func.count()).select_from(ErePayoutAccountRow)) or 0)


class PayoutAccountRepository:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def save(
        self,
        *,
        user_id: int,
        iban_encrypted: str,
        iban_masked: str,
        holder: str,
        bic: str | None,
        actor: str,
    ) -> tuple[PayoutAccount, PayoutAccount | None]:
        """Set (or replace) a user's payout account; returns (new, previous or None)."""
        row = self._session.get(ErePayoutAccountRow, user_id)
        previous = None if row is None else _account(row)
        if row is None:
            row = ErePayoutAccountRow(user_id=user_id)
            self._session.add(row)
        row.iban_encrypted = iban_encrypted
        row.iban_masked = iban_masked
        row.holder = holder
        row.bic = bic
        row.updated_at = self._clock.now()
        row.updated_by = actor
        self._session.flush()
        return _account(row), previous

    def get(self, user_id: int) -> PayoutAccount | None:
        row = self._session.get(ErePayoutAccountRow, user_id)
        return None if row is None else _account(row)

    def for_users(self, user_ids: Iterable[int]) -> dict[int, PayoutAccount]:
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        rows = self._session.scalars(
            select(ErePayoutAccountRow).where(ErePayoutAccountRow.user_id.in_(ids))
        )
        return {row.user_id: _account(row) for row in rows}

    def encrypted_ibans(self, user_ids: Iterable[int]) -> dict[int, str]:
        """user id -> the IBAN as stored (encrypted), for the SEPA file only."""
        ids = sorted(set(user_ids))
        if not ids:
            return {}
        rows = self._session.execute(
            select(ErePayoutAccountRow.user_id, ErePayoutAccountRow.iban_encrypted).where(
                ErePayoutAccountRow.user_id.in_(ids)
            )
        )
        return {user_id: encrypted for user_id, encrypted in rows}


class PayoutRunRepository:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def add(
        self,
        *,
        period: DeliveryPeriod | None,
        message_id: str,
        file_sha256: str,
        file_encrypted: str,
        items: Sequence[PayoutRunItem],
        actor: str,
    ) -> PayoutRun:
        """Record an open run and claim its payouts (pending and in no open or paid run).

        Raises:
            ConflictError: a payout was paid or claimed by another run meanwhile.
        """
        row = ErePayoutRunRow(
            period=None if period is None else period.label,
            status=PayoutRunStatus.OPEN.value,
            message_id=message_id,
            payout_count=len(items),
            total_eur=sum((item.amount_eur for item in items), Decimal(0)),
            file_sha256=file_sha256,
            file_encrypted=file_encrypted,
            created_at=self._clock.now(),
            created_by=actor,
        )
        self._session.add(row)
        self._session.flush()
        ids = [item.statement_id for item in items]
        result = self._session.execute(
            update(ErePayoutRow)
            .where(
                ErePayoutRow.statement_id.in_(ids),
                ErePayoutRow.run_id.is_(None),
                ErePayoutRow.status == PayoutStatus.PENDING.value,
            )
            .values(run_id=row.id)
            .execution_options(synchronize_session=False)
        )
        claimed: int = result.rowcount  # type: ignore[attr-defined]
        if claimed != len(ids):
            raise ConflictError(
                "some of these payouts were paid or put in another payout run meanwhile; "
                "reload and build the file again"
            )
        for item in items:
            self._session.add(
                ErePayoutRunItemRow(
                    run_id=row.id,
                    statement_id=item.statement_id,
                    amount_eur=item.amount_eur,
                    end_to_end_id=item.end_to_end_id,
                    iban_masked=item.iban_masked,
                    holder=item.holder,
                )
            )
        self._session.flush()
        return self.get(row.id)

    def get(self, run_id: int) -> PayoutRun:
        """Raises: NotFoundError: no such run."""
        row = self._session.get(ErePayoutRunRow, run_id, populate_existing=True)
        if row is None:
            raise NotFoundError(f"no payout run with id {run_id}")
        items = self._session.scalars(
            select(ErePayoutRunItemRow)
            .where(ErePayoutRunItemRow.run_id == run_id)
            .order_by(ErePayoutRunItemRow.statement_id)
        )
        return _run(row, [_item(item) for item in items])

    def list(self) -> list[PayoutRun]:
        """Every run, newest first (with its items)."""
        ids = self._session.scalars(select(ErePayoutRunRow.id).order_by(ErePayoutRunRow.id.desc()))
        return [self.get(run_id) for run_id in ids]

    def encrypted_file(self, run_id: int) -> str:
        """Raises: NotFoundError: no such run."""
        encrypted = self._session.scalar(
            select(ErePayoutRunRow.file_encrypted).where(ErePayoutRunRow.id == run_id)
        )
        if encrypted is None:
            raise NotFoundError(f"no payout run with id {run_id}")
        return encrypted

    def close(
        self, run_id: int, *, paid: bool, actor: str, reference: str | None = None
    ) -> PayoutRun:
        """Mark an open run paid (its payouts paid with the reference) or cancelled (its
        payouts freed for a later run). The run's status changes once: a second call, even a
        concurrent one, finds it no longer open.

        Raises:
            NotFoundError: no such run.
            ConflictError: the run is paid or cancelled already.
        """
        current = self.get(run_id)
        now = self._clock.now()
        status = PayoutRunStatus.PAID if paid else PayoutRunStatus.CANCELLED
        result = self._session.execute(
            update(ErePayoutRunRow)
            .where(ErePayoutRunRow.id == run_id, ErePayoutRunRow.status == "open")
            .values(
                status=status.value,
                paid_at=now if paid else None,
                reference=reference,
                closed_by=actor,
            )
            .execution_options(synchronize_session=False)
        )
        changed: int = result.rowcount  # type: ignore[attr-defined]
        if changed != 1:
            raise ConflictError(f"payout run {run_id} is {current.status.value} already")
        payouts = update(ErePayoutRow).where(
            ErePayoutRow.run_id == run_id, ErePayoutRow.status == PayoutStatus.PENDING.value
        )
        if paid:
            payouts = payouts.values(
                status=PayoutStatus.PAID.value, paid_at=now, reference=reference
            )
        else:
            payouts = payouts.values(run_id=None)
        self._session.execute(payouts.execution_options(synchronize_session=False))
        self._session.flush()
        return self.get(run_id)


def _account(row: ErePayoutAccountRow) -> PayoutAccount:
    return PayoutAccount(
        user_id=row.user_id,
        iban_masked=row.iban_masked,
        holder=row.holder,
        bic=row.bic,
        updated_at=row.updated_at,
        updated_by=row.updated_by,
    )


def _item(row: ErePayoutRunItemRow) -> PayoutRunItem:
    return PayoutRunItem(
        statement_id=row.statement_id,
        amount_eur=row.amount_eur,
        end_to_end_id=row.end_to_end_id,
        iban_masked=row.iban_masked,
        holder=row.holder,
    )


def _run(row: ErePayoutRunRow, items: list[PayoutRunItem]) -> PayoutRun:
    paid_at: datetime | None = row.paid_at
    return PayoutRun(
        id=row.id,
        period=None if row.period is None else parse_period(row.period),
        status=PayoutRunStatus(row.status),
        message_id=row.message_id,
        payout_count=row.payout_count,
        total_eur=row.total_eur,
        file_sha256=row.file_sha256,
        created_at=row.created_at,
        created_by=row.created_by,
        paid_at=paid_at,
        reference=row.reference,
        items=tuple(items),
    )
