"""Builders for the ERE book tests: a customer with a connection, a charger and a mandate, and
sessions that enter the book through the real sync engine (an in-memory cloud, no network)
or, for bulk property tests, straight into the table."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.accounts.tables import UserRow, WallboxAccountRow
from chargebook.db.book.store import book_opener
from chargebook.db.book.tables import ChargerRow, ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import example_charger
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address
from chargebook.domain.models import (
    Charger,
    ChargerSource,
    ChargerStatus,
    ChargingSession,
    MidMeter,
    SessionRecord,
)
from chargebook.domain.ports import PageListener
from chargebook.ere import gs1_check_digit, load_parameters
from chargebook.ere.service import add_connection, add_mandate, detect_metering
from chargebook.sync import AccountSource, SyncConfig, SyncEngine

NOW = datetime(2027, 1, 15, 12, 0, tzinfo=UTC)
PARAMETERS = load_parameters()
ADDRESS = Address("Dorpsstraat", "12", "1234 AB", "Utrecht")


def make_ean(tail: str) -> str:
    body = ("871" + tail)[:17].ljust(17, "0")
    return body + str(gs1_check_digit(body))


def mid_charger(external_id: str) -> Charger:
    """A Copper SB that reports a MID meter: detection says qualifying."""
    return example_charger(
        external_id,
        part_number="CPB1-0-2-4-9-002-E",
        model="Copper SB",
        mid=MidMeter(enabled=True, serial_number=f"MID-{external_id}", status=1),
    )


def plain_charger(external_id: str) -> Charger:
    """A Pulsar Plus: no MID meter, detection says it needs an upgrade."""
    return example_charger(external_id, mid=MidMeter(enabled=False))


def record(
    charger: str,
    external_id: str,
    start: datetime,
    energy_kwh: str,
    *,
    minutes: int = 60,
    mid: bool = True,
    discharged_kwh: str = "0",
) -> SessionRecord:
    """A Wallbox-like session record as the cloud client yields it."""
    end = start + timedelta(minutes=minutes)
    raw = {
        "type": "charger_log_session",
        "id": external_id,
        "attributes": {
            "charger": int(charger),
            "start": int(start.timestamp()),
            "end": int(end.timestamp()),
            "energy": float(energy_kwh),
            "mid_energy": float(energy_kwh) if mid else 0,
            "discharged_energy": float(discharged_kwh),
            "user_name": "Owner",
        },
    }
    session = ChargingSession(
        source=ChargerSource.WALLBOX_CLOUD,
        external_id=external_id,
        charger_external_id=charger,
        started_at=start,
        ended_at=end,
        energy_kwh=Decimal(energy_kwh),
        mid_energy_kwh=Decimal(energy_kwh) if mid else None,
        discharged_energy_kwh=Decimal(discharged_kwh),
    )
    return SessionRecord(ChargerSource.WALLBOX_CLOUD, charger, external_id, raw, session)


class MemoryCloud:
    """A `ChargerCloud` serving fixed chargers and records."""

    def __init__(self, chargers: Sequence[Charger], records: Sequence[SessionRecord]) -> None:
        self._chargers = list(chargers)
        self._records = list(records)

    async def list_chargers(self) -> list[Charger]:
        return self._chargers

    async def get_status(self, charger_id: str) -> ChargerStatus:
        raise NotImplementedError

    async def iter_sessions(
        self,
        charger_id: str,
        *,
        start: datetime,
        end: datetime,
        on_page: PageListener | None = None,
    ) -> AsyncIterator[SessionRecord]:
        for item in self._records:
            assert item.session is not None
            if item.charger_external_id == charger_id and start <= item.session.started_at < end:
                yield item


@dataclass
class Customer:
    user_id: int
    email: str
    ean: str
    charger_ids: list[int]


class BookBuilder:
    """Sets up customers and syncs sessions into a test database."""

    def __init__(self, database: Database, clock: FixedClock) -> None:
        self.database = database
        self.clock = clock
        self._account_id: int | None = None

    def user(self, email: str) -> int:
        with self.database.transaction() as session:
            row = UserRow(
                email=email,
                password_hash="$argon2id$not-a-real-hash",
                role="owner",
                created_at=self.clock.now(),
            )
            session.add(row)
            session.flush()
            return row.id

    def _account(self) -> int:
        if self._account_id is None:
            owner = self.user("account-owner@example.com")
            with self.database.transaction() as session:
                account = WallboxAccountRow(
                    owner_user_id=owner,
                    email_encrypted="-",
                    email_lookup_hash="-",
                    password_encrypted="SECRET-PASSWORD-CIPHERTEXT",
                    tokens_encrypted="SECRET-TOKEN-CIPHERTEXT",
                    disabled=False,
                    created_at=self.clock.now(),
                )
                session.add(account)
                session.flush()
                self._account_id = account.id
        return self._account_id

    def sync(self, chargers: Sequence[Charger], records: Sequence[SessionRecord]) -> None:
        """Run the real sync engine over an in-memory cloud."""
        span = timedelta(days=800)
        config = SyncConfig(
            backfill_window=timedelta(days=120), max_history=span, stop_after_empty_windows=0
        )
        engine = SyncEngine(book_opener(self.database, self.clock), self.clock, config)
        source = AccountSource(self._account(), "owner@example.com", MemoryCloud(chargers, records))
        report = asyncio.run(engine.sync_account(source))
        assert report.error is None, report.error

    def charger_id(self, external_id: str) -> int:
        with self.database.session() as session:
            found = session.scalar(
                select(ChargerRow.id).where(ChargerRow.external_id == external_id)
            )
            assert found is not None
            return found

    def customer(
        self,
        email: str,
        ean_tail: str,
        charger_external_ids: Sequence[str],
        *,
        since: datetime | None = datetime(2026, 1, 1, tzinfo=UTC) - timedelta(hours=1),
        mandate_years: tuple[int, int] | None = (2026, 2027),
        connected_party_name: str = "J. Jansen",
        address: Address = ADDRESS,
        signed_on: date = date(2026, 1, 2),
    ) -> Customer:
        """A user, a connection with linked chargers (already synced), metering detected from
        `since` (None: as the wizard detects, a MID meter from the first MID session), and a
        complete mandate."""
        user_id = self.user(email)
        ean = make_ean(ean_tail)
        charger_ids = [self.charger_id(ext) for ext in charger_external_ids]
        with self.database.transaction() as session:
            store = EreStore(session, self.clock)
            add_connection(
                store,
                ean=ean,
                customer_email=email,
                connected_party_name=connected_party_name,
                address=address,
                charger_ids=charger_ids,
            )
            detect_metering(store, now=self.clock.now(), since=since)
            if mandate_years is not None:
                add_mandate(
                    store,
                    ean=ean,
                    service_provider_id="chargebook",
                    first_year=mandate_years[0],
                    last_year=mandate_years[1],
                    consent_grid_operator_data=True,
                    consent_verifier_visit=True,
                    signed_by_name="J. Jansen",
                    signed_on=signed_on,
                )
        return Customer(user_id, email, ean, charger_ids)

    def insert_sessions(
        self, charger_id: int, sessions: Sequence[tuple[str, datetime, int, str]]
    ) -> None:
        """Insert ok MID sessions (external id, start, minutes, kWh) straight into the table."""
        with self.database.transaction() as session:
            for external_id, start, minutes, kwh in sessions:
                raw = canonical_json({"id": external_id, "energy": kwh})
                session.add(
                    ChargingSessionRow(
                        charger_id=charger_id,
                        source="wallbox_cloud",
                        external_id=external_id,
                        started_at=start,
                        ended_at=start + timedelta(minutes=minutes),
                        energy_kwh=Decimal(kwh),
                        mid_energy_kwh=Decimal(kwh),
                        discharged_energy_kwh=Decimal(0),
                        raw_payload=raw,
                        raw_sha256=sha256_hex(raw),
                        state="ok",
                        first_seen_at=self.clock.now(),
                        last_seen_at=self.clock.now(),
                    )
                )


def daily_records(
    charger: str,
    prefix: str,
    count: int,
    kwh: str,
    *,
    first: datetime = datetime(2026, 1, 5, 17, 0, tzinfo=UTC),
    step: timedelta = timedelta(days=1),
) -> list[SessionRecord]:
    return [record(charger, f"{prefix}{n}", first + n * step, kwh) for n in range(count)]
