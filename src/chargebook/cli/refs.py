"""One kind of reference per thing in every command: the book id the listings show.

`chargebook chargers list`, `sessions` and `plan list` show a charger's and a session's book
id in their "id" column, and every command that takes a charger or a session takes that id.
The id a source gives (a Wallbox serial like 73995, an OCPP charge point id, a Wallbox
session id) is accepted too where it names one thing only; a text that could be both a book
id and another thing's source id is refused with both candidates, so a command never acts on
the wrong charger. An unknown reference lists the valid ones.
"""

from __future__ import annotations

from chargebook.clock import SystemClock
from chargebook.db import ChargerRepository, SessionRepository, SqlSession, open_database
from chargebook.domain.models import ChargerSource
from chargebook.domain.stored import BookSession, StoredCharger
from chargebook.errors import ConfigurationError, NotFoundError
from chargebook.settings import load_settings

# Longest list of valid chargers an error message shows.
_SHOWN = 12


def _as_book_id(text: str) -> int | None:
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) <= 18:
        number = int(text)
        return number if number >= 1 else None
    return None


def describe_charger(stored: StoredCharger) -> str:
    """`3 (wallbox 73995 "Garage")`: the book id first, then what the source calls it."""
    source = "wallbox" if stored.charger.source is ChargerSource.WALLBOX_CLOUD else "ocpp"
    name = f' "{stored.charger.name}"' if stored.charger.name else ""
    return f"{stored.id} ({source} {stored.charger.external_id}{name})"


def resolve_charger(
    session: SqlSession, reference: str, *, source: ChargerSource | None = None
) -> StoredCharger:
    """The charger `reference` names: its book id, or its id at the source when only one
    charger (of `source`, when given) has it.

    Raises:
        NotFoundError: no such charger; the message lists the valid references.
        ConfigurationError: the reference names two chargers; the message lists both.
    """
    repository = ChargerRepository(session, SystemClock())
    text = reference.strip()
    by_source = [
        found
        for found in repository.with_external_id(text)
        if source is None or found.charger.source is source
    ]
    book_id = _as_book_id(text)
    by_id: StoredCharger | None = None
    if book_id is not None:
        try:
            by_id = repository.get(book_id)
        except NotFoundError:
            by_id = None
        if by_id is not None and source is not None and by_id.charger.source is not source:
            by_id = None
    candidates = {found.id: found for found in by_source}
    if by_id is not None:
        candidates[by_id.id] = by_id
    if len(candidates) == 1:
        return next(iter(candidates.values()))
    if candidates:
        listed = ", ".join(describe_charger(c) for c in candidates.values())
        raise ConfigurationError(
            f"charger {text!r} could mean {listed}; give the book id from `chargebook chargers"
            " list`"
        )
    known = [c for c in repository.list() if not c.transferred]
    if source is not None:
        known = [c for c in known if c.charger.source is source]
    shown = ", ".join(describe_charger(c) for c in known[:_SHOWN]) or "none yet"
    more = f" and {len(known) - _SHOWN} more" if len(known) > _SHOWN else ""
    raise NotFoundError(
        f"no charger {text!r} in the book; the chargers are: {shown}{more}"
        " (see `chargebook chargers list`)"
    )


def charger_book_ids(references: list[str]) -> list[int]:
    """The book ids of the chargers `references` name, read in a transaction of their own
    (for commands whose store hides its session, such as the ERE commands).

    Raises:
        NotFoundError, ConfigurationError: as `resolve_charger`.
    """
    if not references:
        return []
    database = open_database(load_settings())
    try:
        with database.session() as session:
            return [resolve_charger(session, reference).id for reference in references]
    finally:
        database.dispose()


def resolve_session(session: SqlSession, reference: str) -> BookSession:
    """The session `reference` names: its book id (the "id" column of `chargebook
    sessions`), or the source's session id when only one session has it.

    Raises:
        NotFoundError: no such session.
        ConfigurationError: the reference names two sessions; the message lists both.
    """
    repository = SessionRepository(session)
    text = reference.strip()
    candidates = {found.id: found for found in repository.with_external_id(text)}
    book_id = _as_book_id(text)
    if book_id is not None:
        try:
            by_id = repository.get(book_id)
        except NotFoundError:
            pass
        else:
            candidates[by_id.id] = by_id
    if len(candidates) == 1:
        return next(iter(candidates.values()))
    if candidates:
        listed = ", ".join(f"{s.id} (source id {s.external_id})" for s in candidates.values())
        raise ConfigurationError(
            f"session {text!r} could mean {listed}; give the book id from `chargebook sessions`"
        )
    raise NotFoundError(
        f"no session {text!r} in the book; `chargebook sessions` lists the ids (the first column)"
    )
