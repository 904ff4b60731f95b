"""The HTML pages. Every page router is included in `pages_router`, which checks the CSRF
token on every unsafe request (POST/PUT/PATCH/DELETE) before any route runs.

To add pages: make `web/pages/<topic>.py` with `router = APIRouter()` and include it below.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from chargebook.web.deps import verify_csrf
from chargebook.web.pages import (
    auth,
    chargers,
    connect,
    connect_brands,
    credits,
    home,
    learn,
    mandate_documents,
    monthly,
    notifications,
    operator,
    operator_ere,
    operator_metering,
    operator_ocpp,
    operator_ocpp_security,
    operator_payout_runs,
    operator_year_end,
    payout_details,
    plans,
    sessions,
    tariff,
)

pages_router = APIRouter(
    dependencies=[Depends(verify_csrf)],
    include_in_schema=False,
    default_response_class=HTMLResponse,
)
pages_router.include_router(auth.router)
pages_router.include_router(home.router)
pages_router.include_router(connect.router)
pages_router.include_router(connect_brands.router)
pages_router.include_router(chargers.router)
pages_router.include_router(plans.router)
pages_router.include_router(monthly.router)  # before sessions: /sessions/monthly
pages_router.include_router(sessions.router)
pages_router.include_router(credits.router)
pages_router.include_router(payout_details.router)
pages_router.include_router(tariff.router)
pages_router.include_router(notifications.router)
pages_router.include_router(learn.router)
pages_router.include_router(operator.router)
pages_router.include_router(operator_ere.router)
pages_router.include_router(operator_payout_runs.router)
pages_router.include_router(operator_year_end.router)
pages_router.include_router(mandate_documents.router)
pages_router.include_router(operator_metering.router)
pages_router.include_router(operator_ocpp.router)
pages_router.include_router(operator_ocpp_security.router)

__all__ = ["pages_router"]
