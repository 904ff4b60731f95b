"""`/api/v1/webhooks`: the caller's webhook endpoints (every endpoint, for an operator), a test
ping and the deliveries log; `/api/v1/notifications`: the caller's notification settings and a
test message. Scopes `webhooks:write` and `notifications:write`. Deliveries are signed as
`docs/webhooks.md` shows."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Response

from chargebook.domain.access import ApiScope, Viewer
from chargebook.hooks import notifications as notes
from chargebook.hooks import webhooks as hooks
from chargebook.hooks.notifier import AppriseNotifier
from chargebook.web.api.webhook_schemas import (
    DeliveryOut,
    NotificationsIn,
    NotificationsOut,
    NotificationTestOut,
    PingOut,
    WebhookCreatedOut,
    WebhookIn,
    WebhookOut,
)
from chargebook.web.deps import Ctx, DbSession, require_scope
from chargebook.web.params import RowId

router = APIRouter(tags=["webhooks"])

Hooker = Annotated[Viewer, Depends(require_scope(ApiScope.WEBHOOKS_WRITE))]
Notified = Annotated[Viewer, Depends(require_scope(ApiScope.NOTIFICATIONS_WRITE))]


@router.get("/webhooks")
def list_webhooks(viewer: Hooker, context: Ctx, db: DbSession) -> list[WebhookOut]:
    """The caller's endpoints (all, for an operator); `active` false once disabled."""
    return [WebhookOut.of(e) for e in hooks.list_endpoints(db, context.clock, viewer)]


@router.post("/webhooks", status_code=201)
async def create_webhook(body: WebhookIn, viewer: Hooker, context: Ctx) -> WebhookCreatedOut:
    """Register an https URL for events; the answer holds the signing secret, shown once.
    Private, loopback and reserved addresses are refused (422)."""
    events = hooks.parse_events(body.events)
    allow = context.settings.webhook_allow_private_networks
    url = await hooks.check_url(body.url, allow_private=allow)
    with context.database.transaction() as session:
        created = hooks.create_endpoint(
            session,
            context.clock,
            context.box,
            viewer,
            url=url,
            events=events,
            all_owners=body.all_owners,
        )
    return WebhookCreatedOut(**WebhookOut.of(created.endpoint).model_dump(), secret=created.secret)


@router.delete("/webhooks/{webhook_id}", status_code=204)
def delete_webhook(webhook_id: RowId, viewer: Hooker, context: Ctx, db: DbSession) -> Response:
    """Remove the endpoint and its deliveries log."""
    hooks.delete_endpoint(db, context.clock, viewer, webhook_id)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/ping", status_code=202)
def ping_webhook(webhook_id: RowId, viewer: Hooker, context: Ctx, db: DbSession) -> PingOut:
    """Queue a signed `ping` delivery; its attempts appear under /deliveries."""
    return PingOut(delivery_id=hooks.ping_endpoint(db, context.clock, viewer, webhook_id))


@router.get("/webhooks/{webhook_id}/deliveries")
def webhook_deliveries(
    webhook_id: RowId, viewer: Hooker, context: Ctx, db: DbSession
) -> list[DeliveryOut]:
    """The newest 50 deliveries, each with every attempt's status code and duration."""
    found = hooks.endpoint_deliveries(db, context.clock, viewer, webhook_id)
    return [DeliveryOut.of(d) for d in found]


@router.get("/notifications")
def get_notifications(viewer: Notified, context: Ctx, db: DbSession) -> NotificationsOut:
    """How many Apprise URLs are set (never the URLs) and which kinds are on."""
    return NotificationsOut.of(notes.owner_settings(db, context.clock, viewer.user.id))


@router.put("/notifications")
async def put_notifications(
    body: NotificationsIn, viewer: Notified, context: Ctx
) -> NotificationsOut:
    """Set the kinds, and the Apprise URLs unless `urls` is null."""
    urls = None
    if body.urls is not None:
        allow = context.settings.webhook_allow_private_networks
        urls = await notes.check_urls(body.urls, allow_private=allow)
    with context.database.transaction() as session:
        saved = notes.save_settings(
            session, context.clock, context.box, viewer.user.id, enabled=body.enabled, urls=urls
        )
    return NotificationsOut.of(saved)


@router.post("/notifications/test")
async def test_notification(viewer: Notified, context: Ctx) -> NotificationTestOut:
    """Send a test message to the caller's URLs now; `sent` false if a target refused it."""
    sent = await notes.send_test(
        context.database, context.clock, context.box, AppriseNotifier(), viewer.user.id
    )
    return NotificationTestOut(sent=sent)
