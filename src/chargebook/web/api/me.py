"""`/api/v1/me` and `/api/v1/tokens`: who the token belongs to, and that user's tokens."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from chargebook.domain.access import Viewer
from chargebook.web.deps import Ctx, DbSession, account_service, api_viewer
from chargebook.web.schemas import MeOut, TokenOut

router = APIRouter(tags=["tokens"])

AnyToken = Annotated[Viewer, Depends(api_viewer)]


@router.get("/me")
def me(viewer: AnyToken) -> MeOut:
    """The token's user and scopes (any valid token may ask)."""
    return MeOut.of(viewer)


@router.get("/tokens")
def list_tokens(viewer: AnyToken, context: Ctx, db: DbSession) -> list[TokenOut]:
    """The user's access tokens, newest first (never the tokens themselves)."""
    return [TokenOut.of(t) for t in account_service(context, db).list_tokens(viewer.user)]
