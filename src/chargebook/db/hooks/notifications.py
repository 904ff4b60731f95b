"""Owners' notification settings: Apprise URLs (encrypted by the caller) and kinds."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.hooks.tables import NotificationSettingsRow, WebhookEndpointRow
from chargebook.domain.notifications import SWITCHABLE, NotificationKind, NotificationSettings


class NotificationSettingsRepository:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def get(self, user_id: int) -> NotificationSettings:
        """The owner's settings; every kind on and no URL until they save any."""
        row = self._session.get(NotificationSettingsRow, user_id)
        if row is None:
            return NotificationSettings(user_id, 0, frozenset(SWITCHABLE))
        return _settings(row)

    def encrypted_urls(self, user_id: int) -> str | None:
        row = self._session.get(NotificationSettingsRow, user_id)
        return None if row is None else row.urls_encrypted

    def save(
        self,
        user_id: int,
        *,
        enabled: Iterable[NotificationKind],
        urls_encrypted: str | None,
        url_count: int,
        keep_urls: bool = False,
    ) -> NotificationSettings:
        """Store the kinds, and the URLs unless `keep_urls` (the form left them unchanged)."""
        row = self._session.get(NotificationSettingsRow, user_id)
        if row is None:
            row = NotificationSettingsRow(user_id=user_id, url_count=0, urls_encrypted=None)
            self._session.add(row)
        row.enabled = " ".join(sorted({kind.value for kind in enabled}))
        if not keep_urls:
            row.urls_encrypted, row.url_count = urls_encrypted, url_count
        row.updated_at = self._clock.now()
        self._session.flush()
        return _settings(row)


def _settings(row: NotificationSettingsRow) -> NotificationSettings:
    return NotificationSettings(
        user_id=row.user_id,
        url_count=row.url_count,
        enabled=frozenset(NotificationKind(v) for v in row.enabled.split() if v),
    )


def stored_hook_secret_count(session: Session) -> int:
    """Webhook secrets and notification URL sets held encrypted (the secret key's guard)."""
    endpoints = session.scalar(select(func.count()).select_from(WebhookEndpointRow)) or 0
    urls = session.scalar(
        select(func.count())
        .select_from(NotificationSettingsRow)
        .where(NotificationSettingsRow.urls_encrypted.is_not(None))
    )
    return endpoints + (urls or 0)
