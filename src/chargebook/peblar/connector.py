"""`CONNECTOR`: Peblar as the composition roots see it (`chargebook.domain.brands`).

The login is the charger's address on the home network and the password of its web interface.
The web password opens the web API, the only place the charger's meter log (the session
history and the MID evidence) can be read, and fetches the local REST API's token (live state
and control) from it, again after every reboot; so the owner types one secret, not two.
Without a web password (`api_token=` alone) the client reads live state and controls, but has
no history and no MID evidence.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from chargebook.clock import Clock
from chargebook.domain.brands import BrandLogin, TokenKeeper
from chargebook.domain.models import ChargerSource
from chargebook.errors import SignInRefusedError
from chargebook.peblar.budget import PeblarBudget
from chargebook.peblar.client import PeblarClient
from chargebook.peblar.transport import PeblarTransport
from chargebook.peblar.wire import BRAND

TIMEOUT_S = 8.0  # python-peblar's request_timeout


def base_url_for(address: str) -> str:
    """`http://<address>` for what the owner typed (a host, `host:port` or an http URL).

    Raises:
        SignInRefusedError: not an address on the network.
    """
    text = address.strip()
    url = text if "://" in text else f"http://{text}"
    parts = urlsplit(url)
    try:
        port = parts.port  # raises on a malformed port
    except ValueError:
        port = -1
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or port == -1
        or parts.path.strip("/")
        or " " in text
    ):
        raise SignInRefusedError(
            f"{address!r} is not an address on your network: give the charger's IP address "
            f"or host name, e.g. 192.168.1.20 or peblar.local.",
            brand=BRAND,
        )
    return f"{parts.scheme}://{parts.netloc}"


class PeblarConnector:
    """The `BrandConnector` of Peblar's local APIs."""

    @property
    def source(self) -> ChargerSource:
        return ChargerSource.PEBLAR_LOCAL

    @property
    def name(self) -> str:
        return BRAND

    @property
    def login_labels(self) -> tuple[str, str]:
        return ("Address on your network", "Web password")

    @property
    def default_base_url(self) -> str | None:
        return None  # the login's address is the base

    def new_budget(self, clock: Clock) -> PeblarBudget:
        return PeblarBudget(clock)

    def open_client(
        self,
        login: BrandLogin,
        *,
        base_url: str | None,
        transport: object | None,
        clock: Clock,
        tokens: TokenKeeper,
        budget: object,
        api_token: str | None = None,
    ) -> PeblarClient:
        if not isinstance(budget, PeblarBudget):
            raise TypeError("budget must come from PeblarConnector.new_budget")
        web_password = login.secret or None
        if web_password is None and not (api_token or "").strip():
            raise SignInRefusedError("The Peblar web password is empty.", brand=BRAND)
        http = httpx.AsyncClient(
            base_url=base_url or base_url_for(login.username),
            transport=transport if isinstance(transport, httpx.AsyncBaseTransport) else None,
            timeout=TIMEOUT_S,
        )
        wire = PeblarTransport(
            http,
            api_token=(api_token or "").strip(),
            web_password=web_password,
            tokens=tokens,
            budget=budget,
            clock=clock,
        )
        return PeblarClient(wire, clock=clock, aclose_http=http.aclose)


CONNECTOR = PeblarConnector()


if TYPE_CHECKING:
    from chargebook.domain.brands import BrandClient, BrandConnector

    def _implements_ports(connector: PeblarConnector, client: PeblarClient) -> None:
        # mypy proves here that the connector and its client satisfy the shared port.
        _connector: BrandConnector = connector
        _client: BrandClient = client
