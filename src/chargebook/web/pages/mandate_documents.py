"""Downloads of a signed mandate's document (PDF): the owner's own from the credits page, any
from the operator's mandates page. The same stored bytes as `chargebook ere mandate pdf`
(`chargebook.ere.service.mandate_document`).

A GET's request session is never committed (`web.deps.db_session`), but the first download
stores the PDF drawn from the signed snapshot: so these routes open their own transaction.
"""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from chargebook.db.ere.store import EreStore
from chargebook.ere.service.mandate_document import MandatePdf, mandate_pdf, owner_mandate_pdf
from chargebook.web.deps import Ctx, OperatorViewer, PageViewer
from chargebook.web.downloads import download_headers
from chargebook.web.params import RowId

router = APIRouter()


def _download(pdf: MandatePdf) -> Response:
    return Response(pdf.data, media_type="application/pdf", headers=download_headers(pdf.filename))


@router.get("/credits/mandates/{mandate_id}.pdf")
def owner_download(mandate_id: RowId, context: Ctx, viewer: PageViewer) -> Response:
    # Another owner's mandate is "not found" (404), like any other owner's record; an
    # operator reads every one (as the statements beside it).
    with context.database.transaction() as session:
        store = EreStore(session, context.clock)
        pdf = owner_mandate_pdf(store, mandate_id, viewer.owner_filter)
    return _download(pdf)


@router.get("/operator/mandates/{mandate_id}.pdf")
def operator_download(mandate_id: RowId, context: Ctx, viewer: OperatorViewer) -> Response:
    with context.database.transaction() as session:
        pdf = mandate_pdf(EreStore(session, context.clock), mandate_id)
    return _download(pdf)
