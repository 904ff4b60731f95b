"""The operator console (operators only): customers and chargers, MID follow-ups, mandates,
quarantined sessions. Batches, statements and payouts are in `operator_ere.py`."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from chargebook.book.service import BookService
from chargebook.db import UserRepository
from chargebook.db.book.transfers import transfer_charger
from chargebook.db.ere.store import EreStore
from chargebook.domain.book import SessionState
from chargebook.domain.ere_book import FollowUpStatus
from chargebook.domain.ere_party import PartyVerificationMethod
from chargebook.domain.users import UserRole
from chargebook.ere import InvalidEanError
from chargebook.ere.service.metering import assess_chargers
from chargebook.ere.service.parties import (
    PartyVerificationError,
    connection_parties,
    record_party_verification,
)
from chargebook.errors import NotFoundError
from chargebook.web.deps import Ctx, DbSession, OperatorViewer
from chargebook.web.errors import InvalidInputError
from chargebook.web.params import RowId
from chargebook.web.rendering import render

router = APIRouter(prefix="/operator")
QUARANTINE_SHOWN = 200


@router.get("")
def overview(request: Request, context: Ctx, viewer: OperatorViewer, db: DbSession) -> Response:
    book = BookService(db, viewer)
    chargers = book.list_chargers()
    users = UserRepository(db, context.clock).list()
    store = EreStore(db, context.clock)
    constructs = {c.id: store.metering.current(c.id) for c in chargers}
    # The verdict the owner's charger page shows, in the same words (issue 18).
    verdicts = {i: a.verdict for i, a in assess_chargers(store, chargers).items()}
    links = store.connections.charger_links()
    per_owner = Counter(c.owner_user_id for c in chargers)
    # Every session less the quarantined ones (indexed): counting `state = 'ok'` itself would
    # read the whole table, as no index holds the state of ok sessions.
    quarantined = book.count_sessions(state=SessionState.QUARANTINED)
    values = {
        "customers": [u for u in users if u.role is UserRole.OWNER],
        "per_owner": per_owner,
        "emails": {u.id: u.email for u in users},
        "chargers": chargers,
        "constructs": constructs,
        "verdicts": verdicts,
        "links": links,
        "session_count": book.count_sessions() - quarantined,
        "quarantined": quarantined,
        "open_follow_ups": len(store.metering.list_follow_ups(status=FollowUpStatus.OPEN)),
    }
    return render(request, "operator/overview.html", values)


@router.get("/followups")
def follow_ups(
    request: Request,
    context: Ctx,
    viewer: OperatorViewer,
    db: DbSession,
    status: FollowUpStatus | None = None,
) -> Response:
    store = EreStore(db, context.clock)
    chargers = {c.id: c for c in BookService(db, viewer).list_chargers()}
    emails = {u.id: u.email for u in UserRepository(db, context.clock).list()}
    values = {
        "follow_ups": store.metering.list_follow_ups(status=status),
        "chargers": chargers,
        "emails": emails,
        "status": status.value if status else "",
        "statuses": list(FollowUpStatus),
    }
    return render(request, "operator/followups.html", values)


@router.post("/followups/{follow_up_id}")
def set_follow_up(
    follow_up_id: RowId,
    context: Ctx,
    viewer: OperatorViewer,
    db: DbSession,
    status: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    try:
        chosen = FollowUpStatus(status)
    except ValueError:
        raise InvalidInputError("status is open, in_progress or done", field="status") from None
    EreStore(db, context.clock).metering.set_follow_up_status(
        follow_up_id, chosen, note.strip() or None
    )
    return RedirectResponse("/operator/followups", status_code=303)


@router.get("/mandates")
def mandates(request: Request, context: Ctx, viewer: OperatorViewer, db: DbSession) -> Response:
    store = EreStore(db, context.clock)
    values = {
        "parties": connection_parties(store),
        "mandates": store.mandates.list(),
        "methods": list(PartyVerificationMethod),
        "today": context.clock.now().date().isoformat(),
    }
    return render(request, "operator/mandates.html", values)


@router.post("/connections/verification")
def verify_party(
    context: Ctx,
    viewer: OperatorViewer,
    db: DbSession,
    ean: Annotated[str, Form(max_length=40)],
    method: Annotated[str, Form(max_length=40)],
    verified_by: Annotated[str, Form(max_length=200)],
    verified_on: Annotated[str, Form(max_length=20)],
    note: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Record how a connection's connected party was verified (the service the CLI's
    `chargebook ere connection verify` calls too)."""
    try:
        day = date.fromisoformat(verified_on.strip())
    except ValueError:
        raise InvalidInputError("Enter the date as YYYY-MM-DD", field="verified_on") from None
    try:
        record_party_verification(
            EreStore(db, context.clock), ean=ean, method=method, verified_by=verified_by,
            verified_on=day, note=note, actor=f"operator:{viewer.user.id}",
        )  # fmt: skip
    except PartyVerificationError as exc:
        raise InvalidInputError(exc.message, field=exc.field) from None
    except InvalidEanError as exc:
        raise InvalidInputError(exc.message, field="ean") from None
    return RedirectResponse("/operator/mandates", status_code=303)


@router.get("/quarantine")
def quarantine(request: Request, viewer: OperatorViewer, db: DbSession) -> Response:
    # The same list and number as `chargebook sessions --quarantined`.
    book = BookService(db, viewer)
    values = {
        "sessions": book.sessions(state=SessionState.QUARANTINED, limit=QUARANTINE_SHOWN),
        "total": book.count_sessions(state=SessionState.QUARANTINED),
        "chargers": {c.id: c for c in book.list_chargers()},
    }
    return render(request, "operator/quarantine.html", values)


@router.post("/transfers")
def transfer(
    context: Ctx,
    viewer: OperatorViewer,
    db: DbSession,
    charger_id: Annotated[int, Form(ge=1, le=2**62)],
    email: Annotated[str, Form(max_length=320)],
) -> Response:
    """Give a charger to a new owner from now on (a house sale), audited; the one service
    function the CLI's `chargebook chargers transfer` calls too."""
    try:
        transfer_charger(
            db, context.clock, charger_id=charger_id, to_email=email,
            actor=f"operator:{viewer.user.id}",
        )  # fmt: skip
    except NotFoundError as missing:
        if "user" not in missing.message:
            raise
        raise InvalidInputError(missing.message, field="email") from None
    return RedirectResponse("/operator", status_code=303)
