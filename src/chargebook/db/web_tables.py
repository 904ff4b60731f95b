"""Tables of the web app: login sessions, personal access tokens, failed sign-ins, and the
index that serves keyset pagination of sessions. Imported by `chargebook.db.tables`, so
`Base.metadata` stays the whole schema.

Secrets are never stored: a session id and an access token are high-entropy random strings,
kept as their SHA-256 (a fast hash is enough for 256 random bits; argon2 is for passwords).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from chargebook.db.tables import Base, ChargingSessionRow
from chargebook.db.types import UTCDateTime


class WebSessionRow(Base):
    """A signed-in browser: the cookie holds the random id, the book only its SHA-256."""

    __tablename__ = "web_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


class ApiTokenRow(Base):
    """A personal access token for `/api/v1` (bearer); shown once, stored as its SHA-256."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters of the token, so a person can tell tokens apart in a list.
    token_prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[str] = mapped_column(Text)  # space-separated, sorted
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class LoginFailureRow(Base):
    """One failed sign-in, counted per key ("email:<sha256>" or "ip:<address>")."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UTCDateTime())


# Keyset pagination over everyone's sessions (operator) walks (started_at, id) in index order;
# an owner's sessions use the existing (charger_id, started_at) index per charger.
Index("ix_charging_sessions_started_at_id", ChargingSessionRow.started_at, ChargingSessionRow.id)
