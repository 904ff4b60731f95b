"""The port every charger brand beside the Wallbox plugs in through (issue 19).

A brand package (`chargebook/easee/`, `chargebook/zaptec/`, `chargebook/peblar/`) exposes one
`BrandConnector` (its module `connector.py`, name `CONNECTOR`). The composition roots
(`account_sources.py`, `charger_controls.py`, the CLI, the web's connect wizard, the demo) pick
a connector by `ChargerSource` and never import a brand's client directly:

- `open_client` gives the account's `BrandClient`: the `ChargerCloud` the sync engine reads
  the chargers, their live state and the session history through, and the `ChargerControl`
  the one charger-control port commands them through;
- `new_budget` gives the account's request budget, made once per account and process and
  shared by every client of that account (sync, recorder and commands), so the brand's rate
  limits hold whatever runs;
- the client keeps its sign-in tokens in the `TokenKeeper` it is given (the book keeps them
  encrypted per account): it signs in once and refreshes, never a sign-in per call.

A login is what the owner types: an e-mail and password for a cloud, the charger's address on
the home network and its API token for a local API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from chargebook.clock import Clock
from chargebook.domain.models import ChargerSource
from chargebook.domain.ports import ChargerCloud, ChargerControl


@dataclass(frozen=True, slots=True)
class BrandLogin:
    """What the owner gives to connect: `username` is the e-mail (clouds) or the charger's
    address (local APIs); `secret` the password or API token, never shown."""

    source: ChargerSource
    username: str
    secret: str = field(repr=False)


class TokenKeeper(Protocol):
    """Where a client keeps its sign-in tokens between runs (opaque text fields)."""

    def load(self) -> Mapping[str, str] | None: ...

    def save(self, tokens: Mapping[str, str]) -> None: ...

    def clear(self) -> None: ...


class MemoryTokenKeeper:
    """A `TokenKeeper` in memory: sign-in checks, tests and one-shot commands."""

    def __init__(self) -> None:
        self._tokens: dict[str, str] | None = None

    def load(self) -> Mapping[str, str] | None:
        return dict(self._tokens) if self._tokens is not None else None

    def save(self, tokens: Mapping[str, str]) -> None:
        self._tokens = dict(tokens)

    def clear(self) -> None:
        self._tokens = None

    def __repr__(self) -> str:
        return "MemoryTokenKeeper(...)"


@runtime_checkable
class BrandClient(ChargerCloud, ChargerControl, Protocol):
    """One account of a brand, read and commanded (the sync engine's `ChargerCloud` and the
    control port's `ChargerControl` at once; `charger_id` is the brand's charger id)."""

    async def sign_in(self) -> None:
        """Check the login now (the connect wizard and `accounts add`).

        Raises:
            SignInRefusedError: the brand refused the login, with its reason in words a
                person understands (every error is a `chargebook.errors.ChargerApiError`).
        """
        ...

    async def aclose(self) -> None:
        """Close the HTTP client the connector opened."""
        ...


class BrandConnector(Protocol):
    """A brand, as the composition roots see it (see the module docstring)."""

    @property
    def source(self) -> ChargerSource: ...

    @property
    def name(self) -> str:
        """The brand as people write it: "Easee", "Zaptec", "Peblar"."""
        ...

    @property
    def login_labels(self) -> tuple[str, str]:
        """The two login fields as the wizard and the CLI ask for them, e.g. ("E-mail",
        "Password") or ("Address on your network", "API token")."""
        ...

    @property
    def default_base_url(self) -> str | None:
        """The real API's base URL (None for a local API: the login's address is the base)."""
        ...

    def new_budget(self, clock: Clock) -> object:
        """A fresh request budget for one account (the brand's limits)."""
        ...

    def open_client(
        self,
        login: BrandLogin,
        *,
        base_url: str | None,
        transport: object | None,
        clock: Clock,
        tokens: TokenKeeper,
        budget: object,
    ) -> BrandClient:
        """The account's client. `base_url` overrides the default (a simulator);
        `transport` is an `httpx.AsyncBaseTransport` (the simulator's ASGI app in tests and
        the demo) or None for the real network; `budget` is one `new_budget` gave."""
        ...
