"""The book's tables (chargers, charging sessions, samples, sync cursors) as SQLAlchemy 2.0
typed ORM classes; these never leave `chargebook.db`. Other features' tables refer to these
(foreign keys to sessions and chargers), never the other way; `chargebook.db.schema` gathers
every feature's tables for the migrations.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from chargebook.db.core.base import Base, EnergyKwh, Money
from chargebook.db.core.types import UTCDateTime

# Every ChargerSource value (issue 19 added the brands beside the Wallbox: migration 0018).
SOURCE_VALUES = ("wallbox_cloud", "ocpp", "easee_cloud", "zaptec_cloud", "peblar_local")
SOURCE_CHECK = "source IN ({})".format(", ".join(f"'{value}'" for value in SOURCE_VALUES))


class ChargerRow(Base):
    __tablename__ = "chargers"
    __table_args__ = (
        # One row per ownership period (migration 0011): unique among the current rows only.
        Index(
            "uq_chargers_current_source_external_id",
            "source",
            "external_id",
            unique=True,
            sqlite_where=text("owner_until IS NULL"),
            postgresql_where=text("owner_until IS NULL"),
        ),
        CheckConstraint(SOURCE_CHECK, name="source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("wallbox_accounts.id", ondelete="SET NULL"), index=True
    )
    # A brand charger's account (issue 19); `account_id` stays the myWallbox account's.
    brand_account_id: Mapped[int | None] = mapped_column(
        ForeignKey("brand_accounts.id", ondelete="SET NULL"), index=True
    )
    owner_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    group_name: Mapped[str | None] = mapped_column(String(200))
    serial_number: Mapped[str | None] = mapped_column(String(100))
    part_number: Mapped[str | None] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(100))
    firmware_version: Mapped[str | None] = mapped_column(String(50))
    time_zone: Mapped[str | None] = mapped_column(String(64))
    max_current_a: Mapped[int | None] = mapped_column(Integer)
    mid_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    mid_serial_number: Mapped[str | None] = mapped_column(String(100))
    mid_status: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # OCPP security profile 1: argon2 hash of the Basic-auth secret (never the secret itself).
    ocpp_secret_hash: Mapped[str | None] = mapped_column(String(255))
    ocpp_allow_empty_password: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # The lowest OCPP security profile (0-3) this charger may connect with; raised when it
    # connects higher (trust on upgrade), lowered only by the operator (`security_profiles`).
    ocpp_min_security_profile: Mapped[int] = mapped_column(
        Integer, default=0, server_default=text("0")
    )
    metering_verdict: Mapped[str | None] = mapped_column(String(20))  # ere.MeteringVerdict
    # The end of this row's ownership period (a transfer); NULL: the charger's current owner.
    owner_until: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ChargingSessionRow(Base):
    __tablename__ = "charging_sessions"
    __table_args__ = (
        UniqueConstraint("source", "external_id"),
        CheckConstraint("state IN ('ok', 'quarantined')", name="state"),
        CheckConstraint(SOURCE_CHECK, name="source"),
        # An ok session is complete and sane; anything else must be quarantined with a reason.
        CheckConstraint(
            "state = 'quarantined' OR (started_at IS NOT NULL AND ended_at IS NOT NULL "
            "AND energy_kwh IS NOT NULL AND ended_at >= started_at)",
            name="ok_is_complete",
        ),
        CheckConstraint(
            "state = 'ok' OR quarantine_reason IS NOT NULL", name="quarantine_has_reason"
        ),
        Index("ix_charging_sessions_charger_id_started_at", "charger_id", "started_at"),
        # The quarantined only (nearly every session is ok); see migration 0010.
        Index(
            "ix_charging_sessions_quarantined",
            "started_at",
            "id",
            sqlite_where=text("state = 'quarantined'"),
            postgresql_where=text("state = 'quarantined'"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id"))
    source: Mapped[str] = mapped_column(String(20))
    external_id: Mapped[str] = mapped_column(String(100))
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    energy_kwh: Mapped[Decimal | None] = mapped_column(EnergyKwh)
    mid_energy_kwh: Mapped[Decimal | None] = mapped_column(EnergyKwh)
    discharged_energy_kwh: Mapped[Decimal | None] = mapped_column(EnergyKwh)
    meter_start_wh: Mapped[int | None] = mapped_column(BigInteger)
    meter_stop_wh: Mapped[int | None] = mapped_column(BigInteger)
    cost: Mapped[Decimal | None] = mapped_column(Money)
    currency: Mapped[str | None] = mapped_column(String(3))
    raw_payload: Mapped[str] = mapped_column(Text)  # canonical JSON (db.canonical)
    raw_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(20))
    quarantine_reason: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SessionSampleRow(Base):
    __tablename__ = "session_samples"
    # The unique constraint doubles as the index for "samples of a charger in [start, end)".
    __table_args__ = (UniqueConstraint("charger_id", "observed_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id"))
    observed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    power_kw: Mapped[float] = mapped_column(Float)
    session_energy_kwh: Mapped[float] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(40))  # ChargerState value
    status_code: Mapped[int | None] = mapped_column(Integer)
    extra: Mapped[str | None] = mapped_column(Text)  # canonical JSON, if any
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("charging_sessions.id", ondelete="SET NULL"), index=True
    )


class SyncStateRow(Base):
    """The durable sync cursor of one charger (written by the sync engine's store)."""

    __tablename__ = "sync_state"

    charger_id: Mapped[int] = mapped_column(
        ForeignKey("chargers.id", ondelete="CASCADE"), primary_key=True
    )
    synced_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    backfill_cursor: Mapped[datetime | None] = mapped_column(UTCDateTime())
    backfill_complete: Mapped[bool] = mapped_column(Boolean, default=False)
    sessions_found: Mapped[int] = mapped_column(Integer, default=0)
    empty_windows: Mapped[int] = mapped_column(Integer, default=0)
    newest_session_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_error: Mapped[str | None] = mapped_column(Text)
    last_error_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# Keyset pagination over everyone's sessions (operator) walks (started_at, id) in index order;
# an owner's sessions use the existing (charger_id, started_at) index per charger.
Index("ix_charging_sessions_started_at_id", ChargingSessionRow.started_at, ChargingSessionRow.id)
