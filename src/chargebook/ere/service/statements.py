"""Customer statements per period from finalized batch lines, their payouts, and CSV output.

Statements use the operator's price per ERE stored for the period and the fee (default 20 %);
the money follows the core's one rounding rule (`chargebook.ere.calculate_payout`). Each batch
line is stated once: running this again only states lines of later (correcting) batches.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_book import PayoutStatus, StoredStatement
from chargebook.ere import DEFAULT_FEE_RATE, MissingPriceError, build_statements, check_fee_rate
from chargebook.ere.service import events
from chargebook.ere.service.batch_finalize import core_line
from chargebook.errors import ConflictError
from chargebook.spreadsheet_cells import SafeCsvWriter

STATEMENT_COLUMNS = (
    "statement_id",
    "customer_id",
    "customer_email",
    "period",
    "sequence",
    "eans",
    "energy_kwh",
    "ere",
    "is_estimate",
    "price_eur_per_ere",
    "fee_rate",
    "gross_eur",
    "fee_eur",
    "payout_eur",
    "payout_status",
    "paid_at",
    "payout_iban",  # masked: the full IBAN is only ever in the SEPA file
    "payout_holder",
    "months_kwh",
)


def generate_statements(
    store: EreStore, period: DeliveryPeriod, *, fee_rate: Decimal = DEFAULT_FEE_RATE
) -> list[StoredStatement]:
    """State every finalized, not yet stated batch line of `period`: one statement (and one
    pending payout) per customer.

    Returns:
        The statements created now (empty when everything was stated already).

    Raises:
        MissingPriceError: no price per ERE is set for the period.
        FeeRateError: the fee rate is not a fraction in [0, 1] (a ValueError).
    """
    check_fee_rate(fee_rate)  # refused even when there is nothing to state yet
    lines = store.statements.unstated_lines(period)
    if not lines:
        return []
    prices = store.statements.prices()
    if period not in prices:
        raise MissingPriceError(
            f"no price per ERE for {period.label}: set it with `chargebook ere price set "
            f"{period.label} PRICE`"
        )
    line_ids: dict[str, list[int]] = defaultdict(list)
    for line in lines:
        line_ids[line.customer_id].append(line.id)
    created: list[StoredStatement] = []
    for statement in build_statements(
        [core_line(line) for line in lines], {period: prices[period]}, fee_rate=fee_rate
    ):
        payout = statement.payout
        stored = store.statements.add_statement(
            customer_id=int(statement.customer_id),
            period=period,
            eans=statement.eans,
            energy_kwh=statement.energy_kwh,
            energy_kwh_by_month=statement.energy_kwh_by_month,
            ere=statement.ere,
            is_estimate=statement.is_estimate,
            price_eur_per_ere=payout.price_eur_per_ere,
            fee_rate=payout.fee_rate,
            gross_eur=payout.gross_eur,
            fee_eur=payout.fee_eur,
            payout_eur=payout.payout_eur,
            line_ids=line_ids[statement.customer_id],
        )
        store.audit.append(
            actor="ere",
            action="ere_statement.created",
            entity_type="ere_statement",
            entity_id=stored.id,
            payload={"period": period.label, "ere": str(stored.ere), "payout": str(payout)},
        )
        events.statement_ready(store, stored)
        created.append(stored)
    return created


class MissingPayoutDetailsError(ConflictError):
    """A payout cannot be paid: the owner has not entered where the money goes."""


def mark_paid(store: EreStore, statement_id: int, reference: str | None = None) -> StoredStatement:
    """Record a statement's payout as paid (a transfer made by hand, outside a SEPA run).

    Raises:
        NotFoundError: no such statement.
        MissingPayoutDetailsError: the owner has no payout details (no IBAN to pay to).
        ConflictError: it was paid already, or it is in an open SEPA run (mark the run paid).
    """
    current = store.statements.get(statement_id)
    if current.payout_status is PayoutStatus.PENDING:
        if current.payout_iban_masked is None:
            raise MissingPayoutDetailsError(
                f"statement {statement_id} cannot be marked paid: {current.customer_email} has "
                f"not entered payout details (IBAN and account holder) yet"
            )
        if current.payout_run_id is not None:
            raise ConflictError(
                f"statement {statement_id} is in SEPA payout run {current.payout_run_id}: "
                f"mark that run paid (or cancel it) instead"
            )
    stored = store.statements.mark_paid(statement_id, reference=reference)
    store.audit.append(
        actor="ere",
        action="ere_payout.paid",
        entity_type="ere_statement",
        entity_id=statement_id,
        payload={"payout_eur": str(stored.payout_eur), "reference": reference},
    )
    events.payout_paid(store, stored)
    return stored


def write_statements_csv(statements: list[StoredStatement], path: Path) -> Path:
    """One row per statement; `months_kwh` is `2026-01=12.5;2026-02=...` for reimbursement."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = SafeCsvWriter(handle)
        writer.writerow(STATEMENT_COLUMNS)
        for s in statements:
            writer.writerow(
                [
                    s.id,
                    s.customer_id,
                    s.customer_email,
                    s.period.label,
                    s.sequence,
                    " ".join(s.eans),
                    s.energy_kwh,
                    s.ere,
                    s.is_estimate,
                    s.price_eur_per_ere,
                    s.fee_rate,
                    s.gross_eur,
                    s.fee_eur,
                    s.payout_eur,
                    s.payout_status.value,
                    s.paid_at.isoformat() if s.paid_at else "",
                    s.payout_iban_masked or "",
                    s.payout_holder or "waiting for payout details",
                    ";".join(f"{month}={kwh}" for month, kwh in s.energy_kwh_by_month),
                ]
            )
    return path


def pending_total(statements: list[StoredStatement]) -> Decimal:
    """EUR still to pay over `statements`."""
    return sum(
        (s.payout_eur for s in statements if s.payout_status is PayoutStatus.PENDING), Decimal(0)
    )
