"""The smart-charging runtime's view of the web app's charger controls and prices.

`serve.smart.SmartRuntime` drives each charger through the `ChargerControl` that
`charger_port(context)` gives (the app's `ChargerControls`: the Wallbox account's shared
write budget, or the OCPP central system while it runs), on `price_source(context)`.
"""

from __future__ import annotations

from chargebook.db.smart.store import DatabasePriceCache
from chargebook.domain.prices import PriceSource
from chargebook.serve.smart import ChargerPorts, network_price_source
from chargebook.web.context import WebContext


def price_source(context: WebContext) -> PriceSource:
    """The app's price source (built from the settings on first use)."""
    if context.prices is None:
        cache = DatabasePriceCache(context.database, context.clock)
        context.prices = network_price_source(context.settings, cache)
    return context.prices


def charger_port(context: WebContext) -> ChargerPorts:
    """The runtime's `chargers`: the charger's adapter, followed as the central system starts
    and stops (`ChargerControls.following`)."""
    return context.controls.following
