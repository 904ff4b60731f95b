"""The dispatcher: turns the event outbox into webhook deliveries and notifications, then
sends what is due. One pass is `HookDispatcher.run_once()`; `serve`'s loop (SQLite) or a
periodic worker job (PostgreSQL) runs it. Nothing here runs inside an event's transaction:
the outbox rows are read after they committed, and HTTP happens between short transactions
(a claimed delivery is leased, so a second dispatcher skips it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import Database
from chargebook.db.hooks.outbox import SqlOutbox
from chargebook.db.hooks.webhooks import DueDelivery, WebhookRepository
from chargebook.domain.events import WEBHOOK_EVENTS, StoredEvent
from chargebook.domain.notifications import FOLLOWS, NotificationKind
from chargebook.domain.webhooks import DeliveryStatus, WebhookAttempt
from chargebook.hooks.messages import notification_text, webhook_body
from chargebook.hooks.notifications import notify_owner
from chargebook.hooks.notifier import AppriseNotifier
from chargebook.hooks.policy import HookPolicy
from chargebook.hooks.sender import HttpSender, SendResult
from chargebook.hooks.signing import signed_headers

_LOGGER = logging.getLogger(__name__)
LEASE = timedelta(minutes=5)


class Sender(Protocol):
    async def send(self, url: str, headers: dict[str, str], body: bytes) -> SendResult: ...


@dataclass(frozen=True, slots=True)
class _Notice:
    user_id: int
    kind: NotificationKind
    title: str
    body: str


@dataclass(frozen=True, slots=True)
class PassReport:
    events: int
    attempts: int
    notifications: int


class HookDispatcher:
    def __init__(
        self,
        database: Database,
        clock: Clock,
        box: SecretBox,
        sender: Sender,
        notifier: AppriseNotifier,
        policy: HookPolicy,
    ) -> None:
        self._database = database
        self._clock = clock
        self._box = box
        self._sender = sender
        self._notifier = notifier
        self._policy = policy

    async def run_once(self) -> PassReport:
        """Fan the pending events out, then send every due delivery and the notices."""
        events, notices = self._fan_out()
        attempts = 0
        disabled: set[int] = set()  # endpoints disabled in this pass: their claims are void
        while due := self._claim():
            for item in due:
                if item.delivery.endpoint_id in disabled:
                    continue
                notice = await self._deliver(item)
                attempts += 1
                if notice is not None:
                    disabled.add(item.delivery.endpoint_id)
                    notices.append(notice)
        sent = 0
        for notice in notices:
            try:
                sent += await notify_owner(
                    self._database,
                    self._clock,
                    self._box,
                    self._notifier,
                    notice.user_id,
                    notice.kind,
                    notice.title,
                    notice.body,
                )
            except Exception:  # a notification never stops the deliveries' pass
                _LOGGER.exception("a %s notification failed", notice.kind.value)
        return PassReport(events, attempts, sent)

    def _fan_out(self) -> tuple[int, list[_Notice]]:
        notices: list[_Notice] = []
        with self._database.transaction() as session:
            outbox = SqlOutbox(session, self._clock)
            events = outbox.take_pending()
            repository = WebhookRepository(session, self._clock)
            for event in events:
                if event.kind in WEBHOOK_EVENTS:
                    body = webhook_body(event)
                    for endpoint in repository.subscribers(event.kind, event.owner_id):
                        repository.enqueue(
                            endpoint.id, event_id=event.id, kind=event.kind.value, body=body
                        )
                notices.extend(_notices(event))
            outbox.mark_dispatched([event.id for event in events], self._clock.now())
        return len(events), notices

    def _claim(self) -> list[DueDelivery]:
        with self._database.transaction() as session:
            return WebhookRepository(session, self._clock).claim_due(LEASE)

    async def _deliver(self, item: DueDelivery) -> _Notice | None:
        """Send one delivery and record the attempt; the notice if it disabled the endpoint."""
        delivery = item.delivery
        body = item.body.encode("utf-8")
        moment = self._clock.now()
        headers = signed_headers(
            self._box.decrypt(item.secret_encrypted),
            int(moment.timestamp()),
            body,
            event=delivery.kind,
            delivery_id=delivery.id,
        )
        result = await self._sender.send(item.url, headers, body)
        attempts = delivery.attempts + 1
        if result.ok:
            status, next_at = DeliveryStatus.DELIVERED, None
        elif result.retryable and attempts < self._policy.max_attempts:
            status = DeliveryStatus.PENDING
            next_at = self._clock.now() + self._policy.retry_delay(attempts)
        else:
            status, next_at = DeliveryStatus.FAILED, None
        with self._database.transaction() as session:
            repository = WebhookRepository(session, self._clock)
            repository.record_attempt(
                delivery.id,
                WebhookAttempt(moment, result.status_code, result.duration_ms, result.error),
                status=status,
                next_attempt_at=next_at,
            )
            endpoint = repository.note_result(delivery.endpoint_id, ok=result.ok)
            if endpoint is None or result.ok or not endpoint.active:
                return None
            first = repository.first_failure_at(endpoint.id)
            failures, now = endpoint.consecutive_failures, self._clock.now()
            if not self._policy.should_disable(failures, first, now):
                return None
            reason = (
                f"{endpoint.consecutive_failures} failed deliveries in a row "
                f"(last: {result.error or result.status_code})"
            )
            repository.disable(endpoint.id, reason)
        _LOGGER.warning("webhook endpoint %d disabled: %s", endpoint.id, reason)
        return _Notice(
            endpoint.user_id,
            NotificationKind.WEBHOOK_DISABLED,
            "chargebook: a webhook endpoint was disabled",
            f"Webhook endpoint {endpoint.id} ({endpoint.url}) was disabled: {reason}. "
            "Fix the receiver and register it again.",
        )


def _notices(event: StoredEvent) -> list[_Notice]:
    kind = FOLLOWS.get(event.kind)
    if kind is None or event.owner_id is None:
        return []
    title, body = notification_text(kind, event)
    return [_Notice(event.owner_id, kind, title, body)]


async def dispatch_pass(
    database: Database, clock: Clock, box: SecretBox, policy: HookPolicy
) -> PassReport:
    """One dispatcher pass with a fresh HTTP sender (a worker's periodic job, `serve`'s loop)."""
    sender = HttpSender(timeout_s=policy.timeout_s, allow_private=policy.allow_private)
    try:
        return await HookDispatcher(
            database, clock, box, sender, AppriseNotifier(), policy
        ).run_once()
    finally:
        await sender.aclose()
