"""What the web app runs on, built once by `create_app` and shared by every request.

It is also the `serve.parts.RuntimeParts` that the serve runtime runs on (web imports serve,
never the other way round), and holds the runtime's pieces while `serve` runs them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chargebook.brand_connectors import BrandRegistry
from chargebook.charger_controls import ChargerControls
from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import Database
from chargebook.domain.prices import PriceSource
from chargebook.serve.scheduler import SchedulerThread
from chargebook.serve.smart import SmartRuntime
from chargebook.settings import Settings
from chargebook.wallbox import BudgetRegistry
from chargebook.wallbox.transport import HttpTransport
from chargebook.web.login_throttle import LoginLimits
from chargebook.web.security import Passwords

if TYPE_CHECKING:
    from chargebook.central_system import CentralSystem


@dataclass(eq=False)
class WebContext:
    """The composition root's parts: settings, the book, the secret box, the clock, services."""

    settings: Settings
    database: Database
    box: SecretBox
    clock: Clock
    passwords: Passwords
    # The `ChargerControl` adapter of each charger (Wallbox now, OCPP while it runs).
    controls: ChargerControls
    # One request budget per Wallbox account, shared by commands, sync and the recorder.
    budgets: BudgetRegistry | None = None
    limits: LoginLimits = field(default_factory=LoginLimits)
    # The brands beside the Wallbox: connectors, transports and one budget per account.
    brands: BrandRegistry | None = None
    # How the scheduler's Wallbox clients reach the cloud (tests: the simulator's ASGI app).
    wallbox_transport: HttpTransport | None = None
    # Set by the lifespan while `serve` runs them (None otherwise).
    scheduler: SchedulerThread | None = None
    central_system: CentralSystem | None = None
    # Day-ahead prices for plan previews and the smart-charging runtime (None: built from
    # the settings on first use, see `web.price_source.price_source`; tests set a file source).
    prices: PriceSource | None = None
    # The smart-charging controllers while `serve` runs them (serve.smart).
    smart: SmartRuntime | None = None

    def __repr__(self) -> str:
        return f"WebContext(database={self.database.dialect})"
