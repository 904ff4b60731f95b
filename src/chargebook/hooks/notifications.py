"""An owner's notification settings (Apprise URLs, kinds on/off) and sending to an owner."""

from __future__ import annotations

from collections.abc import Iterable

from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import Database, SqlSession
from chargebook.db.hooks.notifications import NotificationSettingsRepository
from chargebook.domain.notifications import NotificationKind, NotificationSettings
from chargebook.hooks.notifier import AppriseNotifier, NotificationUrlError, check_notification_url

MAX_URLS = 5


def parse_urls(text: str) -> list[str]:
    """One Apprise URL per line (blank lines ignored)."""
    urls = [line.strip() for line in text.splitlines() if line.strip()]
    if len(urls) > MAX_URLS:
        raise NotificationUrlError(f"at most {MAX_URLS} notification URLs")
    return urls


async def check_urls(urls: list[str], *, allow_private: bool) -> list[str]:
    return [await check_notification_url(url, allow_private=allow_private) for url in urls]


def save_settings(
    session: SqlSession,
    clock: Clock,
    box: SecretBox,
    user_id: int,
    *,
    enabled: Iterable[NotificationKind],
    urls: list[str] | None,
) -> NotificationSettings:
    """Store the kinds and, unless `urls` is None (left unchanged), the checked URLs."""
    encrypted = box.encrypt("\n".join(urls)) if urls else None
    return NotificationSettingsRepository(session, clock).save(
        user_id,
        enabled=enabled,
        urls_encrypted=encrypted,
        url_count=len(urls or []),
        keep_urls=urls is None,
    )


def owner_settings(session: SqlSession, clock: Clock, user_id: int) -> NotificationSettings:
    return NotificationSettingsRepository(session, clock).get(user_id)


def owner_urls(session: SqlSession, clock: Clock, box: SecretBox, user_id: int) -> list[str]:
    encrypted = NotificationSettingsRepository(session, clock).encrypted_urls(user_id)
    return [] if not encrypted else box.decrypt(encrypted).splitlines()


async def notify_owner(
    database: Database,
    clock: Clock,
    box: SecretBox,
    notifier: AppriseNotifier,
    user_id: int,
    kind: NotificationKind,
    title: str,
    body: str,
) -> bool:
    """Send if the owner wants `kind` and has URLs; False when nothing was sent."""
    with database.session() as session:
        settings = owner_settings(session, clock, user_id)
        urls = owner_urls(session, clock, box, user_id) if settings.wants(kind) else []
    if not urls:
        return False
    return await notifier.send(urls, title, body)


async def send_test(
    database: Database, clock: Clock, box: SecretBox, notifier: AppriseNotifier, user_id: int
) -> bool:
    """A test message to the owner's URLs, whatever kinds are on.

    Raises:
        NotificationUrlError: the owner has no notification URL yet.
    """
    with database.session() as session:
        urls = owner_urls(session, clock, box, user_id)
    if not urls:
        raise NotificationUrlError("enter a notification URL first")
    return await notifier.send(
        urls, "chargebook: test", "This is a test notification from chargebook."
    )
