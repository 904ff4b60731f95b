"""Day-ahead price sources behind the `PriceSource` port (see chargebook.domain.prices)."""

from chargebook.prices.cache import CachedPriceSource, InMemoryPriceCache
from chargebook.prices.energyzero import EnergyZeroInterval, EnergyZeroPriceSource
from chargebook.prices.entsoe import EntsoePriceSource
from chargebook.prices.exceptions import (
    PriceSourceAuthError,
    PriceSourceConnectionError,
    PriceSourceError,
    PriceSourceRateLimitError,
    PriceSourceResponseError,
    PriceSourcesExhaustedError,
)
from chargebook.prices.fallback import FallbackPriceSource
from chargebook.prices.file import FilePriceSource, load_price_file
from chargebook.prices.slots import local_day_window, quarters_in_local_day

__all__ = [
    "CachedPriceSource",
    "EnergyZeroInterval",
    "EnergyZeroPriceSource",
    "EntsoePriceSource",
    "FallbackPriceSource",
    "FilePriceSource",
    "InMemoryPriceCache",
    "PriceSourceAuthError",
    "PriceSourceConnectionError",
    "PriceSourceError",
    "PriceSourceRateLimitError",
    "PriceSourceResponseError",
    "PriceSourcesExhaustedError",
    "load_price_file",
    "local_day_window",
    "quarters_in_local_day",
]
