"""Tables of the OCPP central system: charge point facts, durable transactions and their raw
frames. Imported by `chargebook.db.schema`, so `Base.metadata` stays the whole schema.

The transaction table's integer primary key IS the OCPP 1.6 `transactionId`: the database's own
counter, durable across restarts and unique across chargers. An OCPP 2.0.1 station names its
transactions itself (`ocpp_transaction_id`, a string); its rows get a row id all the same, and
the book's session of either version is "<charge point id>:<row id>".
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.sql.expression import false

from chargebook.db.core.base import Base
from chargebook.db.core.types import UTCDateTime


class OcppChargePointRow(Base):
    """What the charge point last said about itself (BootNotification, StatusNotification)."""

    __tablename__ = "ocpp_charge_points"

    charger_id: Mapped[int] = mapped_column(
        ForeignKey("chargers.id", ondelete="CASCADE"), primary_key=True
    )
    vendor: Mapped[str | None] = mapped_column(String(50))
    meter_type: Mapped[str | None] = mapped_column(String(50))
    meter_serial_number: Mapped[str | None] = mapped_column(String(50))
    metering_explanation: Mapped[str | None] = mapped_column(Text)
    booted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[str | None] = mapped_column(String(20))
    last_error_code: Mapped[str | None] = mapped_column(String(30))
    status_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class OcppTransactionRow(Base):
    __tablename__ = "ocpp_transactions"
    __table_args__ = (
        # A StartTransaction resent after a lost reply maps to the same transaction.
        UniqueConstraint(
            "charger_id",
            "connector_id",
            "started_at",
            "meter_start_wh",
            name="uq_ocpp_transactions_start",
        ),
        # A 2.0.1 station names its transactions (string ids); 1.6 rows leave this NULL.
        UniqueConstraint("charger_id", "ocpp_transaction_id", name="uq_ocpp_transactions_ocpp_id"),
        CheckConstraint("energy_mode IN ('unknown', 'lifetime', 'session')", name="energy_mode"),
        Index("ix_ocpp_transactions_charger_id_is_open", "charger_id", "is_open"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # the OCPP 1.6 transactionId
    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id"))
    # OCPP 2.0.1: the station's own transactionId (string[36]); None for 1.6.
    ocpp_transaction_id: Mapped[str | None] = mapped_column(String(36))
    connector_id: Mapped[int] = mapped_column(Integer)
    id_tag: Mapped[str] = mapped_column(String(36))  # 1.6 idTag (20) or 2.0.1 idToken (36)
    meter_start_wh: Mapped[int] = mapped_column(BigInteger)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime())
    energy_mode: Mapped[str] = mapped_column(String(10))
    is_open: Mapped[bool] = mapped_column(Boolean)
    meter_stop_wh: Mapped[int | None] = mapped_column(BigInteger)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stop_reason: Mapped[str | None] = mapped_column(String(30))
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("charging_sessions.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # 2.0.1: meterStart is the first register seen (the Started event had none) ...
    meter_start_pending: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )
    # ... and meterStop the last one seen, when the Ended event has none.
    last_register_wh: Mapped[int | None] = mapped_column(BigInteger)


class OcppFrameRow(Base):
    """A raw frame of a transaction, once per content (resent frames are not doubled)."""

    __tablename__ = "ocpp_frames"
    __table_args__ = (UniqueConstraint("transaction_id", "frame_sha256"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("ocpp_transactions.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(40))
    frame: Mapped[str] = mapped_column(Text)  # the CALL exactly as received (JSON text)
    frame_sha256: Mapped[str] = mapped_column(String(64))  # of action + canonical payload
    received_at: Mapped[datetime] = mapped_column(UTCDateTime())
