"""The web app's day-ahead price source, built once from the settings.

The smart-charging runtime (`serve.smart`) plans on `price_source(context)`, and so do the
plan previews; it drives chargers through `context.controls.following`.
"""

from __future__ import annotations

from chargebook.db.smart.store import DatabasePriceCache
from chargebook.domain.prices import PriceSource
from chargebook.serve.smart import network_price_source
from chargebook.web.context import WebContext


def price_source(context: WebContext) -> PriceSource:
    """The app's price source (built from the settings on first use)."""
    if context.prices is None:
        cache = DatabasePriceCache(context.database, context.clock)
        context.prices = network_price_source(context.settings, cache)
    return context.prices
