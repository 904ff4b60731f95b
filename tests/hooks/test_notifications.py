"""Notifications through Apprise to a loopback target (Apprise's `json://` to the test's
receiver): the body says what happened, a switched-off kind is not sent, the URLs are stored
encrypted."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text

from chargebook.clock import FixedClock
from chargebook.crypto import SecretBox
from chargebook.db import Database
from chargebook.db.hooks.outbox import SqlOutbox
from chargebook.domain.events import DomainEvent, EventKind
from chargebook.domain.notifications import NotificationKind
from chargebook.hooks.dispatch import HookDispatcher
from chargebook.hooks.notifications import check_urls, save_settings, send_test
from chargebook.hooks.notifier import AppriseNotifier, NotificationUrlError
from chargebook.hooks.policy import HookPolicy
from chargebook.hooks.sender import HttpSender

from .conftest import People
from .receiver import receiver


async def test_only_the_kinds_switched_on_are_sent_through_apprise(
    database: Database, clock: FixedClock, box: SecretBox, people: People
) -> None:
    owner = people.owner_a.user.id
    with receiver() as inbox:
        url = f"json://127.0.0.1:{inbox.port}/chargebook"
        [checked] = await check_urls([url], allow_private=True)
        with database.transaction() as session:
            save_settings(session, clock, box, owner, enabled=[NotificationKind.PAYOUT_MADE],
                          urls=[checked])  # fmt: skip
            outbox = SqlOutbox(session, clock)
            outbox.emit(DomainEvent(EventKind.SESSION_COMPLETED, owner, {"energy_kwh": "9"}))
            outbox.emit(
                DomainEvent(
                    EventKind.PAYOUT_PAID, owner, {"payout_eur": "12.34", "period": "2026-Q1"}
                )
            )
            # Owner B's payout goes to B (who has no URLs), never to A.
            outbox.emit(DomainEvent(EventKind.PAYOUT_PAID, people.owner_b.user.id, {}))
        policy = HookPolicy(allow_private=True)
        sender = HttpSender(timeout_s=5, allow_private=True)
        report = await HookDispatcher(
            database, clock, box, sender, AppriseNotifier(), policy
        ).run_once()
        await sender.aclose()

    assert report.notifications == 1
    [got] = inbox.requests
    assert got.path == "/chargebook"
    body = json.loads(got.body)
    assert body["title"] == "chargebook: A payout was made"
    assert body["message"] == "A payout of EUR 12.34 for 2026-Q1 was made."
    with database.session() as session:
        stored = session.execute(text("SELECT urls_encrypted FROM notification_settings")).scalar()
    assert stored is not None
    assert str(inbox.port) not in stored  # encrypted at rest


async def test_the_test_button_sends_whatever_the_kinds(
    database: Database, clock: FixedClock, box: SecretBox, people: People
) -> None:
    owner = people.owner_a.user.id
    with receiver() as inbox:
        with database.transaction() as session:
            save_settings(session, clock, box, owner, enabled=[],
                          urls=[f"json://127.0.0.1:{inbox.port}/"])  # fmt: skip
        assert await send_test(database, clock, box, AppriseNotifier(), owner)
    [got] = inbox.requests
    assert json.loads(got.body)["title"] == "chargebook: test"


@pytest.mark.parametrize(
    "url",
    ["json://127.0.0.1:8080/", "ntfy://10.0.0.5/topic", "not-a-url", "gotify://192.168.1.2/t"],
)
async def test_unknown_or_private_notification_urls_are_refused(url: str) -> None:
    with pytest.raises(NotificationUrlError) as refused:
        await check_urls([url], allow_private=False)
    assert url not in str(refused.value)  # the URL (a secret) is never in the message
