"""Composition of the brands beside the Wallbox (issue 19): which connectors this build has,
each account's client and budget, and connecting an account.

`CONNECTORS` is the one registry of brands: each brand package (`chargebook/easee`,
`chargebook/zaptec`, `chargebook/peblar`) adds one line there. Everything else (the sync of
`chargebook sync`, `serve`'s scheduler and backfills and the workers; the charger controls;
`chargebook accounts add --brand`; the web's connect wizard) reads the brands through a
`BrandRegistry`: the process's own (`process_registry()`, over `CONNECTORS`) or one a test or
the demo builds with its own connectors and transports. A brand with no connector here is
not offered anywhere.

A registry also holds each account's request budget (`BrandConnector.new_budget`), made once
per account and process, so the sync, the recorder and commands share the brand's limits.
Accounts are known by their key (`domain.account_keys`): minus their `brand_accounts` id.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from chargebook.account_sources import UNUSABLE_PASSWORD_HASH
from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import Database, UserRepository
from chargebook.db.accounts.brand_accounts import BrandAccountRepository, normalize_username
from chargebook.domain.brands import BrandClient, BrandConnector, BrandLogin, MemoryTokenKeeper
from chargebook.domain.models import ChargerSource
from chargebook.domain.users import BrandAccount
from chargebook.easee.connector import CONNECTOR as EASEE
from chargebook.errors import ChargebookError, ConfigurationError, ConflictError, NotFoundError
from chargebook.peblar.connector import CONNECTOR as PEBLAR
from chargebook.settings import Settings
from chargebook.sync import AccountSource
from chargebook.zaptec.connector import CONNECTOR as ZAPTEC

_LOGGER = logging.getLogger(__name__)

# The brands this build connects, by source: one line per brand package.
CONNECTORS: dict[ChargerSource, BrandConnector] = {
    ChargerSource.EASEE_CLOUD: EASEE,
    ChargerSource.ZAPTEC_CLOUD: ZAPTEC,
    ChargerSource.PEBLAR_LOCAL: PEBLAR,
}

# The order brands are offered in (the wizard and `accounts add --brand`).
BRAND_ORDER = (ChargerSource.EASEE_CLOUD, ChargerSource.ZAPTEC_CLOUD, ChargerSource.PEBLAR_LOCAL)
# The brand as people write it (also for an account whose connector this build lacks).
BRAND_NAMES = {
    ChargerSource.EASEE_CLOUD: "Easee",
    ChargerSource.ZAPTEC_CLOUD: "Zaptec",
    ChargerSource.PEBLAR_LOCAL: "Peblar",
}
# The brand's name for `--brand` and URLs.
BRAND_SLUGS = {
    ChargerSource.EASEE_CLOUD: "easee",
    ChargerSource.ZAPTEC_CLOUD: "zaptec",
    ChargerSource.PEBLAR_LOCAL: "peblar",
}


def base_url_for(settings: Settings, source: ChargerSource) -> str | None:
    """The settings' override of a brand's API (`CHARGEBOOK_EASEE_API_URL`,
    `CHARGEBOOK_ZAPTEC_API_URL`), or None for the connector's default."""
    overrides = {
        ChargerSource.EASEE_CLOUD: settings.easee_api_url,
        ChargerSource.ZAPTEC_CLOUD: settings.zaptec_api_url,
    }
    return overrides.get(source)


class BrandRegistry:
    """The connectors of a process (or a test), the transports they reach their APIs by, and
    one request budget per account.

    `connectors` defaults to `CONNECTORS` (read at each call, so a line added there counts);
    `transports` by source: an `httpx.AsyncBaseTransport` (a simulator's ASGI app), absent
    for the real network.
    """

    def __init__(
        self,
        connectors: Mapping[ChargerSource, BrandConnector] | None = None,
        *,
        transports: Mapping[ChargerSource, object] | None = None,
    ) -> None:
        self._connectors = CONNECTORS if connectors is None else connectors
        self._transports = dict(transports or {})
        self._budgets: dict[int, object] = {}
        self._lock = threading.Lock()  # the scheduler's thread and the web's loop share it

    @property
    def sources(self) -> tuple[ChargerSource, ...]:
        """The brands with a connector, in the order they are offered."""
        return tuple(source for source in BRAND_ORDER if source in self._connectors)

    def connector(self, source: ChargerSource) -> BrandConnector:
        """The brand's connector.

        Raises:
            ConfigurationError: this build has no connector for the brand.
        """
        connector = self._connectors.get(source)
        if connector is None:
            raise ConfigurationError(f"this chargebook cannot connect {source.value} chargers")
        return connector

    def transport(self, source: ChargerSource) -> object | None:
        return self._transports.get(source)

    def budget(self, account_key: int, connector: BrandConnector, clock: Clock) -> object:
        """The account's request budget, made at its first use in this process."""
        with self._lock:
            if account_key not in self._budgets:
                self._budgets[account_key] = connector.new_budget(clock)
            return self._budgets[account_key]

    def open_client(
        self,
        settings: Settings,
        database: Database,
        box: SecretBox,
        clock: Clock,
        account: BrandAccount,
    ) -> BrandClient:
        """A client of the stored `account`: its login and tokens from the book, the account's
        budget, the settings' base URL and the registry's transport.

        Raises:
            ConfigurationError: no connector for its brand, or the secret key cannot decrypt.
        """
        connector = self.connector(account.source)
        with database.session() as session:
            login = BrandAccountRepository(session, box, clock).login(account.id)
        return connector.open_client(
            login,
            base_url=base_url_for(settings, account.source),
            transport=self.transport(account.source),
            clock=clock,
            tokens=BookTokenKeeper(database, box, clock, account.id),
            budget=self.budget(account.key, connector, clock),
        )


_PROCESS_LOCK = threading.Lock()
_process: BrandRegistry | None = None


def process_registry() -> BrandRegistry:
    """This process's registry over `CONNECTORS` (its budgets live as long as the process)."""
    global _process
    with _PROCESS_LOCK:
        if _process is None:
            _process = BrandRegistry()
        return _process


class BookTokenKeeper:
    """A brand client's `TokenKeeper` on the book: one account's tokens, encrypted in its row
    (as `account_sources.DatabaseTokenStore` keeps a myWallbox account's)."""

    def __init__(self, database: Database, box: SecretBox, clock: Clock, account_id: int) -> None:
        self._database, self._box, self._clock = database, box, clock
        self._account_id = account_id

    def load(self) -> Mapping[str, str] | None:
        try:
            with self._database.session() as session:
                return self._repository(session).load_tokens(self._account_id)
        except (ConfigurationError, TypeError, ValueError, AttributeError):
            return None  # unreadable: the client signs in again

    def save(self, tokens: Mapping[str, str]) -> None:
        with self._database.transaction() as session:
            self._repository(session).save_tokens(self._account_id, tokens)

    def clear(self) -> None:
        with self._database.transaction() as session:
            self._repository(session).clear_tokens(self._account_id)

    def _repository(self, session: object) -> BrandAccountRepository:
        return BrandAccountRepository(session, self._box, self._clock)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"BookTokenKeeper(account_id={self._account_id})"


def build_brand_sources(
    settings: Settings,
    database: Database,
    box: SecretBox,
    clock: Clock,
    *,
    registry: BrandRegistry | None = None,
    only_key: int | None = None,
    only_username: str | None = None,
) -> list[AccountSource]:
    """An `AccountSource` per enabled brand account with a connector (or just the account
    with key `only_key`, or those with username `only_username`), each with its client, to
    sync with the same engine as the Wallbox.

    An account whose brand has no connector in this build, or whose login the secret key
    cannot decrypt, is skipped with a warning (the others still sync).

    Raises:
        NotFoundError: `only_key` is not a connected brand account.
    """
    registry = registry or process_registry()
    accounts = enabled_brand_accounts(database, box, clock, registry=registry)
    if only_key is not None:
        accounts = [account for account in accounts if account.key == only_key]
        if not accounts:
            raise NotFoundError(f"no enabled brand account with key {only_key}")
    if only_username is not None:
        wanted = normalize_username(only_username)
        accounts = [a for a in accounts if normalize_username(a.username) == wanted]
    sources = []
    for account in accounts:
        try:
            client = registry.open_client(settings, database, box, clock, account)
        except ChargebookError as error:
            if only_key is not None:
                raise
            _LOGGER.warning("brand account %d not synced: %s", account.id, error.message)
            continue
        sources.append(AccountSource(account.key, account.username, client, source=account.source))
    return sources


def enabled_brand_accounts(
    database: Database, box: SecretBox, clock: Clock, *, registry: BrandRegistry | None = None
) -> list[BrandAccount]:
    """The enabled brand accounts whose brand this build connects (oldest first)."""
    sources = frozenset((registry or process_registry()).sources)
    with database.session() as session:
        return BrandAccountRepository(session, box, clock).list(
            include_disabled=False, sources=sources
        )


async def connect_brand_account(
    settings: Settings,
    database: Database,
    box: SecretBox,
    clock: Clock,
    *,
    login: BrandLogin,
    owner_user_id: int | None = None,
    owner_email: str | None = None,
    registry: BrandRegistry | None = None,
) -> BrandAccount:
    """Check the login by signing in once, then store the account and its tokens.

    The account belongs to `owner_user_id` (the web app's signed-in user); without it, to the
    user with e-mail `owner_email`, or with the login's e-mail (made when missing, as
    `accounts add` does for a myWallbox account).

    Raises:
        SignInRefusedError: the brand refused the login (and the other `ChargerApiError`s).
        ConflictError: the account is already connected.
        ConfigurationError: this build has no connector for the brand.
        NotFoundError: no owner given and the login's username is no e-mail address.
    """
    registry = registry or process_registry()
    connector = registry.connector(login.source)
    if owner_user_id is None and owner_email is None and "@" not in login.username:
        raise NotFoundError(
            f"whose {connector.name} is it? Give the owner's e-mail address (--owner)"
        )
    with database.session() as session:  # before the sign-in: no request spent on a repeat
        if BrandAccountRepository(session, box, clock).find(login.source, login.username):
            raise ConflictError(f"this {connector.name} account is already connected")
    tokens = MemoryTokenKeeper()
    client = connector.open_client(
        login,
        base_url=base_url_for(settings, login.source),
        transport=registry.transport(login.source),
        clock=clock,
        tokens=tokens,
        budget=connector.new_budget(clock),  # the account has no key yet: a one-off budget
    )
    try:
        await client.sign_in()
    finally:
        await client.aclose()
    with database.transaction() as session:
        if owner_user_id is None:
            email = (owner_email or login.username).strip().lower()
            users = UserRepository(session, clock)
            owner = users.get_by_email(email) or users.create(
                email=email, password_hash=UNUSABLE_PASSWORD_HASH
            )
            owner_user_id = owner.id
        accounts = BrandAccountRepository(session, box, clock)
        account = accounts.add(owner_user_id=owner_user_id, login=login)
        signed_in = tokens.load()
        if signed_in is not None:
            accounts.save_tokens(account.id, signed_in)
            account = accounts.get(account.id)
    return account
