"""EREs per session as the book shows them (session page, exports): from the ERE service's
bulk reads (`ere.service.session_eres`), with the owner's words for a held-back session."""

from __future__ import annotations

from collections.abc import Sequence

from chargebook.book.service import BOOK_ZONE
from chargebook.clock import Clock, in_zone
from chargebook.db import SqlSession
from chargebook.db.ere.store import EreStore
from chargebook.domain.stored import BookSession
from chargebook.ere import load_parameters
from chargebook.ere.reasons import owner_reason
from chargebook.ere.service.session_eres import SessionEre
from chargebook.ere.service.session_eres import session_eres as ere_per_session


def session_eres(
    db: SqlSession, clock: Clock, sessions: Sequence[BookSession]
) -> dict[int, SessionEre]:
    """EREs per session from the ERE service (`ere.service.session_eres`: bulk reads)."""
    return ere_per_session(
        EreStore(db, clock), sessions, parameters=load_parameters(), now=clock.now()
    )


def held_back_text(ere: SessionEre | None, session: BookSession) -> str | None:
    """Why a held-back session earns nothing and the fix ("a session without a mandate for
    2026: no mandate for 2026 — sign one", the texts of `chargebook.ere.reasons`)."""
    if ere is None or ere.reason is None or session.ended_at is None:
        return None
    local = in_zone(session.ended_at, BOOK_ZONE)
    why, fix, _ = owner_reason(ere.reason, (local or session.ended_at).year)
    return f"a session {why}: {fix}"
