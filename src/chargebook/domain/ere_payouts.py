"""Payout accounts and SEPA payout runs as read back from the book (no full IBAN here: the
IBAN stays encrypted in the book and is decrypted only to write the SEPA file)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from enum import StrEnum

from chargebook.domain.ere import DeliveryPeriod


class PayoutRunStatus(StrEnum):
    OPEN = "open"  # the file was built; the bank has not confirmed the transfer yet
    PAID = "paid"
    CANCELLED = "cancelled"  # the file was not sent (or the bank refused it): payouts freed


@dataclass(frozen=True, slots=True)
class PayoutAccount:
    """An owner's bank account for payouts, as pages, API answers and exports show it."""

    user_id: int
    iban_masked: str
    holder: str
    bic: str | None
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True, slots=True)
class PayoutRunItem:
    statement_id: int
    amount_eur: Decimal
    end_to_end_id: str
    iban_masked: str
    holder: str


@dataclass(frozen=True, slots=True)
class PayoutRun:
    id: int
    period: DeliveryPeriod | None  # None: every pending payout
    status: PayoutRunStatus
    message_id: str
    payout_count: int
    total_eur: Decimal
    file_sha256: str
    created_at: datetime
    created_by: str
    paid_at: datetime | None
    reference: str | None
    items: tuple[PayoutRunItem, ...]

    @property
    def file_name(self) -> str:
        label = self.period.label if self.period is not None else "all"
        return f"sepa-payouts-{label}-run-{self.id}.xml"
