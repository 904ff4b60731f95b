"""`/api/v1`: bearer-token REST API. Each module has `router`; include it here.

Errors are `{"error": ClassName, "detail": message}` (see `web.handlers`); every route declares
them in OpenAPI through `ERROR_RESPONSES`.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from chargebook.web.api import chargers, me, plans, sessions, statements, tariff, webhooks
from chargebook.web.schemas import ErrorOut

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorOut, "description": description}
    for status, description in (
        (401, "No valid bearer token"),
        (403, "The token lacks the scope"),
        (404, "Not found (or not the caller's)"),
        (422, "Invalid input"),
    )
}

api_router = APIRouter(responses=ERROR_RESPONSES)
api_router.include_router(me.router)
api_router.include_router(tariff.router)
api_router.include_router(chargers.router)
api_router.include_router(plans.router)
api_router.include_router(sessions.router)
api_router.include_router(statements.router)
api_router.include_router(webhooks.router)

__all__ = ["api_router"]
