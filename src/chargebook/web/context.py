"""What the web app runs on, built once by `create_app` and shared by every request."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import Database
from chargebook.domain.prices import PriceSource
from chargebook.settings import Settings
from chargebook.wallbox import BudgetRegistry
from chargebook.wallbox.transport import HttpTransport
from chargebook.web.accounts import LoginLimits
from chargebook.web.commands import ChargerCommands
from chargebook.web.security import Passwords

if TYPE_CHECKING:
    from chargebook.central_system import CentralSystem
    from chargebook.web.account_jobs import SchedulerThread
    from chargebook.web.smart_runtime import SmartRuntime


@dataclass(eq=False)
class WebContext:
    """The composition root's parts: settings, the book, the secret box, the clock, services."""

    settings: Settings
    database: Database
    box: SecretBox
    clock: Clock
    passwords: Passwords
    commands: ChargerCommands
    # One request budget per Wallbox account, shared by commands, sync and the recorder.
    budgets: BudgetRegistry | None = None
    limits: LoginLimits = field(default_factory=LoginLimits)
    # How the scheduler's Wallbox clients reach the cloud (tests: the simulator's ASGI app).
    wallbox_transport: HttpTransport | None = None
    # Set by the lifespan while `serve` runs them (None otherwise).
    scheduler: SchedulerThread | None = None
    central_system: CentralSystem | None = None
    # Day-ahead prices for plan previews and the smart-charging runtime (None: built from
    # the settings on first use, see `web.smart_runtime.price_source`; tests set a file source).
    prices: PriceSource | None = None
    # The smart-charging controllers while `serve` runs them (web.smart_runtime).
    smart: SmartRuntime | None = None

    def __repr__(self) -> str:
        return f"WebContext(database={self.database.dialect})"
