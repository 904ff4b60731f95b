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

    def say(key: str, default: str) -> str:
        value = data.get(key)
        return default if value is None else str(value)

    kind = event.kind
    if kind is EventKind.SESSION_COMPLETED:
        return f"{say('charger', 'Your charger')} finished charging: {say('energy_kwh', '?')} kWh."
    if kind is EventKind.PAYOUT_PAID:
        return (
            f"A payout of EUR {say('payout_eur', '?')} for {say('period', 'your EREs')} was made."
        )
    if kind is EventKind.PLAN_UNMET:
        return f"The plan of {say('charger', 'your charger')} cannot be met: {say('reason', '')}"
    if kind is EventKind.CHARGER_OFFLINE:
        return f"{say('charger', 'A charger')} has been offline since {say('since', '?')}."
    if kind is EventKind.MANDATE_ENDING:
        return (
            f"Your ERE mandate for {say('ean', 'your connection')} ends with "
            f"{say('last_year', 'this year')}: renew it to keep earning EREs."
        )
    return kind.value


def notification_text(kind: NotificationKind, event: StoredEvent) -> tuple[str, str]:
    """(title, body) of the notification an event gives."""
    return f"chargebook: {LABELS[kind]}", _text(event)
