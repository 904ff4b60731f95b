"""The table of charge points' upstream central systems (mirror mode). Imported by
`chargebook.db.schema`. The password is SecretBox ciphertext: it must be replayed to the
upstream, so it cannot be a one-way hash."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chargebook.db.core.base import Base
from chargebook.db.core.types import UTCDateTime


class OcppUpstreamRow(Base):
    __tablename__ = "ocpp_upstreams"
    __table_args__ = (
        CheckConstraint("mode IN ('upstream-primary', 'chargebook-primary')", name="mode"),
    )

    charger_id: Mapped[int] = mapped_column(
        ForeignKey("chargers.id", ondelete="CASCADE"), primary_key=True
    )
    url: Mapped[str] = mapped_column(String(500))
    mode: Mapped[str] = mapped_column(String(20))
    username: Mapped[str] = mapped_column(String(100))
    password_encrypted: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OcppUpstreamTransactionRow(Base):
    """One session's ids across the two central systems (`central_system.mirror.transactions`),
    kept so a restart of chargebook mid-session still maps the charger's id to the book's and
    the upstream's."""

    __tablename__ = "ocpp_upstream_transactions"

    charger_id: Mapped[int] = mapped_column(
        ForeignKey("chargers.id", ondelete="CASCADE"), primary_key=True
    )
    charger_tx: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    book_tx: Mapped[int | None] = mapped_column(BigInteger)
    upstream_tx: Mapped[int | None] = mapped_column(BigInteger)
