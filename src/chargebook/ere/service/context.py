"""From the book to the pure core: the eligibility context and a stream of verdicts.

Sessions are streamed from the database (ordered by charger and start, one row at a time);
only the chargers, their constructs and the mandates are held in memory, and a few sessions
per charger while `evaluate_sessions` checks overlaps. Memory does not grow with the number
of sessions.
"""

from __future__ import annotations

from collections.abc import Container, Iterator
from datetime import datetime, timedelta

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_book import period_kind_of
from chargebook.domain.models import ChargingSession
from chargebook.ere import (
    BookingPolicy,
    ChargerLink,
    EligibilityContext,
    SessionEligibility,
    effective_constructs,
    evaluate_sessions,
    max_power_kw_from_current,
    period_bounds,
    period_of,
)

# A charger whose maximum current is unknown is judged as a 32 A three-phase charger (22 kW).
DEFAULT_MAX_CURRENT_A = 32
# Sessions ending this long before the period are read too, so that an overlap across the
# period's start is still seen; their own verdicts are left out.
OVERLAP_MARGIN = timedelta(days=2)


class _Registered(Container[str]):
    """`already_registered` for a stream: ids of the sessions in flight that are registered."""

    def __init__(self) -> None:
        self.ids: set[str] = set()

    def __contains__(self, item: object) -> bool:
        return item in self.ids


def load_context(
    store: EreStore,
    *,
    now: datetime,
    policy: BookingPolicy | None = None,
    service_provider_id: str | None = None,
    already_registered: Container[str] = frozenset(),
) -> EligibilityContext:
    """Chargers linked to a connection (with their construct history as the rules apply it:
    `effective_constructs`, from each charger's first MID-metered session) and every mandate.

    Charger and session ids in the context are book ids as strings.
    """
    connections = {stored.id: stored.connection for stored in store.connections.list()}
    constructs = store.metering.constructs_by_charger()
    first_mid = store.metering.first_mid_session_starts()
    chargers: dict[str, ChargerLink] = {}
    for charger_id, connection_id in store.connections.charger_links().items():
        charger = store.chargers.get(charger_id).charger
        connection = connections[connection_id]
        chargers[str(charger_id)] = ChargerLink(
            charger_external_id=str(charger_id),
            ean=connection.ean,
            customer_id=connection.customer_id,
            max_power_kw=max_power_kw_from_current(charger.max_current_a or DEFAULT_MAX_CURRENT_A),
            constructs=effective_constructs(
                constructs.get(charger_id, ()), first_mid.get(charger_id)
            ),
            customer_kind=connection.customer_kind,
        )
    return EligibilityContext(
        chargers=chargers,
        mandates_by_ean=store.mandates.by_ean(),
        now=now,
        policy=policy or BookingPolicy(),
        service_provider_id=service_provider_id,
        already_registered=already_registered,
    )


def stream_verdicts(
    store: EreStore,
    period: DeliveryPeriod,
    *,
    now: datetime,
    policy: BookingPolicy | None = None,
    service_provider_id: str | None = None,
) -> Iterator[tuple[SessionEligibility, str]]:
    """(verdict, raw evidence SHA-256) of every session of a linked charger delivered in
    `period` (by its end, Dutch local time), in per-charger start order.

    Sessions registered in any batch fail with `already_registered`.
    """
    registered = _Registered()
    context = load_context(
        store,
        now=now,
        policy=policy,
        service_provider_id=service_provider_id,
        already_registered=registered,
    )
    kind = period_kind_of(period)
    start, end = period_bounds(period)
    hashes: dict[str, str] = {}

    def sessions() -> Iterator[ChargingSession]:
        for row in store.stream_linked_sessions(ended_from=start - OVERLAP_MARGIN, ended_until=end):
            session_id = row.session.external_id
            hashes[session_id] = row.raw_sha256
            if row.registered:
                registered.ids.add(session_id)
            yield row.session

    for verdict in evaluate_sessions(sessions(), context):
        digest = hashes.pop(verdict.session_id)
        registered.ids.discard(verdict.session_id)
        if period_of(verdict.delivery_year, verdict.delivery_month, kind) == period:
            yield verdict, digest
