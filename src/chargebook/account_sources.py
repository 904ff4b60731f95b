"""Composition of Wallbox account sources for the CLI, the web app and the workers.

Builds one `WallboxClient` per enabled account with one shared `RequestBudget` per account
(from settings; unlimited in partner mode), its tokens stored encrypted in the database, and
an HTTP transport that counts requests and failed attempts for the sync summary.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import asdict
from datetime import datetime, timedelta

import httpx

from chargebook.clock import Clock
from chargebook.crypto import SecretBox
from chargebook.db import Database, UserRepository, WallboxAccountRepository
from chargebook.domain.brands import BrandClient
from chargebook.domain.models import Charger, ChargerReading, ChargerStatus, SessionRecord
from chargebook.domain.ports import PageListener
from chargebook.domain.users import WallboxAccount
from chargebook.errors import ConfigurationError, NotFoundError
from chargebook.settings import Settings
from chargebook.sync import AccountSource, SyncConfig
from chargebook.wallbox import WallboxClient
from chargebook.wallbox.budget import BudgetRegistry
from chargebook.wallbox.tokens import MemoryTokenStore, Tokens

# Users made for accounts added from the CLI cannot log in to the web app until they set a
# password: "!" is not a valid argon2 hash, so no password matches it.
UNUSABLE_PASSWORD_HASH = "!"  # noqa: S105 (a marker, not a secret)


class DatabaseTokenStore:
    """The client's `TokenStore` on the book: one account's tokens, encrypted in its row."""

    def __init__(self, database: Database, box: SecretBox, clock: Clock, account_id: int) -> None:
        self._database, self._box, self._clock = database, box, clock
        self._account_id = account_id

    def _repository(self, session: object) -> WallboxAccountRepository:
        return WallboxAccountRepository(session, self._box, self._clock)  # type: ignore[arg-type]

    def load(self, email: str) -> Tokens | None:
        try:
            with self._database.session() as session:
                data = self._repository(session).load_tokens(self._account_id)
            return Tokens(**data) if data else None
        except (ConfigurationError, TypeError, ValueError):
            return None  # unreadable: the client signs in again

    def save(self, email: str, tokens: Tokens) -> None:
        with self._database.transaction() as session:
            self._repository(session).save_tokens(self._account_id, asdict(tokens))

    def clear(self, email: str) -> None:
        with self._database.transaction() as session:
            self._repository(session).clear_tokens(self._account_id)

    def __repr__(self) -> str:
        return f"DatabaseTokenStore(account_id={self._account_id})"


class CountingTransport(httpx.AsyncBaseTransport):
    """Counts HTTP attempts and the failed ones (error status or no response)."""

    def __init__(self, inner: httpx.AsyncBaseTransport | None = None) -> None:
        self._inner = inner or httpx.AsyncHTTPTransport()
        self.requests = 0
        self.failures = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        try:
            response = await self._inner.handle_async_request(request)
        except Exception:
            self.failures += 1
            raise
        if response.status_code >= 400:
            self.failures += 1
        return response

    async def aclose(self) -> None:
        await self._inner.aclose()


class CountedCloud:
    """A client seen through the `ChargerCloud` port, with `RequestStats` from its transport."""

    def __init__(
        self, client: WallboxClient, transport: CountingTransport, http: httpx.AsyncClient
    ) -> None:
        self.client = client
        self.http = http
        self._transport = transport

    @property
    def request_count(self) -> int:
        return self._transport.requests

    @property
    def retry_count(self) -> int:
        # Every failed attempt is retried by the client, or ends the account's sync.
        return self._transport.failures

    async def list_chargers(self) -> list[Charger]:
        # What the book needs of a charger: the groups read, and the MID serial of a MID
        # meter (one read per MID charger, once per client).
        return await self.client.list_chargers(mid_serials=True)

    async def get_status(self, charger_id: str) -> ChargerStatus:
        return await self.client.get_status(charger_id)

    async def read_overview(self) -> list[ChargerReading]:
        return await self.client.read_overview()

    async def iter_sessions(
        self,
        charger_id: str,
        *,
        start: datetime,
        end: datetime,
        on_page: PageListener | None = None,
    ) -> AsyncIterator[SessionRecord]:
        pages = self.client.iter_sessions(charger_id, start=start, end=end, on_page=on_page)
        async for record in pages:
            yield record


def budget_registry(settings: Settings, clock: Clock) -> BudgetRegistry:
    """One budget per account e-mail, with the settings' limits (none in partner mode)."""
    return BudgetRegistry(
        reads_per_minute=settings.wallbox_reads_per_minute,
        writes_per_minute=settings.wallbox_writes_per_minute,
        clock=clock,
        unlimited=settings.wallbox_partner_mode,
    )


def recorder_reads_per_minute(settings: Settings) -> int | None:
    """The read budget the recorder paces itself by: None in partner mode (no limit)."""
    return None if settings.wallbox_partner_mode else settings.wallbox_reads_per_minute


def sync_config(settings: Settings) -> SyncConfig:
    """The sync engine's steps from the `sync_*` settings: the one config every door syncs
    with (`serve`'s scheduler and backfills, `chargebook worker`, `chargebook sync`'s defaults,
    the demo), so the same settings give the same sync everywhere."""
    return SyncConfig(
        backfill_window=timedelta(days=settings.worker_sync_window_days),
        max_history=timedelta(days=365.25 * settings.worker_sync_history_years),
        batch_size=settings.worker_sync_batch_size,
    )


def build_sources(
    settings: Settings,
    database: Database,
    box: SecretBox,
    clock: Clock,
    *,
    only_email: str | None = None,
    transport: httpx.AsyncBaseTransport | None = None,
    budgets: BudgetRegistry | None = None,
) -> list[AccountSource]:
    """An `AccountSource` per enabled account (or just `only_email`).

    Raises:
        NotFoundError: `only_email` is not a connected account.
        ConfigurationError: the secret key cannot decrypt the stored credentials.
    """
    # Pass the process's registry so sync, recorder and commands share each account's budget.
    budgets = budgets or budget_registry(settings, clock)
    with database.session() as session:
        repository = WallboxAccountRepository(session, box, clock)
        accounts = repository.list(include_disabled=False)
        if only_email is not None:
            found = repository.find_by_email(only_email)
            if found is None:
                raise NotFoundError(f"no connected Wallbox account {only_email}")
            accounts = [found]
        credentials = {a.id: repository.get_credentials(a.id) for a in accounts}
    new_transport = _transport_factory(transport)
    sources = []
    for account in accounts:
        counting = CountingTransport(new_transport())
        http = httpx.AsyncClient(transport=counting)
        client = WallboxClient.from_settings(
            settings,
            email=credentials[account.id].email,
            password=credentials[account.id].password,
            http_client=http,
            clock=clock,
            budget=budgets.for_account(account.email),
            token_store=DatabaseTokenStore(database, box, clock, account.id),
        )
        cloud = CountedCloud(client, counting, http)
        sources.append(AccountSource(account.id, account.email, cloud))
    return sources


def _transport_factory(
    transport: httpx.AsyncBaseTransport | None,
) -> Callable[[], httpx.AsyncBaseTransport]:
    """`transport` for every account, or a new HTTP transport each with one TLS context.

    Every account keeps its own connection pool, but they share one SSLContext (safe to
    share between connections): each context loads the CA bundle, ~30 ms of CPU.
    """
    if transport is not None:
        return lambda: transport
    tls = httpx.create_ssl_context()
    return lambda: httpx.AsyncHTTPTransport(verify=tls)


async def close_sources(sources: list[AccountSource]) -> None:
    """Close the HTTP clients of `build_sources` (and of `brand_connectors`' sources)."""
    for source in sources:
        if isinstance(source.cloud, CountedCloud):
            await source.cloud.http.aclose()
        elif isinstance(source.cloud, BrandClient):
            await source.cloud.aclose()


async def connect_account(
    settings: Settings,
    database: Database,
    box: SecretBox,
    clock: Clock,
    *,
    email: str,
    password: str,
    transport: httpx.AsyncBaseTransport | None = None,
    owner_user_id: int | None = None,
    max_retries: int | None = None,
    signed_in: Tokens | None = None,
) -> WallboxAccount:
    """Check the credentials by signing in once, then store the account and its tokens.

    `signed_in`: tokens of a sign-in with these credentials that just succeeded (`chargebook
    wallbox login`); they are stored instead of signing in a second time.

    The account belongs to `owner_user_id` (the web app's signed-in user); without it, to the
    user with the account's e-mail (made when missing, as the CLI does). `max_retries`
    overrides the settings' retries for the sign-in (the web wizard answers at once).

    Raises:
        WallboxAuthenticationError: the cloud refused the e-mail or password.
        ConflictError: the account is already connected.
    """
    tokens = MemoryTokenStore()
    if signed_in is not None:
        tokens.save(email, signed_in)
    if max_retries is not None:
        settings = settings.model_copy(update={"wallbox_max_retries": max_retries})
    async with httpx.AsyncClient(transport=transport) as http:
        client = WallboxClient.from_settings(
            settings,
            email=email,
            password=password,
            http_client=http,
            clock=clock,
            token_store=tokens,
        )
        if signed_in is None:
            await client.authenticate()
    with database.transaction() as session:
        if owner_user_id is None:
            users = UserRepository(session, clock)
            owner = users.get_by_email(email) or users.create(
                email=email, password_hash=UNUSABLE_PASSWORD_HASH
            )
            owner_user_id = owner.id
        accounts = WallboxAccountRepository(session, box, clock)
        account = accounts.add(owner_user_id=owner_user_id, email=email, password=password)
        signed_in = tokens.load(email)
        if signed_in is not None:
            accounts.save_tokens(account.id, asdict(signed_in))
    return account
