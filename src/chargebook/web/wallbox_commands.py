"""`WallboxCommandPort`: commands to Wallbox Cloud chargers with the stored account credentials.

One `BudgetRegistry` for the whole app, so every command of one myWallbox account shares its
write budget (Wallbox allows about 5 writes a minute); tokens are read from and saved to the
book (`DatabaseTokenStore`), so a command rarely needs a fresh sign-in.
"""

from __future__ import annotations

import httpx

from chargebook.account_sources import DatabaseTokenStore, budget_registry
from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import Database, WallboxAccountRepository
from chargebook.domain.models import ChargerStatus
from chargebook.domain.stored import StoredCharger
from chargebook.errors import NotFoundError
from chargebook.settings import Settings
from chargebook.wallbox import BudgetRegistry, WallboxClient
from chargebook.web.commands import ChargerCommand, CommandRequest


class WallboxCommandPort:
    """The `CommandPort` of `wallbox_cloud` chargers."""

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

    async def execute(self, charger: StoredCharger, request: CommandRequest) -> None:
        """Send the command through the charger's account.

        Raises:
            NotFoundError: the charger has no connected account.
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        client = self._client_for(charger)
        charger_id = charger.charger.external_id
        match request.command:
            case ChargerCommand.LOCK:
                await client.set_locked(charger_id, True)
            case ChargerCommand.UNLOCK:
                await client.set_locked(charger_id, False)
            case ChargerCommand.PAUSE:
                await client.pause(charger_id)
            case ChargerCommand.RESUME:
                await client.resume(charger_id)
            case ChargerCommand.CURRENT:
                assert request.current_a is not None  # check_command guarantees it
                await client.set_max_current(charger_id, request.current_a)
            case ChargerCommand.RESTART:
                await client.restart(charger_id)
            case ChargerCommand.ENERGY_PRICE:
                assert request.price_per_kwh is not None
                await client.set_energy_price(charger_id, request.price_per_kwh)

    async def read_status(self, charger: StoredCharger) -> ChargerStatus:
        """The charger's live status through its account (shares the account's read budget).

        Raises:
            NotFoundError: the charger has no connected account.
            WallboxError: see `chargebook.wallbox.exceptions`.
        """
        return await self._client_for(charger).get_status(charger.charger.external_id)

    def _client_for(self, charger: StoredCharger) -> WallboxClient:
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
