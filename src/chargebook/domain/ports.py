"""Ports: what the core needs from the outside world, one small capability each."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Protocol, runtime_checkable

from chargebook.domain.book import SessionSample, StoredSession, SyncState, UpsertPlan
from chargebook.domain.control import ControlCapabilities
from chargebook.domain.models import (
    Charger,
    ChargerReading,
    ChargerSource,
    ChargerStatus,
    SessionRecord,
)
from chargebook.domain.ocpp import (
    MeterReading,
    OcppBoot,
    OcppCredentials,
    OcppTransaction,
    StopOutcome,
)
from chargebook.domain.ocpp201 import TransactionEventFacts, TransactionEventOutcome

# Told `(pages_read, pages_expected)` after each history page: progress in reads.
PageListener = Callable[[int, int], None]


@runtime_checkable
class ChargerCloud(Protocol):
    """Reads a charger account: its chargers, their live status and their session history."""

    async def list_chargers(self) -> list[Charger]: ...

    async def get_status(self, charger_id: str) -> ChargerStatus: ...

    def iter_sessions(
        self,
        charger_id: str,
        *,
        start: datetime,
        end: datetime,
        on_page: PageListener | None = None,
    ) -> AsyncIterator[SessionRecord]:
        """Sessions that started in [start, end), page by page, as raw-backed records;
        `on_page` follows the pages (each one read of the account's budget)."""
        ...


@runtime_checkable
class ChargerOverview(Protocol):
    """A cloud that lists every charger of the account with its state in one read (what the
    recorder polls idle chargers with, instead of a status read each)."""

    async def read_overview(self) -> list[ChargerReading]: ...


@runtime_checkable
class ChargerControl(Protocol):
    """Commands the chargers of one system (one adapter per brand, beside its client:
    `wallbox/control.py`, `central_system/control.py`); `charger_id` is the charger's id at
    that system (the book's `external_id`).

    `capabilities` says what works; a method for a feature it lacks raises
    `ControlNotSupportedError`. Writes are sent once: an adapter never re-sends a write whose
    reply was lost. Errors are `ChargebookError` subclasses (with `retryable`) only.
    """

    def capabilities(self, charger_id: str) -> ControlCapabilities: ...

    async def read(self, charger_id: str) -> ChargerStatus:
        """The live state (values the system does not report are None)."""
        ...

    async def set_charging(self, charger_id: str, on: bool) -> None:
        """Resume (True) or pause (False) charging; the car stays connected."""
        ...

    async def set_current(self, charger_id: str, amps: int) -> None:
        """Limit the charging current to `amps` (A)."""
        ...

    async def set_locked(self, charger_id: str, locked: bool) -> None: ...

    async def restart(self, charger_id: str) -> None: ...

    async def set_energy_price(self, charger_id: str, price_per_kwh: Decimal) -> None: ...


class SessionBook(Protocol):
    """The sessions of the book, written in bulk; the caller owns the transaction."""

    def upsert_chargers(self, account_id: int, chargers: Sequence[Charger]) -> list[Charger]:
        """Register or refresh the chargers an account sees, new ones owned by the account's
        owner; returns those another chargebook user owns (left untouched, never to be synced
        or recorded through this account: see `chargebook.domain.ownership`)."""
        ...

    def find_sessions(
        self, source: ChargerSource, external_ids: Collection[str]
    ) -> Mapping[str, StoredSession]:
        """The stored sessions among `external_ids` (absent ids are simply missing)."""
        ...

    def apply_upsert(self, plan: UpsertPlan) -> None:
        """Insert new sessions and replace changed ones, auditing old and new raw versions."""
        ...

    def link_samples(self, source: ChargerSource, charger_external_id: str) -> int:
        """Link the charger's unlinked samples to the ok session whose [start, end) holds them.

        Returns the number of samples linked.
        """
        ...


class SyncStateStore(Protocol):
    """Durable sync cursors per charger and the last outcome per account."""

    def load_sync_state(self, source: ChargerSource, charger_external_id: str) -> SyncState | None:
        """The charger's cursor, or None before its first sync."""
        ...

    def save_sync_state(self, source: ChargerSource, state: SyncState) -> None:
        """Replace the charger's cursor."""
        ...

    def record_account_outcome(self, account_id: int, *, at: datetime, error: str | None) -> None:
        """Remember when an account last synced and why it failed (None = success)."""
        ...


class SampleLog(Protocol):
    """Live samples of chargers, idempotent on (charger, observed_at)."""

    def add_samples(self, samples: Sequence[SessionSample]) -> int:
        """Store samples not yet stored; returns how many were new."""
        ...


class BookTransaction(SessionBook, SyncStateStore, SampleLog, Protocol):
    """One transaction on the book: nothing is durable until `commit`."""

    def commit(self) -> None: ...


# Opens a transaction; leaving the context without commit rolls it back.
BookOpener = Callable[[], AbstractContextManager[BookTransaction]]


class OcppChargePoints(Protocol):
    """The book's OCPP charge points, as the central system's handlers use them.

    Methods that name a charge point raise NotFoundError when the book has none by that id
    (`credentials` answers None instead).
    """

    def credentials(self, charge_point_id: str) -> OcppCredentials | None: ...

    def credentials_and_make(
        self, charge_point_id: str
    ) -> tuple[OcppCredentials, str | None, str | None] | None: ...
    def raise_min_security_profile(self, charge_point_id: str, profile: int) -> None:
        """Store `profile` as the charger's minimum security profile if it is higher."""

    def register(
        self,
        charge_point_id: str,
        *,
        secret_hash: str | None,
        allow_empty_password: bool = False,
        owner_user_id: int | None = None,
    ) -> OcppCredentials: ...

    def replace_secret_hash(self, charge_point_id: str, *, old: str, new: str) -> bool: ...

    def record_boot(self, charge_point_id: str, boot: OcppBoot) -> None: ...

    def record_status(
        self, charge_point_id: str, *, status: str, error_code: str, at: datetime | None
    ) -> None: ...

    def vendor_and_model(self, charge_point_id: str) -> tuple[str | None, str | None]: ...


class OcppBook(Protocol):
    """One batch of the OCPP central system on the book: operations add and flush, the
    central system's writer commits the batch (`chargebook.db.ocpp.book.SqlOcppBook`)."""

    @property
    def chargers(self) -> OcppChargePoints: ...

    def start_transaction(
        self,
        charge_point_id: str,
        *,
        connector_id: int,
        id_tag: str,
        meter_start_wh: int,
        started_at: datetime,
        frame: str,
    ) -> int:
        """Open a transaction (the same id for a resent StartTransaction)."""
        ...

    def add_meter_values(
        self,
        charge_point_id: str,
        *,
        transaction_id: int | None,
        readings: Sequence[MeterReading],
        frame: str,
    ) -> int:
        """Store the readings as samples; how many were queued."""
        ...

    def stop_transaction(
        self,
        charge_point_id: str,
        *,
        transaction_id: int,
        meter_stop_wh: int,
        stopped_at: datetime,
        reason: str | None,
        readings: Sequence[MeterReading],
        frame: str,
    ) -> StopOutcome:
        """Close the transaction and write its session to the book."""
        ...

    def open_transactions(self, charge_point_id: str) -> list[OcppTransaction]:
        """The charger's open transactions, oldest first."""
        ...

    def transaction_event(
        self,
        charge_point_id: str,
        *,
        event: TransactionEventFacts,
        readings: Sequence[MeterReading],
        frame: str,
    ) -> TransactionEventOutcome:
        """Store an OCPP 2.0.1 TransactionEvent (idempotent); closes its transaction on Ended."""
        ...


@runtime_checkable
class HistoryWindow(Protocol):
    """Optional capability of a cloud client whose history answers one span per request under
    a tight budget (Easee: 92 days, 10 requests an hour): the longest range the sync engine
    asks for in one read, so a backfill walks back newest first and keeps its cursor after
    every span instead of asking for years in one read it cannot finish."""

    @property
    def history_window(self) -> timedelta: ...


@runtime_checkable
class RequestStats(Protocol):
    """Optional capability of a cloud client: how many HTTP requests and retries it made."""

    @property
    def request_count(self) -> int: ...

    @property
    def retry_count(self) -> int: ...
