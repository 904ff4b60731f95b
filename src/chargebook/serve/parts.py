"""What the `serve` runtime runs on: the parts a composition root hands it.

The runtime (scheduler thread, backfills, smart charging, OCPP) needs the settings, the book,
the secret box, the clock and the Wallbox request budgets, never the web app. The web app's
`WebContext` has these attributes, so `create_app` hands its context over as is; any other
composition root (a test, a future headless `serve`) can build its own.
"""

from __future__ import annotations

from typing import Protocol

from chargebook.brand_connectors import BrandRegistry
from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import Database
from chargebook.settings import Settings
from chargebook.wallbox import BudgetRegistry
from chargebook.wallbox.transport import HttpTransport


class RuntimeParts(Protocol):
    """The shared dependencies of the background runtime (read only)."""

    @property
    def settings(self) -> Settings: ...

    @property
    def database(self) -> Database: ...

    @property
    def box(self) -> SecretBox: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def budgets(self) -> BudgetRegistry | None:
        """One request budget per Wallbox account, shared with the charger commands."""
        ...

    @property
    def brands(self) -> BrandRegistry | None:
        """The brands beside the Wallbox (connectors, transports, one budget per account;
        None: the process's registry)."""
        ...

    @property
    def wallbox_transport(self) -> HttpTransport | None:
        """How the Wallbox clients reach the cloud (None: real HTTP; tests: the simulator)."""
        ...
