"""Webhook endpoints and their deliveries, as the doors see them (the secret never)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chargebook.domain.events import EventKind


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its (next) attempt
    DELIVERED = "delivered"  # a 2xx answer
    FAILED = "failed"  # gave up: out of attempts, a 4xx, or the endpoint was disabled


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: int
    user_id: int
    url: str
    events: frozenset[EventKind]
    # An operator's endpoint may receive every owner's events; an owner's only their own.
    all_owners: bool
    created_at: datetime
    disabled_at: datetime | None
    disabled_reason: str | None
    consecutive_failures: int

    @property
    def active(self) -> bool:
        return self.disabled_at is None


@dataclass(frozen=True, slots=True)
class WebhookAttempt:
    attempted_at: datetime
    status_code: int | None
    duration_ms: int
    error: str | None


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    id: int
    endpoint_id: int
    event_id: int | None  # None for a test ping
    kind: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    created_at: datetime
    history: tuple[WebhookAttempt, ...] = ()
