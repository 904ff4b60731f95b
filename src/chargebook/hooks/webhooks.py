"""The webhook endpoints' use cases: register (secret shown once), list, delete, ping, and
the deliveries log. Every door (API, CLI) calls these with the caller's `Viewer`: an owner
manages and sees only their own endpoints, an operator all of them."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass

from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import SqlSession
from chargebook.db.hooks.webhooks import WebhookRepository
from chargebook.domain.access import Viewer
from chargebook.domain.events import WEBHOOK_EVENTS, EventKind
from chargebook.domain.webhooks import WebhookDelivery, WebhookEndpoint
from chargebook.hooks.signing import new_secret
from chargebook.hooks.targets import WebhookUrlError, parse_target, resolve_target

MAX_ENDPOINTS_PER_USER = 10
PING = "ping"


@dataclass(frozen=True, slots=True)
class CreatedEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once; the book keeps it encrypted

    def __repr__(self) -> str:
        return f"CreatedEndpoint(endpoint={self.endpoint!r}, secret=<hidden>)"


def parse_events(values: Iterable[str]) -> frozenset[EventKind]:
    """The event kinds named, each one a webhook may subscribe to.

    Raises:
        WebhookUrlError: an unknown kind, or none.
    """
    known = {kind.value: kind for kind in WEBHOOK_EVENTS}
    kinds = set()
    for value in values:
        if value not in known:
            raise WebhookUrlError(
                f"unknown webhook event {value!r}; one of: {', '.join(sorted(known))}"
            )
        kinds.add(known[value])
    if not kinds:
        raise WebhookUrlError("choose at least one event")
    return frozenset(kinds)


async def check_url(url: str, *, allow_private: bool) -> str:
    """The URL, stripped, if the server may call it now (form and resolved addresses)."""
    url = url.strip()
    await resolve_target(
        parse_target(url, allow_private=allow_private), allow_private=allow_private
    )
    return url


def create_endpoint(
    session: SqlSession,
    clock: Clock,
    box: SecretBox,
    viewer: Viewer,
    *,
    url: str,
    events: frozenset[EventKind],
    all_owners: bool = False,
) -> CreatedEndpoint:
    """Register a checked URL (see `check_url`) for the viewer.

    Raises:
        WebhookUrlError: an owner asked for every owner's events, or has too many endpoints.
    """
    if all_owners and not viewer.is_operator:
        raise WebhookUrlError("only an operator may receive every owner's events")
    repository = WebhookRepository(session, clock)
    if len(repository.endpoints(viewer.user.id)) >= MAX_ENDPOINTS_PER_USER:
        raise WebhookUrlError(f"at most {MAX_ENDPOINTS_PER_USER} webhook endpoints per user")
    secret = new_secret()
    endpoint = repository.add(
        user_id=viewer.user.id,
        url=url,
        secret_encrypted=box.encrypt(secret),
        events=events,
        all_owners=all_owners,
    )
    return CreatedEndpoint(endpoint, secret)


def _scope(viewer: Viewer) -> int | None:
    return viewer.owner_filter


def list_endpoints(session: SqlSession, clock: Clock, viewer: Viewer) -> list[WebhookEndpoint]:
    return WebhookRepository(session, clock).endpoints(_scope(viewer))


def delete_endpoint(session: SqlSession, clock: Clock, viewer: Viewer, endpoint_id: int) -> None:
    """Raises NotFoundError unless the endpoint is the viewer's (any, for an operator)."""
    WebhookRepository(session, clock).remove(endpoint_id, _scope(viewer))


def ping_endpoint(session: SqlSession, clock: Clock, viewer: Viewer, endpoint_id: int) -> int:
    """Queue a `ping` delivery (the dispatcher sends it); its id.

    Raises:
        NotFoundError: not the viewer's endpoint.
        WebhookUrlError: the endpoint is disabled (create it again).
    """
    repository = WebhookRepository(session, clock)
    endpoint = repository.get(endpoint_id, _scope(viewer))
    if not endpoint.active:
        raise WebhookUrlError(f"webhook endpoint {endpoint_id} is disabled; register it again")
    body = json.dumps(
        {"id": None, "type": PING, "occurred_at": clock.now().isoformat(), "data": {}},
        sort_keys=True,
    )
    return repository.enqueue(endpoint.id, event_id=None, kind=PING, body=body)


def endpoint_deliveries(
    session: SqlSession, clock: Clock, viewer: Viewer, endpoint_id: int
) -> list[WebhookDelivery]:
    """The endpoint's newest deliveries with each attempt (404 unless the viewer's)."""
    repository = WebhookRepository(session, clock)
    repository.get(endpoint_id, _scope(viewer))
    return repository.deliveries(endpoint_id)
