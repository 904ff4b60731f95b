"""Webhook endpoints, deliveries and attempts: the rows behind `chargebook.hooks`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.hooks.tables import WebhookAttemptRow, WebhookDeliveryRow, WebhookEndpointRow
from chargebook.domain.events import EventKind
from chargebook.domain.webhooks import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from chargebook.errors import NotFoundError


@dataclass(frozen=True, slots=True)
class DueDelivery:
    """A claimed delivery with what sending it needs (the secret still encrypted)."""

    delivery: WebhookDelivery
    url: str
    secret_encrypted: str
    body: str


class WebhookRepository:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    # -- endpoints ---------------------------------------------------------------------------

    def add(
        self,
        *,
        user_id: int,
        url: str,
        secret_encrypted: str,
        events: Iterable[EventKind],
        all_owners: bool,
    ) -> WebhookEndpoint:
        row = WebhookEndpointRow(
            user_id=user_id,
            url=url,
            secret_encrypted=secret_encrypted,
            events=" ".join(sorted({kind.value for kind in events})),
            all_owners=all_owners,
            created_at=self._clock.now(),
            consecutive_failures=0,
        )
        self._session.add(row)
        self._session.flush()
        return _endpoint(row)

    def endpoints(self, user_id: int | None = None) -> list[WebhookEndpoint]:
        """A user's endpoints (every endpoint for None), oldest first."""
        query = select(WebhookEndpointRow).order_by(WebhookEndpointRow.id)
        if user_id is not None:
            query = query.where(WebhookEndpointRow.user_id == user_id)
        return [_endpoint(row) for row in self._session.scalars(query)]

    def subscribers(self, kind: EventKind, owner_id: int | None) -> list[WebhookEndpoint]:
        """Active endpoints that get an event: the owner's own, and all-owner endpoints."""
        query = select(WebhookEndpointRow).where(WebhookEndpointRow.disabled_at.is_(None))
        mine: ColumnElement[bool] = WebhookEndpointRow.all_owners.is_(True)
        if owner_id is not None:
            mine = or_(mine, WebhookEndpointRow.user_id == owner_id)
        rows = self._session.scalars(query.where(mine).order_by(WebhookEndpointRow.id))
        return [e for e in map(_endpoint, rows) if kind in e.events]

    def get(self, endpoint_id: int, user_id: int | None) -> WebhookEndpoint:
        return _endpoint(self._row(endpoint_id, user_id))

    def remove(self, endpoint_id: int, user_id: int | None) -> None:
        self._session.delete(self._row(endpoint_id, user_id))
        self._session.flush()

    def _row(self, endpoint_id: int, user_id: int | None) -> WebhookEndpointRow:
        row = self._session.get(WebhookEndpointRow, endpoint_id)
        if row is None or (user_id is not None and row.user_id != user_id):
            raise NotFoundError(f"no webhook endpoint {endpoint_id}")
        return row

    # -- deliveries --------------------------------------------------------------------------

    def enqueue(self, endpoint_id: int, *, event_id: int | None, kind: str, body: str) -> int:
        now = self._clock.now()
        row = WebhookDeliveryRow(
            endpoint_id=endpoint_id,
            event_id=event_id,
            kind=kind,
            body=body,
            status=DeliveryStatus.PENDING.value,
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
        self._session.add(row)
        self._session.flush()
        return row.id

    def claim_due(self, lease: timedelta, limit: int = 50) -> list[DueDelivery]:
        """Due deliveries of active endpoints, pushed `lease` ahead so that no other
        dispatcher takes them while this one sends (the caller commits before sending)."""
        now = self._clock.now()
        rows = self._session.execute(
            select(WebhookDeliveryRow, WebhookEndpointRow)
            .join(WebhookEndpointRow, WebhookEndpointRow.id == WebhookDeliveryRow.endpoint_id)
            .where(
                WebhookDeliveryRow.status == DeliveryStatus.PENDING.value,
                WebhookDeliveryRow.next_attempt_at <= now,
                WebhookEndpointRow.disabled_at.is_(None),
            )
            .order_by(WebhookDeliveryRow.next_attempt_at, WebhookDeliveryRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True, of=WebhookDeliveryRow)
        ).all()
        due = []
        for delivery, endpoint in rows:
            delivery.next_attempt_at = now + lease
            due.append(
                DueDelivery(
                    _delivery(delivery), endpoint.url, endpoint.secret_encrypted, delivery.body
                )
            )
        return due

    def record_attempt(
        self,
        delivery_id: int,
        attempt: WebhookAttempt,
        *,
        status: DeliveryStatus,
        next_attempt_at: datetime | None,
    ) -> None:
        row = self._session.get(WebhookDeliveryRow, delivery_id)
        if row is None:  # the endpoint was deleted while it was being sent
            return
        row.attempts += 1
        row.status = status.value
        row.next_attempt_at = next_attempt_at
        self._session.add(
            WebhookAttemptRow(
                delivery_id=delivery_id,
                attempted_at=attempt.attempted_at,
                status_code=attempt.status_code,
                duration_ms=attempt.duration_ms,
                error=attempt.error,
            )
        )

    def note_result(self, endpoint_id: int, *, ok: bool) -> WebhookEndpoint | None:
        """Count the endpoint's consecutive failures (reset by a success); None if gone."""
        row = self._session.get(WebhookEndpointRow, endpoint_id)
        if row is None:
            return None
        if ok:
            row.consecutive_failures, row.first_failure_at = 0, None
        else:
            row.consecutive_failures += 1
            row.first_failure_at = row.first_failure_at or self._clock.now()
        return _endpoint(row)

    def first_failure_at(self, endpoint_id: int) -> datetime | None:
        row = self._session.get(WebhookEndpointRow, endpoint_id)
        return None if row is None else row.first_failure_at

    def disable(self, endpoint_id: int, reason: str) -> None:
        row = self._session.get(WebhookEndpointRow, endpoint_id)
        if row is None:
            return
        row.disabled_at, row.disabled_reason = self._clock.now(), reason
        self._session.execute(
            update(WebhookDeliveryRow)
            .where(
                WebhookDeliveryRow.endpoint_id == endpoint_id,
                WebhookDeliveryRow.status == DeliveryStatus.PENDING.value,
            )
            .values(status=DeliveryStatus.FAILED.value, next_attempt_at=None)
        )

    def deliveries(self, endpoint_id: int, limit: int = 50) -> list[WebhookDelivery]:
        """The endpoint's newest deliveries with every attempt."""
        rows = self._session.scalars(
            select(WebhookDeliveryRow)
            .where(WebhookDeliveryRow.endpoint_id == endpoint_id)
            .order_by(WebhookDeliveryRow.id.desc())
            .limit(limit)
        ).all()
        attempts: dict[int, list[WebhookAttempt]] = {row.id: [] for row in rows}
        for attempt in self._session.scalars(
            select(WebhookAttemptRow)
            .where(WebhookAttemptRow.delivery_id.in_(list(attempts)))
            .order_by(WebhookAttemptRow.id)
        ):
            attempts[attempt.delivery_id].append(
                WebhookAttempt(
                    attempt.attempted_at, attempt.status_code, attempt.duration_ms, attempt.error
                )
            )
        return [_delivery(row, tuple(attempts[row.id])) for row in rows]

    def purge_before(self, moment: datetime) -> None:
        """Forget finished deliveries older than `moment`, with their attempts."""
        old = select(WebhookDeliveryRow.id).where(
            WebhookDeliveryRow.created_at < moment,
            WebhookDeliveryRow.status != DeliveryStatus.PENDING.value,
        )
        self._session.execute(
            delete(WebhookAttemptRow).where(WebhookAttemptRow.delivery_id.in_(old))
        )
        self._session.execute(delete(WebhookDeliveryRow).where(WebhookDeliveryRow.id.in_(old)))


def _endpoint(row: WebhookEndpointRow) -> WebhookEndpoint:
    return WebhookEndpoint(
        id=row.id,
        user_id=row.user_id,
        url=row.url,
        events=frozenset(EventKind(value) for value in row.events.split() if value),
        all_owners=row.all_owners,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
        disabled_reason=row.disabled_reason,
        consecutive_failures=row.consecutive_failures,
    )


def _delivery(row: WebhookDeliveryRow, history: tuple[WebhookAttempt, ...] = ()) -> WebhookDelivery:
    return WebhookDelivery(
        id=row.id,
        endpoint_id=row.endpoint_id,
        event_id=row.event_id,
        kind=row.kind,
        status=DeliveryStatus(row.status),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        created_at=row.created_at,
        history=history,
    )
