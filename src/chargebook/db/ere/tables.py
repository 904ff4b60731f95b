"""Tables of the ERE book: connections, mandates, metering, meter readings, prices, batches,
statements and payouts (imported by `db/tables.py`, so `Base.metadata` stays the whole schema).

Guarantees the database itself enforces (migration 0003_ere):
- every charging session is registered in at most one batch, ever: `ere_batch_sessions` has the
  session id as its PRIMARY KEY. A separate table (rather than a nullable unique column on
  `charging_sessions`) leaves the sync engine's table alone, carries the quantity and the raw
  evidence hash as they were when the session was registered, and makes "registered" a row
  that a trigger can protect;
- one mandate, hence one service provider, per EAN per calendar year (`ere_mandate_years`
  has (ean, year) as its primary key);
- a finalized batch, its lines and its sessions can no longer be changed or removed
  (triggers);
- at most one open-ended metering construct per charger (a partial unique index).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from chargebook.db.core.base import Base, EnergyKwh, Money
from chargebook.db.core.dialect_ddl import only_on
from chargebook.db.core.types import ExactDecimal, UTCDateTime

EreAmount = ExactDecimal(15, 3)  # EREs are rounded to 0.1; three places leave room
PricePerEre = ExactDecimal(12, 6)
FeeRate = ExactDecimal(6, 4)
METERING_KINDS = "('integrated_mid', 'sap', 'dedicated_connection', 'none')"
CUSTOMER_KINDS = "('private', 'business')"


class EreConnectionRow(Base):
    """A grid connection; the customer (a user) is its connected party (aangeslotene)."""

    __tablename__ = "ere_connections"
    __table_args__ = (
        CheckConstraint("length(ean) = 18", name="ean_length"),
        CheckConstraint(f"customer_kind IN {CUSTOMER_KINDS}", name="customer_kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ean: Mapped[str] = mapped_column(String(18), unique=True)
    customer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    connected_party_name: Mapped[str] = mapped_column(String(200))
    street: Mapped[str] = mapped_column(String(200))
    house_number: Mapped[str] = mapped_column(String(20))
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    country_code: Mapped[str] = mapped_column(String(2))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Private or business (`domain.ere.CustomerKind`): for a private customer only a MID meter
    # built into the charger counts (ere-rules §3.4).
    customer_kind: Mapped[str] = mapped_column(String(10), server_default="private")


class EreChargerLinkRow(Base):
    """Which connection a charger is installed behind (one per charger)."""

    __tablename__ = "ere_charger_links"

    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id"), primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("ere_connections.id"), index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EreMeteringConstructRow(Base):
    """A charger's metering construct, valid in [valid_from, valid_until)."""

    __tablename__ = "ere_metering_constructs"
    __table_args__ = (
        CheckConstraint(f"kind IN {METERING_KINDS}", name="kind"),
        CheckConstraint("valid_until IS NULL OR valid_until > valid_from", name="validity"),
        CheckConstraint(
            "kind <> 'sap' OR (sap_ean IS NOT NULL AND mid_serial IS NOT NULL)", name="sap_ids"
        ),
        CheckConstraint("kind <> 'integrated_mid' OR mid_serial IS NOT NULL", name="mid_serial"),
        UniqueConstraint("charger_id", "valid_from"),
        Index(
            "uq_ere_metering_constructs_open",
            "charger_id",
            unique=True,
            sqlite_where=text("valid_until IS NULL"),
            postgresql_where=text("valid_until IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id"))
    kind: Mapped[str] = mapped_column(String(30))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    mid_serial: Mapped[str | None] = mapped_column(String(100))
    sap_ean: Mapped[str | None] = mapped_column(String(18))
    explanation: Mapped[str] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(50))  # "detection" or "operator"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Detection found a MID meter that was there all along: the construct counts from the
    # charger's first MID-metered session, resolved when the rules run (`valid_from` is only
    # the latest such start; the earliest wins), so the answer is the same whether detection
    # ran before or after the backfill brought the older sessions.
    from_first_mid_session: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # The operator's (or owner's) evidence for the date: a reference and/or a stored file.
    evidence_reference: Mapped[str | None] = mapped_column(Text)
    evidence_file_name: Mapped[str | None] = mapped_column(String(200))
    evidence_file_sha256: Mapped[str | None] = mapped_column(String(64))


class EreFollowUpRow(Base):
    """Work for the operator on a charger that needs a metering upgrade."""

    __tablename__ = "ere_follow_ups"
    __table_args__ = (
        CheckConstraint("kind IN ('upgrade_quote', 'sap_guidance')", name="kind"),
        CheckConstraint("status IN ('open', 'in_progress', 'done')", name="status"),
        UniqueConstraint("charger_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id"))
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    explanation: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EreMandateRow(Base):
    """A signed mandate (machtiging) for one EAN and whole calendar years."""

    __tablename__ = "ere_mandates"
    __table_args__ = (CheckConstraint("last_year >= first_year", name="years"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("ere_connections.id"), index=True)
    customer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    ean: Mapped[str] = mapped_column(String(18))
    service_provider_id: Mapped[str] = mapped_column(String(100))
    first_year: Mapped[int] = mapped_column(Integer)
    last_year: Mapped[int] = mapped_column(Integer)
    consent_grid_operator_data: Mapped[bool] = mapped_column(Boolean)
    consent_verifier_visit: Mapped[bool] = mapped_column(Boolean)
    signed_by_name: Mapped[str] = mapped_column(String(200))
    signed_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EreMandateYearRow(Base):
    """One row per EAN and year a mandate covers: the key allows one provider per EAN-year."""

    __tablename__ = "ere_mandate_years"

    ean: Mapped[str] = mapped_column(String(18), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("ere_mandates.id"), index=True)
    service_provider_id: Mapped[str] = mapped_column(String(100))


class EreMeterReadingRow(Base):
    """A register reading of a SAP or dedicated-connection meter (imported from CSV)."""

    __tablename__ = "ere_meter_readings"
    __table_args__ = (UniqueConstraint("ean", "read_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ean: Mapped[str] = mapped_column(String(18))
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())
    register_kwh: Mapped[Decimal] = mapped_column(EnergyKwh)
    source_sha256: Mapped[str] = mapped_column(String(64))  # the imported file's hash
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ErePriceRow(Base):
    """The operator's price per ERE for a period ("2026-Q1" or "2026")."""

    __tablename__ = "ere_prices"

    period: Mapped[str] = mapped_column(String(10), primary_key=True)
    price_eur_per_ere: Mapped[Decimal] = mapped_column(PricePerEre)
    set_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EreBatchRow(Base):
    """A registration batch for one period; immutable once finalized (triggers)."""

    __tablename__ = "ere_batches"
    __table_args__ = (
        CheckConstraint("period_kind IN ('quarter', 'year')", name="period_kind"),
        CheckConstraint("status IN ('draft', 'finalized')", name="status"),
        CheckConstraint(
            "status = 'draft' OR (finalized_at IS NOT NULL AND manifest_sha256 IS NOT NULL)",
            name="finalized_complete",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period_kind: Mapped[str] = mapped_column(String(10))
    period: Mapped[str] = mapped_column(String(10), index=True)
    status: Mapped[str] = mapped_column(String(10))
    parameter_version: Mapped[str] = mapped_column(String(50))
    corrects_batch_id: Mapped[int | None] = mapped_column(ForeignKey("ere_batches.id"))
    total_energy_kwh: Mapped[Decimal] = mapped_column(EnergyKwh)
    total_ere: Mapped[Decimal] = mapped_column(EreAmount)
    session_count: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    manifest_sha256: Mapped[str | None] = mapped_column(String(64))


class EreBatchLineRow(Base):
    """One registration line: customer x booking EAN x period."""

    __tablename__ = "ere_batch_lines"
    __table_args__ = (
        UniqueConstraint("batch_id", "customer_user_id", "ean", "period"),
        # The target of the sessions' (line_id, batch_id) foreign key (migration 0008).
        Index("uq_ere_batch_lines_id_batch_id", "id", "batch_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("ere_batches.id"))
    customer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    ean: Mapped[str] = mapped_column(String(18))
    period: Mapped[str] = mapped_column(String(10))
    delivery_start: Mapped[datetime] = mapped_column(UTCDateTime())
    delivery_end: Mapped[datetime] = mapped_column(UTCDateTime())
    metering_kind: Mapped[str] = mapped_column(String(30))
    energy_kwh: Mapped[Decimal] = mapped_column(EnergyKwh)
    sessions_energy_kwh: Mapped[Decimal] = mapped_column(EnergyKwh)
    energy_kwh_by_month: Mapped[str] = mapped_column(Text)  # JSON {"2026-01": "12.5", ...}
    session_count: Mapped[int] = mapped_column(Integer)
    mandate_id: Mapped[int] = mapped_column(ForeignKey("ere_mandates.id"))
    ere_exact: Mapped[str] = mapped_column(String(60))  # the exact Decimal, as text
    ere: Mapped[Decimal] = mapped_column(EreAmount)
    is_estimate: Mapped[bool] = mapped_column(Boolean)
    reconciliation: Mapped[str | None] = mapped_column(Text)  # JSON for SAP/connection lines


class EreBatchSessionRow(Base):
    """A session registered in a batch; the primary key makes it once, ever.

    Its keys: the session, and (line_id, batch_id) -> the line (the line belongs to the batch,
    and the batch exists because the line's does). Declared foreign keys on SQLite; on
    PostgreSQL statement-level triggers check them (migration 0009), raising the same errors.
    One index by batch: every reader by batch reads whole batches."""

    __tablename__ = "ere_batch_sessions"
    __table_args__ = (
        only_on(
            "sqlite",
            ForeignKeyConstraint(
                ["line_id", "batch_id"],
                ["ere_batch_lines.id", "ere_batch_lines.batch_id"],
                name="fk_ere_batch_sessions_line_id_ere_batch_lines",
            ),
        ),
        only_on(
            "sqlite",
            ForeignKeyConstraint(
                ["session_id"],
                ["charging_sessions.id"],
                name="fk_ere_batch_sessions_session_id_charging_sessions",
            ),
        ),
        Index("ix_ere_batch_sessions_batch_id", "batch_id"),
    )

    session_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    batch_id: Mapped[int] = mapped_column(Integer)
    line_id: Mapped[int] = mapped_column(Integer)
    energy_kwh: Mapped[Decimal] = mapped_column(EnergyKwh)  # net kWh as registered
    raw_sha256: Mapped[str] = mapped_column(String(64))  # the evidence as registered


class EreStatementRow(Base):
    """A customer's statement for one period; `sequence` > 1 for later corrections."""

    __tablename__ = "ere_statements"
    __table_args__ = (UniqueConstraint("customer_user_id", "period", "sequence"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    customer_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    period: Mapped[str] = mapped_column(String(10), index=True)
    sequence: Mapped[int] = mapped_column(Integer)
    eans: Mapped[str] = mapped_column(Text)  # JSON list
    energy_kwh: Mapped[Decimal] = mapped_column(EnergyKwh)
    energy_kwh_by_month: Mapped[str] = mapped_column(Text)  # JSON
    ere: Mapped[Decimal] = mapped_column(EreAmount)
    is_estimate: Mapped[bool] = mapped_column(Boolean)
    price_eur_per_ere: Mapped[Decimal] = mapped_column(PricePerEre)
    fee_rate: Mapped[Decimal] = mapped_column(FeeRate)
    gross_eur: Mapped[Decimal] = mapped_column(Money)
    fee_eur: Mapped[Decimal] = mapped_column(Money)
    payout_eur: Mapped[Decimal] = mapped_column(Money)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class EreStatementLineRow(Base):
    """Which batch lines a statement pays; a line is paid by one statement only."""

    __tablename__ = "ere_statement_lines"

    line_id: Mapped[int] = mapped_column(ForeignKey("ere_batch_lines.id"), primary_key=True)
    statement_id: Mapped[int] = mapped_column(ForeignKey("ere_statements.id"), index=True)


class ErePayoutRow(Base):
    """The payout of one statement: pending, then paid."""

    __tablename__ = "ere_payouts"
    __table_args__ = (
        CheckConstraint("status IN ('pending', 'paid')", name="status"),
        CheckConstraint("status = 'pending' OR paid_at IS NOT NULL", name="paid_has_date"),
    )

    statement_id: Mapped[int] = mapped_column(ForeignKey("ere_statements.id"), primary_key=True)
    amount_eur: Mapped[Decimal] = mapped_column(Money)
    status: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reference: Mapped[str | None] = mapped_column(String(100))
    # The open (or the paid) SEPA run holding this payout: one column, so never two open runs.
    run_id: Mapped[int | None] = mapped_column(ForeignKey("ere_payout_runs.id"), index=True)


class ErePayoutAccountRow(Base):
    """An owner's bank account for payouts: the IBAN encrypted with the SecretBox (the masked
    form beside it for pages and exports), the holder and the BIC schwifty derived."""

    __tablename__ = "ere_payout_accounts"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    iban_encrypted: Mapped[str] = mapped_column(Text)
    iban_masked: Mapped[str] = mapped_column(String(50))
    holder: Mapped[str] = mapped_column(String(70))
    bic: Mapped[str | None] = mapped_column(String(11))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(320))


class ErePayoutRunRow(Base):
    """A SEPA credit transfer file (pain.001) for some pending payouts; the file is kept
    encrypted (it holds full IBANs) so a second download is the same bytes (same message id)."""

    __tablename__ = "ere_payout_runs"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'paid', 'cancelled')", name="status"),
        CheckConstraint("status <> 'paid' OR paid_at IS NOT NULL", name="paid_has_date"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    period: Mapped[str | None] = mapped_column(String(10))  # None: every pending payout
    status: Mapped[str] = mapped_column(String(10))
    message_id: Mapped[str] = mapped_column(String(35))
    payout_count: Mapped[int] = mapped_column(Integer)
    total_eur: Mapped[Decimal] = mapped_column(Money)
    file_sha256: Mapped[str] = mapped_column(String(64))
    file_encrypted: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by: Mapped[str] = mapped_column(String(320))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reference: Mapped[str | None] = mapped_column(String(100))
    closed_by: Mapped[str | None] = mapped_column(String(320))


class ErePayoutRunItemRow(Base):
    """The payouts a run's file holds (kept after the run is paid or cancelled)."""

    __tablename__ = "ere_payout_run_items"

    run_id: Mapped[int] = mapped_column(ForeignKey("ere_payout_runs.id"), primary_key=True)
    statement_id: Mapped[int] = mapped_column(
        ForeignKey("ere_payouts.statement_id"), primary_key=True
    )
    amount_eur: Mapped[Decimal] = mapped_column(Money)
    end_to_end_id: Mapped[str] = mapped_column(String(35))
    iban_masked: Mapped[str] = mapped_column(String(50))
    holder: Mapped[str] = mapped_column(String(70))
