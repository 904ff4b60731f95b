"""The domain events of ERE (webhooks and notifications follow them): built here, emitted
into the store's outbox (`EreStore.events`) inside the use case's own transaction."""

from __future__ import annotations

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere_book import PayoutStatus, StoredBatch, StoredStatement
from chargebook.domain.events import DomainEvent, EventKind


def mandate_signed(
    store: EreStore,
    *,
    customer_id: str,
    mandate_id: int,
    ean: str,
    first_year: int,
    last_year: int,
    signed_on: str,
) -> None:
    store.events.emit(
        DomainEvent(
            EventKind.MANDATE_SIGNED,
            int(customer_id),
            {
                "mandate_id": mandate_id,
                "ean": ean,
                "first_year": first_year,
                "last_year": last_year,
                "signed_on": signed_on,
            },
        )
    )


def batch_finalized(store: EreStore, batch: StoredBatch, manifest_sha256: str) -> None:
    """Operator-only: a batch holds many owners' sessions."""
    store.events.emit(
        DomainEvent(
            EventKind.BATCH_FINALIZED,
            None,
            {
                "batch_id": batch.id,
                "period": batch.period.label,
                "sessions": batch.session_count,
                "ere": str(batch.total_ere),
                "manifest_sha256": manifest_sha256,
            },
        )
    )


def _statement_data(statement: StoredStatement) -> dict[str, object]:
    return {
        "statement_id": statement.id,
        "period": statement.period.label,
        "ere": str(statement.ere),
        "payout_eur": str(statement.payout_eur),
    }


def statement_ready(store: EreStore, statement: StoredStatement) -> None:
    store.events.emit(
        DomainEvent(
            EventKind.STATEMENT_READY, int(statement.customer_id), _statement_data(statement)
        )
    )


def payout_paid(store: EreStore, statement: StoredStatement) -> None:
    data = {**_statement_data(statement), "reference": statement.payout_reference}
    store.events.emit(DomainEvent(EventKind.PAYOUT_PAID, int(statement.customer_id), data))


def run_paid(store: EreStore, run_id: int) -> None:
    """A payout-paid event for every statement the SEPA run paid."""
    for statement in store.statements.list(status=PayoutStatus.PAID):
        if statement.payout_run_id == run_id:
            payout_paid(store, statement)
