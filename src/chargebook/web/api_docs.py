"""`/api/docs`: Swagger UI on /openapi.json, with every asset served from chargebook's origin.

FastAPI's built-in page loads Swagger UI from a CDN and starts it with an inline script; both
are refused by the Content-Security-Policy (`web.headers`). This page takes Swagger UI from npm's
`swagger-ui-dist` (copied into static/vendor by `make assets`, like Chart.js) and starts it from
static/js/api-docs.js.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from chargebook.web.rendering import templates

DOCS_PATH = "/api/docs"
OPENAPI_PATH = "/openapi.json"

router = APIRouter()


@router.get(DOCS_PATH, include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    """The interactive API reference (public, like /openapi.json)."""
    return templates.TemplateResponse(request, "api_docs.html", {"openapi_url": OPENAPI_PATH})
