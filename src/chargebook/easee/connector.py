"""The Easee brand as the composition roots see it: `CONNECTOR` (a `BrandConnector`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from chargebook.clock import Clock
from chargebook.domain.brands import BrandLogin, TokenKeeper
from chargebook.domain.models import ChargerSource
from chargebook.easee.budget import EaseeBudget
from chargebook.easee.client import EaseeClient
from chargebook.errors import ConfigurationError

DEFAULT_BASE_URL = "https://api.easee.com"


class EaseeConnector:
    @property
    def source(self) -> ChargerSource:
        return ChargerSource.EASEE_CLOUD

    @property
    def name(self) -> str:
        return "Easee"

    @property
    def login_labels(self) -> tuple[str, str]:
        return ("E-mail or phone number", "Password")

    @property
    def default_base_url(self) -> str | None:
        return DEFAULT_BASE_URL

    def new_budget(self, clock: Clock) -> EaseeBudget:
        return EaseeBudget(clock)

    def open_client(
        self,
        login: BrandLogin,
        *,
        base_url: str | None,
        transport: object | None,
        clock: Clock,
        tokens: TokenKeeper,
        budget: object,
    ) -> EaseeClient:
        """Raises ConfigurationError for a login of another brand or a foreign budget."""
        if login.source is not ChargerSource.EASEE_CLOUD:
            raise ConfigurationError(f"an Easee client cannot use a {login.source} login")
        if not isinstance(budget, EaseeBudget):
            raise ConfigurationError("an Easee client needs the budget EASEE's new_budget gave")
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise ConfigurationError("the transport must be an httpx.AsyncBaseTransport")
        http = httpx.AsyncClient(transport=transport)
        return EaseeClient(
            login,
            base_url=base_url or DEFAULT_BASE_URL,
            http=http,
            clock=clock,
            tokens=tokens,
            budget=budget,
        )


CONNECTOR = EaseeConnector()

if TYPE_CHECKING:
    from chargebook.domain.brands import BrandConnector

    def _implements_port(connector: EaseeConnector) -> BrandConnector:
        return connector
