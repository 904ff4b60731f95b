"""The dashboard: the viewer's chargers with their latest live sample."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from chargebook.web.book import BookService
from chargebook.web.deps import DbSession, PageViewer
from chargebook.web.rendering import render

router = APIRouter()


@router.get("/")
def dashboard(request: Request, viewer: PageViewer, db: DbSession) -> Response:
    book = BookService(db, viewer)
    chargers = [book.charger_view(charger.id) for charger in book.list_chargers()]
    return render(request, "home.html", {"chargers": chargers, "viewer": viewer})
