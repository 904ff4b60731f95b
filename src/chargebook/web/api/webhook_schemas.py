"""Bodies of `/api/v1/webhooks` and `/api/v1/notifications`."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from chargebook.domain.events import WEBHOOK_EVENTS
from chargebook.domain.notifications import SWITCHABLE, NotificationKind, NotificationSettings
from chargebook.domain.webhooks import DeliveryStatus, WebhookDelivery, WebhookEndpoint

EVENT_NAMES = ", ".join(kind.value for kind in WEBHOOK_EVENTS)


class WebhookIn(BaseModel):
    url: str = Field(max_length=2000, description="https:// URL that receives the POSTs")
    events: list[str] = Field(min_length=1, max_length=10, description=f"of: {EVENT_NAMES}")
    all_owners: bool = Field(
        default=False, description="operators only: every owner's events, not just their own"
    )


class WebhookOut(BaseModel):
    id: int
    url: str
    events: list[str]
    all_owners: bool
    created_at: datetime
    active: bool
    disabled_at: datetime | None
    disabled_reason: str | None
    consecutive_failures: int

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> WebhookOut:
        return cls(
            id=endpoint.id,
            url=endpoint.url,
            events=sorted(kind.value for kind in endpoint.events),
            all_owners=endpoint.all_owners,
            created_at=endpoint.created_at,
            active=endpoint.active,
            disabled_at=endpoint.disabled_at,
            disabled_reason=endpoint.disabled_reason,
            consecutive_failures=endpoint.consecutive_failures,
        )


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(
        description="the signing secret, shown this once: keep it to verify X-Chargebook-Signature"
    )


class AttemptOut(BaseModel):
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None


class DeliveryOut(BaseModel):
    id: int
    event_id: int | None
    kind: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    history: list[AttemptOut]

    @classmethod
    def of(cls, delivery: WebhookDelivery) -> DeliveryOut:
        return cls(
            id=delivery.id,
            event_id=delivery.event_id,
            kind=delivery.kind,
            status=delivery.status,
            attempts=delivery.attempts,
            next_attempt_at=delivery.next_attempt_at,
            created_at=delivery.created_at,
            history=[
                AttemptOut(
                    attempted_at=a.attempted_at,
                    status_code=a.status_code,
                    duration_ms=a.duration_ms,
                    error=a.error,
                )
                for a in delivery.history
            ],
        )


class PingOut(BaseModel):
    delivery_id: int


class NotificationsIn(BaseModel):
    urls: list[str] | None = Field(
        default=None,
        max_length=5,
        description="Apprise URLs (secrets: stored encrypted, never shown again); null keeps them",
    )
    enabled: list[NotificationKind] = Field(
        default_factory=lambda: list(SWITCHABLE), description="the kinds to send"
    )


class NotificationsOut(BaseModel):
    url_count: int
    enabled: list[NotificationKind]

    @classmethod
    def of(cls, settings: NotificationSettings) -> NotificationsOut:
        return cls(url_count=settings.url_count, enabled=sorted(settings.enabled))


class NotificationTestOut(BaseModel):
    sent: bool
