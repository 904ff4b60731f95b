"""`CONNECTOR`: Zaptec as the composition roots see it (`chargebook.domain.brands`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx
from pydantic import SecretStr

from chargebook.clock import Clock
from chargebook.domain.brands import BrandClient, BrandLogin, TokenKeeper
from chargebook.domain.models import ChargerSource
from chargebook.errors import ConfigurationError
from chargebook.zaptec._http import DEFAULT_BASE_URL, ZaptecHttp
from chargebook.zaptec.budget import ZaptecBudget
from chargebook.zaptec.client import ZaptecClient


class ZaptecConnector:
    """Zaptec's cloud: an e-mail and password, 10 requests a second per account."""

    source = ChargerSource.ZAPTEC_CLOUD
    name = "Zaptec"
    login_labels = ("E-mail", "Password")
    default_base_url: str | None = DEFAULT_BASE_URL

    def new_budget(self, clock: Clock) -> ZaptecBudget:
        return ZaptecBudget(clock=clock)

    def open_client(
        self,
        login: BrandLogin,
        *,
        base_url: str | None,
        transport: object | None,
        clock: Clock,
        tokens: TokenKeeper,
        budget: object,
    ) -> ZaptecClient:
        """The account's client (see `BrandConnector.open_client`).

        Raises:
            ConfigurationError: a login of another brand, an empty e-mail or password, a
                budget `new_budget` did not make, or a transport that is not httpx's.
        """
        if login.source is not ChargerSource.ZAPTEC_CLOUD:
            raise ConfigurationError(f"a {login.source.value} login is not a Zaptec login")
        if not login.username.strip() or not login.secret:
            raise ConfigurationError("a Zaptec login needs the account's e-mail and password")
        if not isinstance(budget, ZaptecBudget):
            raise ConfigurationError("a Zaptec client needs the budget CONNECTOR.new_budget made")
        if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
            raise ConfigurationError("the transport must be an httpx.AsyncBaseTransport")
        http = httpx.AsyncClient(transport=transport)
        zaptec = ZaptecHttp(
            login.username.strip(),
            SecretStr(login.secret),
            base_url=base_url or DEFAULT_BASE_URL,
            http=http,
            clock=clock,
            tokens=tokens,
            budget=budget,
        )
        return ZaptecClient(zaptec, clock=clock, close=http.aclose)


CONNECTOR = ZaptecConnector()

if TYPE_CHECKING:
    from chargebook.domain.brands import BrandConnector

    def _implements_port(connector: ZaptecConnector) -> BrandConnector:
        return connector

    def _client_is_brand_client(client: ZaptecClient) -> BrandClient:
        return client
