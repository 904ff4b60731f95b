"""The owner's notification settings page: Apprise URLs (write-only: never shown back), a
checkbox per kind, and a "send test" button. The service is `chargebook.hooks.notifications`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from chargebook.domain.notifications import LABELS, SWITCHABLE, NotificationKind
from chargebook.hooks import notifications as notes
from chargebook.hooks.notifier import AppriseNotifier, NotificationUrlError
from chargebook.web.deps import Ctx, DbSession, PageViewer
from chargebook.web.rendering import render

router = APIRouter(prefix="/notifications")


def _page(
    request: Request,
    context: Ctx,
    user_id: int,
    *,
    message: str | None,
    error: str | None,
    status_code: int = 200,
) -> Response:
    with context.database.session() as session:
        settings = notes.owner_settings(session, context.clock, user_id)
    kinds = [(kind.value, LABELS[kind], kind in settings.enabled) for kind in SWITCHABLE]
    values: dict[str, object] = {
        "settings": settings, "kinds": kinds, "message": message, "error": error,
    }  # fmt: skip
    return render(request, "notifications.html", values, status_code=status_code)


@router.get("")
def notification_settings(
    request: Request,
    context: Ctx,
    viewer: PageViewer,
    db: DbSession,
    done: Annotated[str, Query(max_length=10, pattern="^(|saved|sent|failed)$")] = "",
) -> Response:
    del db
    message = {
        "saved": "Saved.",
        "sent": "Test notification sent.",
        "failed": "The test notification could not be delivered to every URL.",
    }.get(done)
    return _page(request, context, viewer.user.id, message=message, error=None)


@router.post("")
async def save_notification_settings(
    request: Request,
    context: Ctx,
    viewer: PageViewer,
    urls: Annotated[str, Form(max_length=5000)] = "",
    kinds: Annotated[list[str] | None, Form()] = None,
    replace_urls: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    enabled = [NotificationKind(k) for k in kinds or [] if k in {s.value for s in SWITCHABLE}]
    try:
        checked = None
        if replace_urls == "on":
            allow = context.settings.webhook_allow_private_networks
            checked = await notes.check_urls(notes.parse_urls(urls), allow_private=allow)
        with context.database.transaction() as session:
            notes.save_settings(
                session, context.clock, context.box, viewer.user.id, enabled=enabled, urls=checked
            )
    except NotificationUrlError as error:
        return _page(request, context, viewer.user.id, message=None, error=error.message,
                     status_code=422)  # fmt: skip
    return RedirectResponse("/notifications?done=saved", status_code=303)


@router.post("/test")
async def send_test_notification(request: Request, context: Ctx, viewer: PageViewer) -> Response:
    try:
        sent = await notes.send_test(
            context.database, context.clock, context.box, AppriseNotifier(), viewer.user.id
        )
    except NotificationUrlError as error:
        return _page(request, context, viewer.user.id, message=None, error=error.message,
                     status_code=422)  # fmt: skip
    return RedirectResponse(f"/notifications?done={'sent' if sent else 'failed'}", status_code=303)
