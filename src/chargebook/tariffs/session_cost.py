"""A book session's cost at its owner's tariff (the tariff in force when it was charged, so a
contract changed later never changes it). Market prices for a dynamic tariff come from the
price cache (`price_slots`); quarters it does not hold leave the cost incomplete.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal

from chargebook.db import SqlSession
from chargebook.db.smart.repository import PriceSlotRepository
from chargebook.domain.book import SessionSample
from chargebook.domain.prices import floor_to_slot
from chargebook.domain.stored import BookSession
from chargebook.domain.tariff_costs import TariffCost, energy_cost, energy_spans
from chargebook.domain.tariffs import DynamicTariff, TariffSchedule
from chargebook.settings import Settings
from chargebook.tariffs.service import owner_schedule

# The network sources the app caches, in the order it asks them (serve.smart).
CACHED_SOURCES = ("energyzero", "entsoe")


def session_tariff_cost(
    db: SqlSession,
    settings: Settings,
    session: BookSession,
    owner_user_id: int | None,
    samples: Sequence[SessionSample] = (),
) -> TariffCost | None:
    """The session's cost at the owner's tariff (None: no times or energy to price)."""
    if session.started_at is None or session.ended_at is None or session.energy_kwh is None:
        return None
    schedule = owner_schedule(db, settings, owner_user_id)
    return cost_at(db, schedule, session, samples)


def cost_at(
    db: SqlSession,
    schedule: TariffSchedule,
    session: BookSession,
    samples: Sequence[SessionSample] = (),
) -> TariffCost | None:
    """`session_tariff_cost` with the schedule already read (a page of sessions)."""
    start, end, energy = session.started_at, session.ended_at, session.energy_kwh
    if start is None or end is None or energy is None:
        return None
    points = sorted((s.observed_at, s.energy_kwh) for s in samples)
    spans = energy_spans(start, end, energy, points)
    market: dict[datetime, Decimal] = {}
    if any(isinstance(schedule.tariff_at(s.start), DynamicTariff) for s in spans):
        repository = PriceSlotRepository(db)
        for source in reversed(CACHED_SOURCES):  # the first source wins where both have it
            market.update(
                {
                    s.start: s.market_eur_per_kwh
                    for s in repository.window(source, floor_to_slot(start), end)
                }
            )
    return energy_cost(schedule, spans, market)
