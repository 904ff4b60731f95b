"""Webhooks end to end against a real receiver on loopback: a signed delivery (the signature
verified as a receiver would), a retry after a 500, an endpoint disabled after failing, an
event of a rolled-back transaction never delivered, another owner's event not delivered."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from chargebook.clock import FixedClock
from chargebook.crypto import SecretBox
from chargebook.db import Database
from chargebook.db.hooks.outbox import SqlOutbox
from chargebook.domain.events import DomainEvent, EventKind
from chargebook.domain.webhooks import DeliveryStatus
from chargebook.hooks import webhooks
from chargebook.hooks.dispatch import HookDispatcher
from chargebook.hooks.notifier import AppriseNotifier
from chargebook.hooks.policy import HookPolicy
from chargebook.hooks.sender import HttpSender

from .conftest import People
from .receiver import receiver

LOOPBACK = HookPolicy(allow_private=True, timeout_s=5)


def verify(secret: str, headers: dict[str, str], body: bytes, now: int) -> bool:
    """What docs/webhooks.md tells a receiver to do (header names are case-insensitive)."""
    lower = {k.lower(): v for k, v in headers.items()}
    timestamp = lower["x-chargebook-timestamp"]
    if abs(now - int(timestamp)) > 300:
        return False
    expected = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest("v1=" + expected.hexdigest(), lower["x-chargebook-signature"])


def emit(database: Database, clock: FixedClock, kind: EventKind, owner: int | None) -> None:
    with database.transaction() as session:
        SqlOutbox(session, clock).emit(DomainEvent(kind, owner, {"energy_kwh": "7.5"}))


def emit_then_fail(database: Database, clock: FixedClock, owner: int) -> None:
    with database.transaction() as session:
        SqlOutbox(session, clock).emit(DomainEvent(EventKind.PAYOUT_PAID, owner, {"x": 1}))
        raise RuntimeError("the fact failed: its event must vanish with it")


def register(
    database: Database, clock: FixedClock, box: SecretBox, who, url: str, **kw: object
) -> webhooks.CreatedEndpoint:
    with database.transaction() as session:
        return webhooks.create_endpoint(
            session, clock, box, who, url=url,
            events=frozenset({EventKind.SESSION_COMPLETED, EventKind.PAYOUT_PAID}),
            **kw,  # type: ignore[arg-type]
        )  # fmt: skip


def dispatcher(
    database: Database, clock: FixedClock, box: SecretBox, policy: HookPolicy = LOOPBACK
) -> HookDispatcher:
    sender = HttpSender(timeout_s=policy.timeout_s, allow_private=policy.allow_private)
    return HookDispatcher(database, clock, box, sender, AppriseNotifier(), policy)


async def test_signed_delivery_only_to_the_owner_and_never_for_a_rolled_back_event(
    database: Database, clock: FixedClock, box: SecretBox, people: People
) -> None:
    with receiver() as rx:
        a = register(database, clock, box, people.owner_a, rx.url("/a"))
        register(database, clock, box, people.owner_b, rx.url("/b"))
        ops = register(database, clock, box, people.operator, rx.url("/op"), all_owners=True)
        emit(database, clock, EventKind.SESSION_COMPLETED, people.owner_a.user.id)
        with pytest.raises(RuntimeError, match="the fact failed"):
            emit_then_fail(database, clock, people.owner_a.user.id)
        report = await dispatcher(database, clock, box).run_once()

    assert report.events == 1
    [got] = rx.at("/a")
    assert rx.at("/b") == []  # owner B never hears of owner A's session
    assert len(rx.at("/op")) == 1  # the operator's all-owners endpoint does
    assert verify(a.secret, got.headers, got.body, int(clock.now().timestamp()))
    assert not verify(ops.secret, got.headers, got.body, int(clock.now().timestamp()))
    payload = json.loads(got.body)
    assert payload["type"] == "session.completed"
    assert payload["data"] == {"energy_kwh": "7.5"}
    assert got.headers["X-Chargebook-Event"] == "session.completed"
    with database.session() as session:
        [delivery] = webhooks.endpoint_deliveries(session, clock, people.owner_a, a.endpoint.id)
    assert delivery.status is DeliveryStatus.DELIVERED
    assert [h.status_code for h in delivery.history] == [200]


async def test_a_500_is_retried_with_backoff(
    database: Database, clock: FixedClock, box: SecretBox, people: People
) -> None:
    with receiver() as rx:
        rx.statuses = [500]
        a = register(database, clock, box, people.owner_a, rx.url())
        emit(database, clock, EventKind.PAYOUT_PAID, people.owner_a.user.id)
        run = dispatcher(database, clock, box)
        await run.run_once()
        assert len(rx.requests) == 1
        await run.run_once()  # not due yet: the backoff holds it
        assert len(rx.requests) == 1
        clock.advance(timedelta(seconds=31))
        await run.run_once()
    assert len(rx.requests) == 2
    assert rx.requests[0].body == rx.requests[1].body  # the same bytes, signed again
    with database.session() as session:
        [delivery] = webhooks.endpoint_deliveries(session, clock, people.owner_a, a.endpoint.id)
    assert delivery.status is DeliveryStatus.DELIVERED
    assert [h.status_code for h in delivery.history] == [500, 200]
    assert all(h.duration_ms >= 0 for h in delivery.history)


async def test_an_endpoint_that_keeps_failing_is_disabled_and_its_owner_told(
    database: Database, clock: FixedClock, box: SecretBox, people: People
) -> None:
    from chargebook.domain.notifications import NotificationKind
    from chargebook.hooks.notifications import save_settings

    policy = HookPolicy(allow_private=True, timeout_s=5, max_attempts=1, disable_after_failures=3)
    with receiver() as rx, receiver() as inbox:
        rx.statuses = [503] * 10
        a = register(database, clock, box, people.owner_a, rx.url())
        with database.transaction() as session:
            save_settings(session, clock, box, people.owner_a.user.id,
                          enabled=[NotificationKind.PAYOUT_MADE],
                          urls=[f"json://127.0.0.1:{inbox.port}/notify"])  # fmt: skip
        for _ in range(4):
            emit(database, clock, EventKind.SESSION_COMPLETED, people.owner_a.user.id)
        await dispatcher(database, clock, box, policy).run_once()
        emit(database, clock, EventKind.SESSION_COMPLETED, people.owner_a.user.id)
        await dispatcher(database, clock, box, policy).run_once()

    assert len(rx.requests) == 3  # the fourth and fifth are never sent
    with database.session() as session:
        [endpoint] = webhooks.list_endpoints(session, clock, people.owner_a)
        deliveries = webhooks.endpoint_deliveries(session, clock, people.owner_a, a.endpoint.id)
    assert not endpoint.active
    assert endpoint.disabled_reason
    assert "3 failed deliveries in a row" in endpoint.disabled_reason
    assert {d.status for d in deliveries} == {DeliveryStatus.FAILED}
    [notice] = inbox.requests  # "charging finished" is off; the disabling is always told
    assert "disabled" in json.loads(notice.body)["message"]


async def test_the_address_is_checked_again_at_delivery(
    database: Database, clock: FixedClock, box: SecretBox, people: People
) -> None:
    """A URL accepted once (or a name that now resolves inside) is refused when sent."""
    with receiver() as rx:
        a = register(database, clock, box, people.owner_a, f"https://127.0.0.1:{rx.port}/")
        emit(database, clock, EventKind.PAYOUT_PAID, people.owner_a.user.id)
        strict = HookPolicy(allow_private=False)
        await dispatcher(database, clock, box, strict).run_once()
    assert rx.requests == []
    with database.session() as session:
        [delivery] = webhooks.endpoint_deliveries(session, clock, people.owner_a, a.endpoint.id)
    assert delivery.status is DeliveryStatus.FAILED  # refused: no retry
    assert delivery.history[0].error
    assert "private" in delivery.history[0].error


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.1.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://[::ffff:10.0.0.1]/hook",
        "https://0.0.0.0/hook",
        "https://localhost/hook",
        "http://example.com/hook",
        "https://user:pw@example.com/hook",
        "ftp://example.com/hook",
    ],
)
async def test_private_targets_and_plain_http_are_refused(url: str) -> None:
    with pytest.raises(webhooks.WebhookUrlError):
        await webhooks.check_url(url, allow_private=False)


def test_an_owner_cannot_subscribe_to_every_owner(
    database: Database, clock: FixedClock, box: SecretBox, people: People
) -> None:
    with pytest.raises(webhooks.WebhookUrlError, match="only an operator"):
        register(database, clock, box, people.owner_a, "https://example.com/", all_owners=True)


def test_the_secret_is_stored_encrypted_and_hidden_from_reprs(
    database: Database, clock: FixedClock, box: SecretBox, people: People
) -> None:
    created = register(database, clock, box, people.owner_a, "https://example.com/")
    assert created.secret not in repr(created)
    with database.session() as session:
        stored = session.execute(
            text("SELECT secret_encrypted FROM webhook_endpoints")
        ).scalar_one()
    assert created.secret not in stored
    assert box.decrypt(stored) == created.secret


async def test_the_log_is_kept_thirty_days(
    database: Database, clock: FixedClock, box: SecretBox, people: People
) -> None:
    from chargebook.hooks.reminders import purge

    with receiver() as rx:
        a = register(database, clock, box, people.owner_a, rx.url())
        emit(database, clock, EventKind.PAYOUT_PAID, people.owner_a.user.id)
        await dispatcher(database, clock, box).run_once()
    clock.advance(timedelta(days=29))
    purge(database, clock)
    with database.session() as session:
        assert len(webhooks.endpoint_deliveries(session, clock, people.owner_a, a.endpoint.id)) == 1
    clock.advance(timedelta(days=2))
    purge(database, clock)
    with database.session() as session:
        assert webhooks.endpoint_deliveries(session, clock, people.owner_a, a.endpoint.id) == []
        assert session.execute(text("SELECT count(*) FROM webhook_attempts")).scalar() == 0
        assert session.execute(text("SELECT count(*) FROM event_outbox")).scalar() == 0


def test_a_missing_key_with_webhook_secrets_in_the_book_is_refused(
    isolated_data_dir: Path, clock: FixedClock
) -> None:
    """A new key would orphan every endpoint's secret: the lost key is reported instead."""
    from chargebook.book_keys import open_secret_box
    from chargebook.crypto import KEY_FILE_NAME, MissingSecretKeyError
    from chargebook.db import UserRepository, open_database
    from chargebook.domain.access import Viewer
    from chargebook.settings import load_settings

    database = open_database(load_settings())
    try:
        key_box = open_secret_box(load_settings(), database)
        with database.transaction() as session:
            owner = UserRepository(session, clock).create(email="o@example.com", password_hash="!")
        register(database, clock, key_box, Viewer(owner), "https://example.com/")
        (isolated_data_dir / KEY_FILE_NAME).unlink()
        with pytest.raises(MissingSecretKeyError, match=r"1 webhook secret"):
            open_secret_box(load_settings(), database)
    finally:
        database.dispose()
    assert not (isolated_data_dir / KEY_FILE_NAME).exists()
