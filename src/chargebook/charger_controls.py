"""Which adapter of the `ChargerControl` port commands a book charger: the one place that
knows chargers' sources (the web app, the API, the smart-charging runtime and the CLI only
talk to the port).

`ChargerControls` maps a source to a factory that gives the adapter for one charger:
- Wallbox Cloud (`WallboxAccountControls`): a `WallboxControl` over a client of the charger's
  account, with its stored credentials and tokens and the account's shared request budget
  (about 5 writes a minute), built only when a command or read needs it;
- OCPP (`use_central_system`): an `OcppControl` over chargebook's central system while it
  runs, its power and energy read from the book's latest recorded sample.
- the brands beside the Wallbox (`BrandAccountControls`, issue 19): the account's
  `BrandClient` (a `ChargerControl` itself), opened at the first command or read for one of
  the account's chargers, with the account's budget from the `BrandRegistry` (shared with its
  sync and recorder), and kept for the account's later commands.
A new brand adds its connector to `brand_connectors.CONNECTORS`; nothing here changes.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import httpx

from chargebook.account_sources import DatabaseTokenStore, budget_registry
from chargebook.brand_connectors import BrandRegistry, process_registry
from chargebook.central_system.control import OcppCommandService, OcppControl
from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import Database, WallboxAccountRepository
from chargebook.db.accounts.brand_accounts import BrandAccountRepository
from chargebook.db.book.reads import BookReadRepository
from chargebook.domain.account_keys import brand_account_id
from chargebook.domain.brands import BrandClient
from chargebook.domain.control import ControlCapabilities, ControlNotSupportedError
from chargebook.domain.models import ChargerSource, ChargerStatus
from chargebook.domain.plausibility import CLOCK_TOLERANCE
from chargebook.domain.ports import ChargerControl
from chargebook.domain.stored import StoredCharger
from chargebook.errors import NotFoundError
from chargebook.settings import Settings
from chargebook.wallbox import BudgetRegistry, WallboxClient
from chargebook.wallbox.control import WallboxControl

# Gives the adapter that commands one book charger (by its `external_id`).
ControlFactory = Callable[[StoredCharger], ChargerControl]


class ChargerControls:
    """The adapters by source; see the module docstring."""

    def __init__(self) -> None:
        self._factories: dict[ChargerSource, ControlFactory] = {}

    def register(self, source: ChargerSource, factory: ControlFactory) -> None:
        """Plug in (or replace) the adapter factory of a source."""
        self._factories[source] = factory

    def unregister(self, source: ChargerSource) -> None:
        """Remove a source's factory (its system stopped)."""
        self._factories.pop(source, None)

    def use_wallbox_accounts(self, accounts: WallboxAccountControls) -> None:
        self.register(ChargerSource.WALLBOX_CLOUD, accounts.for_charger)

    def use_brand_accounts(self, accounts: BrandAccountControls) -> None:
        """Command the chargers of every brand `accounts`' registry has a connector for."""
        for source in accounts.sources:
            self.register(source, accounts.for_charger)

    def use_central_system(
        self, central: OcppCommandService, database: Database, clock: Clock
    ) -> None:
        """Command OCPP chargers through `central` (while it runs)."""

        def for_charger(charger: StoredCharger) -> ChargerControl:
            return OcppControl(central, BookMeter(database, charger.id, clock), clock)

        self.register(ChargerSource.OCPP, for_charger)

    def drop_central_system(self) -> None:
        self.unregister(ChargerSource.OCPP)

    def for_charger(self, charger: StoredCharger) -> ChargerControl:
        """The adapter that commands `charger` (call its methods with `external_id`).

        Raises:
            ControlNotSupportedError: no adapter for the charger's source runs here.
        """
        factory = self._factories.get(charger.charger.source)
        if factory is None:
            raise ControlNotSupportedError(
                f"commands to {charger.charger.source.value} chargers are not available here"
            )
        return factory(charger)

    def following(self, charger: StoredCharger) -> ChargerControl:
        """The charger's adapter looked up at every call, so a long-lived user (a smart
        controller) follows its system starting, stopping or restarting; until it runs,
        every call raises `ControlNotSupportedError`."""
        return _Following(self, charger)


class _Following:
    """`ChargerControl` that asks `ChargerControls` for the adapter at each call."""

    def __init__(self, controls: ChargerControls, charger: StoredCharger) -> None:
        self._controls, self._charger = controls, charger

    def capabilities(self, charger_id: str) -> ControlCapabilities:
        return self._controls.for_charger(self._charger).capabilities(charger_id)

    async def read(self, charger_id: str) -> ChargerStatus:
        return await self._controls.for_charger(self._charger).read(charger_id)

    async def set_charging(self, charger_id: str, on: bool) -> None:
        await self._controls.for_charger(self._charger).set_charging(charger_id, on)

    async def set_current(self, charger_id: str, amps: int) -> None:
        await self._controls.for_charger(self._charger).set_current(charger_id, amps)

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        await self._controls.for_charger(self._charger).set_locked(charger_id, locked)

    async def restart(self, charger_id: str) -> None:
        await self._controls.for_charger(self._charger).restart(charger_id)

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None:
        await self._controls.for_charger(self._charger).set_energy_price(charger_id, price_per_kwh)


class WallboxAccountControls:
    """`WallboxControl`s over the stored myWallbox accounts, one shared HTTP client and one
    budget per account (so commands, sync and the recorder share the account's limits)."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        box: SecretBox,
        clock: Clock,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        budgets: BudgetRegistry | None = None,
    ) -> None:
        self._settings, self._database, self._box, self._clock = settings, database, box, clock
        self._budgets = budgets or budget_registry(settings, clock)
        self._http = httpx.AsyncClient(transport=transport)

    def for_charger(self, charger: StoredCharger) -> ChargerControl:
        return WallboxControl(lambda: self._client_for(charger))

    def _client_for(self, charger: StoredCharger) -> WallboxClient:
        """Raises `NotFoundError` when the charger has no connected account."""
        if charger.account_id is None:
            raise NotFoundError("this charger has no connected myWallbox account")
        with self._database.session() as session:
            repository = WallboxAccountRepository(session, self._box, self._clock)
            account = repository.get(charger.account_id)
            credentials = repository.get_credentials(charger.account_id)
        return WallboxClient.from_settings(
            self._settings,
            email=credentials.email,
            password=credentials.password,
            http_client=self._http,
            clock=self._clock,
            budget=self._budgets.for_account(account.email),
            token_store=DatabaseTokenStore(self._database, self._box, self._clock, account.id),
        )

    async def aclose(self) -> None:
        """Close the shared HTTP client."""
        await self._http.aclose()


class BrandAccountControls:
    """The stored brand accounts' clients as their chargers' `ChargerControl`: one client per
    account, opened when a command or read first needs it (see the module docstring)."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        box: SecretBox,
        clock: Clock,
        *,
        registry: BrandRegistry | None = None,
    ) -> None:
        self._settings, self._database, self._box, self._clock = settings, database, box, clock
        self._registry = registry or process_registry()
        self._clients: dict[int, BrandClient] = {}

    @property
    def sources(self) -> tuple[ChargerSource, ...]:
        return self._registry.sources

    def for_charger(self, charger: StoredCharger) -> ChargerControl:
        return _BrandControl(lambda: self._client_for(charger))

    def _client_for(self, charger: StoredCharger) -> BrandClient:
        """Raises `NotFoundError` when the charger has no connected account."""
        key = charger.account_id
        brand_id = None if key is None else brand_account_id(key)
        if key is None or brand_id is None:
            raise NotFoundError("this charger has no connected account to command it through")
        if key not in self._clients:
            with self._database.session() as session:
                account = BrandAccountRepository(session, self._box, self._clock).get(brand_id)
            self._clients[key] = self._registry.open_client(
                self._settings, self._database, self._box, self._clock, account
            )
        return self._clients[key]

    async def aclose(self) -> None:
        """Close the accounts' clients."""
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            await client.aclose()


class _BrandControl:
    """`ChargerControl` over the account's client, opened at the first call."""

    def __init__(self, client: Callable[[], BrandClient]) -> None:
        self._client = client

    def capabilities(self, charger_id: str) -> ControlCapabilities:
        return self._client().capabilities(charger_id)

    async def read(self, charger_id: str) -> ChargerStatus:
        return await self._client().read(charger_id)

    async def set_charging(self, charger_id: str, on: bool) -> None:
        await self._client().set_charging(charger_id, on)

    async def set_current(self, charger_id: str, amps: int) -> None:
        await self._client().set_current(charger_id, amps)

    async def set_locked(self, charger_id: str, locked: bool) -> None:
        await self._client().set_locked(charger_id, locked)

    async def restart(self, charger_id: str) -> None:
        await self._client().restart(charger_id)

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None:
        await self._client().set_energy_price(charger_id, price_per_kwh)


class BookMeter:
    """`LiveMeter` for OCPP chargers: the latest sample the central system recorded."""

    def __init__(self, database: Database, book_id: int, clock: Clock) -> None:
        self._database = database
        self._book_id = book_id
        self._clock = clock

    async def live(self, charge_point_id: str) -> tuple[float, float]:
        with self._database.session() as session:
            sample = BookReadRepository(session).latest_sample(
                self._book_id, not_after=self._clock.now() + CLOCK_TOLERANCE
            )
        return (sample.power_kw, sample.energy_kwh) if sample is not None else (0.0, 0.0)
