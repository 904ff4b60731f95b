"""What an owner can be notified of, and which events each kind follows."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from chargebook.domain.events import EventKind


class NotificationKind(StrEnum):
    CHARGING_FINISHED = "charging_finished"
    PLAN_UNMET = "plan_unmet"
    CHARGER_OFFLINE = "charger_offline"
    MANDATE_ENDING = "mandate_ending"
    PAYOUT_MADE = "payout_made"
    # Always sent (not switchable): a webhook endpoint of the owner was disabled.
    WEBHOOK_DISABLED = "webhook_disabled"


SWITCHABLE: tuple[NotificationKind, ...] = (
    NotificationKind.CHARGING_FINISHED,
    NotificationKind.PLAN_UNMET,
    NotificationKind.CHARGER_OFFLINE,
    NotificationKind.MANDATE_ENDING,
    NotificationKind.PAYOUT_MADE,
)

LABELS: dict[NotificationKind, str] = {
    NotificationKind.CHARGING_FINISHED: "Charging finished",
    NotificationKind.PLAN_UNMET: "A charging plan cannot be met",
    NotificationKind.CHARGER_OFFLINE: "A charger is offline for long",
    NotificationKind.MANDATE_ENDING: "An ERE mandate ends this year",
    NotificationKind.PAYOUT_MADE: "A payout was made",
    NotificationKind.WEBHOOK_DISABLED: "A webhook endpoint was disabled",
}

FOLLOWS: dict[EventKind, NotificationKind] = {
    EventKind.SESSION_COMPLETED: NotificationKind.CHARGING_FINISHED,
    EventKind.PLAN_UNMET: NotificationKind.PLAN_UNMET,
    EventKind.CHARGER_OFFLINE: NotificationKind.CHARGER_OFFLINE,
    EventKind.MANDATE_ENDING: NotificationKind.MANDATE_ENDING,
    EventKind.PAYOUT_PAID: NotificationKind.PAYOUT_MADE,
}


@dataclass(frozen=True, slots=True)
class NotificationSettings:
    """An owner's choices; the Apprise URLs are secrets and never part of this view."""

    user_id: int
    url_count: int
    enabled: frozenset[NotificationKind]

    def wants(self, kind: NotificationKind) -> bool:
        return kind is NotificationKind.WEBHOOK_DISABLED or kind in self.enabled
