"""The ERE book as read back: connections, constructs, follow-ups, mandates, batches,
statements and payouts with their book ids. Energy, EREs and money are Decimal; datetimes UTC.

Customer ids are user ids rendered as strings (the pure core keys customers by `str`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from chargebook.domain.ere import (
    DeliveryPeriod,
    GridConnection,
    Mandate,
    MeteringConstruct,
    MeteringKind,
    PeriodKind,
)


class FollowUpStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class BatchStatus(StrEnum):
    DRAFT = "draft"
    FINALIZED = "finalized"


class PayoutStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"


FIRST_PERIOD_YEAR, LAST_PERIOD_YEAR = 2000, 2099


def parse_period(label: str) -> DeliveryPeriod:
    """`2026` or `2026-Q3` (any case) as a DeliveryPeriod.

    Raises:
        ValueError: anything else.
    """
    text = label.strip().upper()
    year_text, _, quarter_text = text.partition("-Q")
    # ASCII digits only (str.isdigit() takes "²"), and years whose dates and next quarter
    # exist: 0000 and 9999-Q4 made date arithmetic fail further in.
    if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4):
        raise ValueError(f"{label!r} is not a period: use 2026 or 2026-Q1")
    if not FIRST_PERIOD_YEAR <= int(year_text) <= LAST_PERIOD_YEAR:
        raise ValueError(f"{label!r}: the year must be {FIRST_PERIOD_YEAR}..{LAST_PERIOD_YEAR}")
    if not quarter_text:
        if "-" in text:
            raise ValueError(f"{label!r} is not a period: use 2026 or 2026-Q1")
        return DeliveryPeriod(int(year_text))
    if quarter_text not in ("1", "2", "3", "4"):
        raise ValueError(f"{label!r}: the quarter must be Q1..Q4")
    return DeliveryPeriod(int(year_text), int(quarter_text))


def period_kind_of(period: DeliveryPeriod) -> PeriodKind:
    return PeriodKind.YEAR if period.quarter is None else PeriodKind.QUARTER


@dataclass(frozen=True, slots=True)
class StoredConnection:
    id: int
    connection: GridConnection
    customer_email: str
    charger_ids: tuple[int, ...]
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredConstruct:
    """A construct with its book ids; `construct.charger_external_id` is the charger's book id."""

    id: int
    charger_id: int
    construct: MeteringConstruct
    explanation: str
    recorded_by: str
    created_at: datetime
    evidence_reference: str | None = None
    evidence_file_name: str | None = None
    evidence_file_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class StoredFollowUp:
    id: int
    charger_id: int
    kind: str  # chargebook.ere.FollowUp value
    status: FollowUpStatus
    explanation: str
    note: str | None
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class StoredMandate:
    """A mandate; `mandate.mandate_id` is the book id as a string."""

    id: int
    connection_id: int
    mandate: Mandate
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoredBatch:
    id: int
    period_kind: PeriodKind
    period: DeliveryPeriod
    status: BatchStatus
    parameter_version: str
    corrects_batch_id: int | None
    total_energy_kwh: Decimal
    total_ere: Decimal
    session_count: int
    line_count: int
    created_at: datetime
    finalized_at: datetime | None
    manifest_sha256: str | None


@dataclass(frozen=True, slots=True)
class StoredBatchLine:
    id: int
    batch_id: int
    customer_id: str
    ean: str
    period: DeliveryPeriod
    delivery_start: datetime
    delivery_end: datetime
    metering_kind: MeteringKind
    energy_kwh: Decimal
    sessions_energy_kwh: Decimal
    energy_kwh_by_month: tuple[tuple[str, Decimal], ...]
    session_count: int
    mandate_id: int
    mandate_signed_on: date
    mandate_first_year: int
    mandate_last_year: int
    ere_exact: Decimal
    ere: Decimal
    is_estimate: bool
    reconciliation: dict[str, str] | None


@dataclass(frozen=True, slots=True)
class RegisteredSession:
    """A session as registered in a batch (its evidence hash at registration time)."""

    session_id: int
    line_id: int
    source: str
    external_id: str
    charger_id: int
    started_at: datetime
    ended_at: datetime
    energy_kwh: Decimal  # net kWh booked
    raw_sha256: str

    @property
    def manifest_id(self) -> str:
        """The id used in manifests and exports: `source:external_id`."""
        return f"{self.source}:{self.external_id}"


@dataclass(frozen=True, slots=True)
class StoredStatement:
    id: int
    customer_id: str
    customer_email: str
    period: DeliveryPeriod
    sequence: int
    eans: tuple[str, ...]
    energy_kwh: Decimal
    energy_kwh_by_month: tuple[tuple[str, Decimal], ...]
    ere: Decimal
    is_estimate: bool
    price_eur_per_ere: Decimal
    fee_rate: Decimal
    gross_eur: Decimal
    fee_eur: Decimal
    payout_eur: Decimal
    created_at: datetime
    payout_status: PayoutStatus
    paid_at: datetime | None
    payout_reference: str | None
    # Where the money goes: the customer's payout account, masked (None: no details yet).
    payout_iban_masked: str | None = None
    payout_holder: str | None = None
    payout_run_id: int | None = None  # the SEPA run holding the payout (open or paid)
