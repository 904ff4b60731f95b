"""Prices per ERE per period, customer statements and their payouts (pending -> paid).

Each finalized batch line is paid by exactly one statement (`ere_statement_lines` is keyed by
the line), so re-running statements for a period only states what is new (a correcting
batch gives the customer a second statement for the period, `sequence` 2).
"""

from __future__ import annotations

import builtins
import json
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.accounts.tables import UserRow
from chargebook.db.core.writes import dialect_insert
from chargebook.db.ere.batches import to_stored_line
from chargebook.db.ere.tables import (
    EreBatchLineRow,
    EreBatchRow,
    EreMandateRow,
    ErePayoutAccountRow,
    ErePayoutRow,
    ErePayoutRunItemRow,
    ErePriceRow,
    EreStatementLineRow,
    EreStatementRow,
)
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_book import (
    BatchStatus,
    PayoutStatus,
    StoredBatchLine,
    StoredStatement,
    parse_period,
)
from chargebook.errors import ConflictError, NotFoundError


class StatementRepository:
    """Reads and writes prices, statements and payouts; adds and flushes, never commits."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def set_price(self, period: DeliveryPeriod, price_eur_per_ere: Decimal) -> None:
        """Set (or replace) the operator's price per ERE for a period.

        Raises:
            ValueError: a negative price.
        """
        if price_eur_per_ere < 0:
            raise ValueError("a price per ERE cannot be negative")
        statement = dialect_insert(self._session)(ErePriceRow).values(
            period=period.label, price_eur_per_ere=price_eur_per_ere, set_at=self._clock.now()
        )
        statement = statement.on_conflict_do_update(
            index_elements=["period"],
            set_={
                "price_eur_per_ere": statement.excluded.price_eur_per_ere,
                "set_at": statement.excluded.set_at,
            },
        )
        self._session.execute(statement)

    def prices(self) -> dict[DeliveryPeriod, Decimal]:
        rows = self._session.execute(select(ErePriceRow.period, ErePriceRow.price_eur_per_ere))
        return {parse_period(period): price for period, price in rows}

    def unstated_lines(self, period: DeliveryPeriod) -> list[StoredBatchLine]:
        """Lines of finalized batches for `period` that no statement pays yet."""
        line = EreBatchLineRow
        query = (
            select(line, EreMandateRow)
            .join(EreBatchRow, EreBatchRow.id == line.batch_id)
            .join(EreMandateRow, EreMandateRow.id == line.mandate_id)
            .outerjoin(EreStatementLineRow, EreStatementLineRow.line_id == line.id)
            .where(
                line.period == period.label,
                EreBatchRow.status == BatchStatus.FINALIZED.value,
                EreStatementLineRow.line_id.is_(None),
            )
            .order_by(line.customer_user_id, line.id)
        )
        return [to_stored_line(row, mandate) for row, mandate in self._session.execute(query)]

    def add_statement(
        self,
        *,
        customer_id: int,
        period: DeliveryPeriod,
        eans: Sequence[str],
        energy_kwh: Decimal,
        energy_kwh_by_month: Sequence[tuple[str, Decimal]],
        ere: Decimal,
        is_estimate: bool,
        price_eur_per_ere: Decimal,
        fee_rate: Decimal,
        gross_eur: Decimal,
        fee_eur: Decimal,
        payout_eur: Decimal,
        line_ids: Sequence[int],
    ) -> StoredStatement:
        """Add a statement paying `line_ids`, and its pending payout.

        Raises:
            ConflictError: a line is already paid by another statement.
        """
        sequence = (
            self._session.scalar(
                select(func.max(EreStatementRow.sequence)).where(
                    EreStatementRow.customer_user_id == customer_id,
                    EreStatementRow.period == period.label,
                )
            )
            or 0
        ) + 1
        now = self._clock.now()
        row = EreStatementRow(
            customer_user_id=customer_id,
            period=period.label,
            sequence=sequence,
            eans=json.dumps(list(eans)),
            energy_kwh=energy_kwh,
            energy_kwh_by_month=json.dumps({month: str(kwh) for month, kwh in energy_kwh_by_month}),
            ere=ere,
            is_estimate=is_estimate,
            price_eur_per_ere=price_eur_per_ere,
            fee_rate=fee_rate,
            gross_eur=gross_eur,
            fee_eur=fee_eur,
            payout_eur=payout_eur,
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        for line_id in line_ids:
            if self._session.get(EreStatementLineRow, line_id) is not None:
                raise ConflictError(f"batch line {line_id} is already on a statement")
            self._session.add(EreStatementLineRow(line_id=line_id, statement_id=row.id))
        self._session.add(
            ErePayoutRow(
                statement_id=row.id,
                amount_eur=payout_eur,
                status=PayoutStatus.PENDING.value,
                created_at=now,
            )
        )
        self._session.flush()
        return self.get(row.id)

    def get(self, statement_id: int) -> StoredStatement:
        """Raises: NotFoundError: no such statement."""
        found = self.list(statement_id=statement_id)
        if not found:
            raise NotFoundError(f"no statement with id {statement_id}")
        return found[0]

    def list(
        self,
        *,
        period: DeliveryPeriod | None = None,
        customer_id: int | None = None,
        status: PayoutStatus | None = None,
        statement_id: int | None = None,
    ) -> builtins.list[StoredStatement]:
        """Statements with their payout, by period, customer and sequence; where the money
        goes is the account a SEPA run paid it to, else the customer's current account."""
        item, account = ErePayoutRunItemRow, ErePayoutAccountRow
        query = (
            select(
                EreStatementRow,
                ErePayoutRow,
                UserRow.email,
                func.coalesce(item.iban_masked, account.iban_masked),
                func.coalesce(item.holder, account.holder),
            )
            .join(ErePayoutRow, ErePayoutRow.statement_id == EreStatementRow.id)
            .join(UserRow, UserRow.id == EreStatementRow.customer_user_id)
            .outerjoin(
                item,
                (item.run_id == ErePayoutRow.run_id) & (item.statement_id == EreStatementRow.id),
            )
            .outerjoin(account, account.user_id == EreStatementRow.customer_user_id)
            .order_by(
                EreStatementRow.period,
                EreStatementRow.customer_user_id,
                EreStatementRow.sequence,
            )
        )
        if period is not None:
            query = query.where(EreStatementRow.period == period.label)
        if customer_id is not None:
            query = query.where(EreStatementRow.customer_user_id == customer_id)
        if status is not None:
            query = query.where(ErePayoutRow.status == status.value)
        if statement_id is not None:
            query = query.where(EreStatementRow.id == statement_id)
        return [
            _statement(row, payout, email, masked, holder)
            for row, payout, email, masked, holder in self._session.execute(
                query.execution_options(populate_existing=True)
            )
        ]

    def mark_paid(self, statement_id: int, *, reference: str | None = None) -> StoredStatement:
        """Record that a statement's payout was paid now.

        Raises:
            NotFoundError: no such statement.
            ConflictError: it was paid already.
        """
        payout = self._session.get(ErePayoutRow, statement_id)
        if payout is None:
            raise NotFoundError(f"no statement with id {statement_id}")
        if payout.status == PayoutStatus.PAID.value:
            raise ConflictError(f"statement {statement_id} was paid already")
        payout.status = PayoutStatus.PAID.value
        payout.paid_at = self._clock.now()
        payout.reference = reference
        self._session.flush()
        return self.get(statement_id)


def _statement(
    row: EreStatementRow,
    payout: ErePayoutRow,
    email: str,
    iban_masked: str | None,
    holder: str | None,
) -> StoredStatement:
    months: dict[str, str] = json.loads(row.energy_kwh_by_month)
    return StoredStatement(
        id=row.id,
        customer_id=str(row.customer_user_id),
        customer_email=email,
        period=parse_period(row.period),
        sequence=row.sequence,
        eans=tuple(json.loads(row.eans)),
        energy_kwh=row.energy_kwh,
        energy_kwh_by_month=tuple((m, Decimal(kwh)) for m, kwh in sorted(months.items())),
        ere=row.ere,
        is_estimate=row.is_estimate,
        price_eur_per_ere=row.price_eur_per_ere,
        fee_rate=row.fee_rate,
        gross_eur=row.gross_eur,
        fee_eur=row.fee_eur,
        payout_eur=row.payout_eur,
        created_at=row.created_at,
        payout_status=PayoutStatus(payout.status),
        paid_at=payout.paid_at,
        payout_reference=payout.reference,
        payout_iban_masked=iban_masked,
        payout_holder=holder,
        payout_run_id=payout.run_id,
    )
