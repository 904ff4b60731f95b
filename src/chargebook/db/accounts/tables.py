"""Tables of accounts and access: users, connected myWallbox accounts, the audit log, and the
web app's login sessions, personal access tokens and failed sign-ins. Gathered with every
feature's tables by `chargebook.db.schema` for the migrations.

Secrets are never stored: a session id and an access token are high-entropy random strings,
kept as their SHA-256 (a fast hash is enough for 256 random bits; argon2 is for passwords).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
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

from chargebook.db.core.base import Base
from chargebook.db.core.types import UTCDateTime

# The sources a brand account may have (ChargerSource values; the Wallbox keeps its table).
BRAND_SOURCE_VALUES = ("easee_cloud", "zaptec_cloud", "peblar_local")
_BRAND_SOURCES = ", ".join(f"'{value}'" for value in BRAND_SOURCE_VALUES)


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("role IN ('owner', 'operator')", name="role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)  # stored lower-cased
    password_hash: Mapped[str] = mapped_column(String(255))  # argon2 encoded hash
    role: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class WallboxAccountRow(Base):
    __tablename__ = "wallbox_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    email_encrypted: Mapped[str] = mapped_column(Text)
    # Keyed HMAC of the normalised e-mail: one myWallbox account is connected once.
    email_lookup_hash: Mapped[str] = mapped_column(String(64), unique=True)
    password_encrypted: Mapped[str] = mapped_column(Text)
    tokens_encrypted: Mapped[str | None] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sync_error: Mapped[str | None] = mapped_column(Text)


class BrandAccountRow(Base):
    """A connected account of a brand beside the Wallbox (issue 19), one table for all of
    them: the login's username (e-mail, or the charger's address for a local API), its
    secret and the API's tokens, each encrypted with the SecretBox."""

    __tablename__ = "brand_accounts"
    __table_args__ = (
        # Keyed HMAC of the normalised username: one brand account is connected once.
        UniqueConstraint("source", "username_lookup_hash"),
        CheckConstraint(f"source IN ({_BRAND_SOURCES})", name="source"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    source: Mapped[str] = mapped_column(String(20))
    username_encrypted: Mapped[str] = mapped_column(Text)
    username_lookup_hash: Mapped[str] = mapped_column(String(64))
    secret_encrypted: Mapped[str] = mapped_column(Text)
    tokens_encrypted: Mapped[str | None] = mapped_column(Text)
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    last_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_sync_error: Mapped[str | None] = mapped_column(Text)


class AuditLogRow(Base):
    """Append-only: triggers in the database reject UPDATE and DELETE (see 0001_initial)."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_log_entity_type_entity_id", "entity_type", "entity_id"),
        Index("ix_audit_log_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(100))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str | None] = mapped_column(String(100))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON (db.canonical)
    payload_sha256: Mapped[str] = mapped_column(String(64))


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
