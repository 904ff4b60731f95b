"""`WallboxClient`: the Wallbox Cloud API (myWallbox) as typed async methods.

    async with WallboxClient("me@example.com", "secret") as wallbox:
        for charger in await wallbox.list_chargers():
            status = await wallbox.get_status(charger.external_id)

Every method returns chargebook domain objects in explicit units and raises only
`chargebook.wallbox.exceptions.WallboxError` subclasses. Requests share the account's
`RequestBudget`; retryable failures are retried with exponential backoff and jitter.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from chargebook.clock import Clock
from chargebook.errors import ConfigurationError
from chargebook.settings import Settings
from chargebook.wallbox._writes import _WallboxWrites
from chargebook.wallbox.budget import RequestBudget
from chargebook.wallbox.tokens import EncryptedFileTokenStore, TokenStore


class WallboxClient(_WallboxWrites):
    """Async client for one myWallbox account; satisfies `ChargerCloud` (its control methods
    are the `ChargerControl` port through `wallbox.control.WallboxControl`).

    Reads live in `_reads.py`, writes and remote actions in `_writes.py`, the transport
    (tokens, budget, retries) in `_base.py`; this class only builds a client from settings.
    """

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        email: str | None = None,
        password: str | None = None,
        http_client: httpx.AsyncClient | None = None,
        clock: Clock | None = None,
        budget: RequestBudget | None = None,
        token_store: TokenStore | None = None,
    ) -> WallboxClient:
        """A client configured from `Settings` (URLs, limits, timeout, stored tokens).

        Raises:
            ConfigurationError: no e-mail given or configured, or the secret key is unusable.
        """
        email = email or settings.wallbox_email
        if not email:
            raise ConfigurationError(
                "no myWallbox e-mail: pass --email or set CHARGEBOOK_WALLBOX_EMAIL"
            )
        if password is None and settings.wallbox_password is not None:
            password = settings.wallbox_password.get_secret_value()
        if budget is None:
            budget = RequestBudget(
                reads_per_minute=settings.wallbox_reads_per_minute,
                writes_per_minute=settings.wallbox_writes_per_minute,
                clock=clock,
                unlimited=settings.wallbox_partner_mode,
            )
        return cls(
            email,
            password,
            api_url=settings.wallbox_api_url,
            auth_url=settings.wallbox_auth_url,
            http_client=http_client,
            clock=clock,
            budget=budget,
            token_store=token_store or EncryptedFileTokenStore.from_settings(settings),
            timeout_s=settings.wallbox_timeout_s,
            max_retries=settings.wallbox_max_retries,
        )


if TYPE_CHECKING:
    from chargebook.domain.ports import ChargerCloud

    def _implements_ports(client: WallboxClient) -> ChargerCloud:
        # mypy proves here that the client satisfies the port (evcc's `var _ api.X = ...`).
        return client
