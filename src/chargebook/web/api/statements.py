"""`/api/v1/statements`: the caller's ERE statements (credits per delivery period and payout)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from chargebook.db.ere.store import EreStore
from chargebook.domain.access import ApiScope, Viewer
from chargebook.ere.service.payout_accounts import payout_account
from chargebook.web.book import BookService
from chargebook.web.deps import Ctx, DbSession, require_scope
from chargebook.web.params import RowId
from chargebook.web.schemas import PayoutAccountOut, StatementOut

router = APIRouter(prefix="/statements", tags=["credits"])

Reader = Annotated[Viewer, Depends(require_scope(ApiScope.CREDITS_READ))]


@router.get("")
def list_statements(viewer: Reader, db: DbSession) -> list[StatementOut]:
    """The caller's statements (every customer's, for an operator), by period."""
    return [StatementOut.of(s) for s in BookService(db, viewer).list_statements()]


@router.get("/payout-account")
def my_payout_account(viewer: Reader, context: Ctx, db: DbSession) -> PayoutAccountOut:
    """Where the caller's payouts go (masked); all fields null when no details are entered."""
    return PayoutAccountOut.of(payout_account(EreStore(db, context.clock), viewer.user.id))


@router.get("/{statement_id}")
def get_statement(statement_id: RowId, viewer: Reader, db: DbSession) -> StatementOut:
    """One statement; 404 if it is not the caller's."""
    return StatementOut.of(BookService(db, viewer).get_statement(statement_id))
