"""What an event says: the webhook body (JSON) and a notification's title and text."""

from __future__ import annotations

import json

from chargebook.domain.events import EventKind, StoredEvent
from chargebook.domain.notifications import LABELS, NotificationKind


def webhook_body(event: StoredEvent) -> str:
    """`{"id", "type", "occurred_at", "data"}`, keys sorted: the bytes every attempt sends."""
    return json.dumps(
        {
            "id": event.id,
            "type": event.kind.value,
            "occurred_at": event.occurred_at.isoformat(),
            "data": dict(event.data),
        },
        sort_keys=True,
    )


def _text(event: StoredEvent) -> str:
    data = event.data
    if event.kind is EventKind.SESSION_COMPLETED:
        return f"{data.get('charger', 'your charger')} finished charging: {data.get('energy_kwh', '?')} kWh."
    if event.kind is EventKind.PAYOUT_PAID:
        return f"A payout of EUR {data.get('payout_eur', '?')} for {data.get('period', 'your credits')} was made."
    if event.kind is EventKind.PLAN_UNMET:
        return f"The plan of {data.get('charger', 'your charger')} cannot be met: {data.get('reason', '')}".strip()
    if event.kind is EventKind.CHARGER_OFFLINE:
        return f"{data.get('charger', 'A charger')} has been offline since {data.get('since', '?')}."
    if event.kind is EventKind.MANDATE_ENDING:
        return f"Your ERE mandate for {data.get('ean', 'your connection')} ends with {data.get('last_year', 'this year')}: renew it to keep earning."
    return event.kind.value


def notification_text(kind: NotificationKind, event: StoredEvent) -> tuple[str, str]:
    """(title, body) of the notification an event gives."""
    return f"chargebook: {LABELS[kind]}", _text(event)
