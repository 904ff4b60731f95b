"""The owner's payout details (IBAN and account holder): a form reachable from the credits
page. The ERE service validates (schwifty), encrypts and audits (`set_payout_account`); this
module shows the masked account and turns a refused IBAN into a message on the form.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from chargebook.db.ere.store import EreStore
from chargebook.ere.service.iban import InvalidIbanError
from chargebook.ere.service.payout_accounts import payout_account, set_payout_account
from chargebook.web.deps import Ctx, DbSession, PageViewer
from chargebook.web.rendering import render

router = APIRouter(prefix="/credits/payout-details")


@router.get("")
def payout_details(
    request: Request,
    context: Ctx,
    viewer: PageViewer,
    db: DbSession,
    saved: Annotated[int, Query(ge=0, le=1)] = 0,  # 1 after a save: say so
) -> Response:
    account = payout_account(EreStore(db, context.clock), viewer.user.id)
    values: dict[str, object] = {
        "account": account, "saved": bool(saved), "error": None, "form": {},
    }  # fmt: skip
    return render(request, "payout_details.html", values)


@router.post("")
def save_payout_details(
    request: Request,
    context: Ctx,
    viewer: PageViewer,
    iban: Annotated[str, Form(max_length=64)] = "",
    holder: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        with context.database.transaction() as session:
            set_payout_account(
                EreStore(session, context.clock),
                context.box,
                user_id=viewer.user.id,
                iban=iban,
                holder=holder,
                actor=viewer.user.email,
            )
    except InvalidIbanError as error:
        with context.database.session() as session:
            account = payout_account(EreStore(session, context.clock), viewer.user.id)
        # The typed IBAN goes back into the owner's own form only (never a log or a page
        # anyone else sees), so a typo can be fixed without typing it all again.
        values: dict[str, object] = {"account": account, "saved": False, "error": error.message,
                  "form": {"iban": iban, "holder": holder}}  # fmt: skip
        return render(request, "payout_details.html", values, status_code=422)
    return RedirectResponse("/credits/payout-details?saved=1", status_code=303)
