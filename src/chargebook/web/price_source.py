"""The web app's day-ahead price source, built once from the settings.

The smart-charging runtime (`serve.smart`) plans on `price_source(context)`, and so do the
plan previews; each prices the quarters at the charger owner's tariff (`owner_price_source`,
`TariffedPriceSource`). The runtime drives chargers through `context.controls.following`.
"""

from __future__ import annotations

from chargebook.db.smart.store import DatabasePriceCache
from chargebook.domain.prices import PriceSource
from chargebook.domain.tariffs import TariffSchedule
from chargebook.prices.tariffed import TariffedPriceSource, fixed_schedule
from chargebook.serve.smart import network_price_source
from chargebook.tariffs.service import owner_schedule
from chargebook.web.context import WebContext


def price_source(context: WebContext) -> PriceSource:
    """The app's price source (built from the settings on first use)."""
    if context.prices is None:
        cache = DatabasePriceCache(context.database, context.clock)
        context.prices = network_price_source(context.settings, cache)
    return context.prices


def owner_schedule_of(context: WebContext, user_id: int | None) -> TariffSchedule:
    """The owner's tariffs (the default for a charger without an owner)."""
    with context.database.session() as session:
        return owner_schedule(session, context.settings, user_id)


def owner_price_source(context: WebContext, schedule: TariffSchedule) -> PriceSource:
    """The app's prices with every quarter at the owner's tariff (a plan preview)."""
    return TariffedPriceSource(price_source(context), fixed_schedule(schedule))
