"""What the worker's jobs do: each one wraps an existing service for one unit of work.

`WorkerRuntime` holds what a worker process shares between jobs (database, secret box,
clock, one request budget per Wallbox account, the recorder's charger cache) and runs:

- `sync_account`: the `SyncEngine` for one account (resumable and idempotent by design);
- `record_account`: one `Recorder` round for one account;
- `build_ere_batch`: `ere.service.create_batch` in one transaction (a rerun after success finds
  nothing left to register);
- `write_statements`: `ere.service.generate_statements` plus the period's CSV and PDFs.

It knows nothing of procrastinate (see `chargebook.jobs.queue`), so it is tested directly too.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from chargebook.account_sources import (
    budget_registry,
    build_sources,
    close_sources,
    recorder_reads_per_minute,
    sync_config,
)
from chargebook.book_keys import open_secret_box
from chargebook.brand_connectors import BrandRegistry, build_brand_sources, enabled_brand_accounts
from chargebook.clock import Clock, SystemClock
from chargebook.crypto import SecretBox
from chargebook.db import Database, WallboxAccountRepository, open_database
from chargebook.db.book.store import book_opener
from chargebook.db.ere.store import EreStore
from chargebook.domain.account_keys import is_brand_account
from chargebook.domain.ere_book import parse_period
from chargebook.ere import load_parameters
from chargebook.ere.service import create_batch
from chargebook.ere.service.errors import NothingToRegisterError
from chargebook.ere.service.statement_files import state_period
from chargebook.errors import ChargebookError, NotFoundError
from chargebook.hooks.dispatch import dispatch_pass
from chargebook.hooks.policy import HookPolicy
from chargebook.hooks.reminders import remind
from chargebook.private_files import private_dir
from chargebook.settings import Settings
from chargebook.sync import AccountSource, SyncConfig, SyncEngine
from chargebook.sync.recorder import Recorder
from chargebook.sync.report import AccountReport
from chargebook.wallbox.budget import BudgetRegistry
from chargebook.wallbox.transport import HttpTransport

_LOGGER = logging.getLogger(__name__)


class RetryLaterError(ChargebookError):
    """A job met a passing problem (the cloud was down, rate limited); the queue retries it."""

    retryable = True


@dataclass
class WorkerRuntime:
    """One worker process's shared state; `open` builds it from settings."""

    settings: Settings
    database: Database
    box: SecretBox
    clock: Clock
    # Tests route the Wallbox client to the simulator in-process; None = real HTTP.
    transport: HttpTransport | None = None
    sync_config: SyncConfig = field(default_factory=SyncConfig)
    # The brands beside the Wallbox (None: the process's registry over CONNECTORS).
    brands: BrandRegistry | None = None
    budgets: BudgetRegistry = field(init=False)
    recorder: Recorder = field(init=False)
    engine: SyncEngine = field(init=False)

    def __post_init__(self) -> None:
        self.budgets = budget_registry(self.settings, self.clock)
        opener = book_opener(self.database, self.clock)
        self.engine = SyncEngine(opener, self.clock, self.sync_config)
        self.recorder = Recorder(
            opener, self.clock, reads_per_minute=recorder_reads_per_minute(self.settings)
        )

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        transport: HttpTransport | None = None,
    ) -> WorkerRuntime:
        """Open the database (its schema must be current) and the secret box.

        Raises:
            SchemaOutdatedError: run `chargebook db upgrade` first.
            DatabaseUnavailableError: the database cannot be reached.
            ConfigurationError: the secret key is missing or wrong.
        """
        database = open_database(settings)
        try:
            box = open_secret_box(settings, database)
        except BaseException:
            database.dispose()
            raise
        return cls(
            settings, database, box, clock or SystemClock(), transport, sync_config(settings)
        )

    async def dispatch_hooks(self) -> int:
        """One webhook/notification dispatcher pass; the attempts it made."""
        policy = HookPolicy.from_settings(self.settings)
        if self.clock.now().minute == 0:  # reminders about once an hour
            remind(self.database, self.clock)
        report = await dispatch_pass(self.database, self.clock, self.box, policy)
        return report.attempts

    def close(self) -> None:
        self.database.dispose()

    def enabled_account_ids(self) -> list[int]:
        """Ids of the accounts the periodic jobs fan out to (disabled ones are left alone)."""
        with self.database.session() as session:
            accounts = WallboxAccountRepository(session, self.box, self.clock).list()
        ids = [account.id for account in accounts if not account.disabled]
        brands = enabled_brand_accounts(self.database, self.box, self.clock, registry=self.brands)
        return ids + [account.key for account in brands]

    async def sync_account(self, account_id: int) -> AccountReport | None:
        """Sync one account into the book; None when it is gone or disabled.

        A permanent failure (wrong password) is recorded on the account by the engine and
        returned; a passing one raises so the queue retries with backoff.

        Raises:
            RetryLaterError: the sync ended on a retryable error.
        """
        sources = self._sources(account_id)
        if not sources:
            return None
        try:
            report = await self.engine.sync_account(sources[0])
        finally:
            await close_sources(sources)
        if report.error and report.error_retryable:
            raise RetryLaterError(f"sync of account {account_id} failed: {report.error}")
        if report.error:
            _LOGGER.warning("sync of account %d failed for good: %s", account_id, report.error)
        return report

    async def record_account(self, account_id: int) -> float | None:
        """One recorder round for one account: seconds until the next, None when it is gone."""
        sources = self._sources(account_id)
        if not sources:
            return None
        try:
            return await self.recorder.poll_account(sources[0])
        finally:
            await close_sources(sources)

    def build_ere_batch(self, period: str, corrects_batch_id: int | None = None) -> int | None:
        """Register the period's eligible sessions in a new draft batch; its id, or None when
        nothing is left to register (also what a rerun after a success finds).

        Raises:
            ValueError: `period` is not `2026` or `2026-Q1`.
            EreBookError, EreError: see `ere.service.create_batch`.
        """
        chosen = parse_period(period)
        try:
            with self.database.transaction() as session:
                created = create_batch(
                    EreStore(session, self.clock),
                    chosen,
                    parameters=load_parameters(),
                    now=self.clock.now(),
                    corrects_batch_id=corrects_batch_id,
                )
        except NothingToRegisterError:
            _LOGGER.info("ERE batch %s: nothing to register", period)
            return None
        return created.batch.id

    def write_statements(
        self, period: str, fee_rate: Decimal, output: Path | None = None
    ) -> list[Path]:
        """State the period's finalized, unstated lines, then (re)write its CSV and PDFs.

        Rerunning only rewrites the same files. Returns the paths written.

        Raises:
            ValueError: `period` is malformed or the fee rate is outside [0, 1].
            MissingPriceError: no price per ERE is set for the period.
            OSError: a file cannot be written.
        """
        chosen = parse_period(period)
        directory = output or self.settings.worker_statements_dir
        if directory is None:  # in the data dir: as private as the rest of it
            directory = private_dir(self.settings.data_dir / "statements")
        with self.database.transaction() as session:
            store = EreStore(session, self.clock)
            return state_period(store, chosen, fee_rate=fee_rate, output=directory).written

    def _sources(self, account_id: int) -> list[AccountSource]:
        if is_brand_account(account_id):
            try:
                return build_brand_sources(
                    self.settings,
                    self.database,
                    self.box,
                    self.clock,
                    registry=self.brands,
                    only_key=account_id,
                )
            except NotFoundError:
                _LOGGER.info("account %d is gone or disabled; job skipped", account_id)
                return []
        with self.database.session() as session:
            try:
                account = WallboxAccountRepository(session, self.box, self.clock).get(account_id)
            except NotFoundError:
                _LOGGER.info("account %d is gone; job skipped", account_id)
                return []
        if account.disabled:
            return []
        return build_sources(
            self.settings,
            self.database,
            self.box,
            self.clock,
            only_email=account.email,
            transport=self.transport,
            budgets=self.budgets,
        )
