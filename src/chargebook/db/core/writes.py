"""Helpers shared by the repositories: dialect upserts and constraint violations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chargebook.errors import ConflictError


def dialect_insert(session: Session) -> Callable[..., Any]:
    """The `insert` of the session's dialect, which has `on_conflict_do_*` on both backends."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert
    return sqlite.insert


def flush_or_conflict(session: Session, message: str) -> None:
    """Flush inside a SAVEPOINT; a unique violation becomes ConflictError(message).

    The savepoint keeps the caller's transaction usable after the violation (PostgreSQL
    would otherwise refuse every further statement in it).
    """
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise ConflictError(message) from exc
