"""The dashboard: the viewer's chargers with their state now.

Each card shows the same reading as the charger's own page (`LiveStatus.reading`, cached
within the source's read budget), so the two never disagree.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chargebook.book.service import BookService
from chargebook.web.deps import Ctx, PageViewer
from chargebook.web.page_services import live_status
from chargebook.web.rendering import render

router = APIRouter()


@router.get("/")
async def dashboard(request: Request, viewer: PageViewer, context: Ctx) -> Response:
    # A short read: no database session stays open while chargers answer.
    with context.database.session() as session:
        stored = BookService(session, viewer).list_chargers()
    readings = await live_status(request).readings(stored)
    cards = list(zip(stored, readings, strict=True))
    return render(request, "home.html", {"chargers": cards, "viewer": viewer})
