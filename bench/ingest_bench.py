"""Ingest benchmark: sessions/s from the sync engine into a SQLite book, no network.

    .venv/bin/python -m bench.ingest_bench [--sessions 50000] [--runs 3] [--batch-size 1000]

An in-memory cloud yields already-parsed records (raw items shaped like `v4/sessions/stats`),
so the time is the engine's (validation, hashing, planning) plus the store's (lookup of known
ids, one executemany INSERT .. ON CONFLICT DO NOTHING per batch, commit per batch).
Target: >= 20,000 sessions/s on the first (all new) sync.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from chargebook.clock import FixedClock
from chargebook.db import migrate
from chargebook.db.book_store import book_opener
from chargebook.db.database import Database
from chargebook.db.engine import create_book_engine
from chargebook.db.tables import UserRow, WallboxAccountRow
from chargebook.domain.models import (
    Charger,
    ChargerSource,
    ChargerStatus,
    ChargingSession,
    MidMeter,
    SessionRecord,
)
from chargebook.sync import AccountSource, SyncConfig, SyncEngine

NOW = datetime(2026, 3, 1, tzinfo=UTC)
CHARGER = Charger(
    source=ChargerSource.WALLBOX_CLOUD,
    external_id="101",
    name="Bench",
    serial_number=None,
    part_number=None,
    model="Pulsar Plus",
    firmware_version=None,
    max_current_a=32,
    time_zone=None,
    mid=MidMeter(enabled=False),
)


def make_records(count: int) -> list[SessionRecord]:
    records = []
    for n in range(count):
        start = NOW - timedelta(minutes=10 * (n + 1))
        attributes = {
            "charger": 101,
            "start": int(start.timestamp()),
            "end": int(start.timestamp()) + 480,
            "energy": 0.9,
            "mid_energy": 0,
            "discharged_energy": 0,
            "time": 480,
            "cost": 0.2,
            "currency": {"code": "EUR", "symbol": "€"},
            "user_name": "bench",
        }
        session = ChargingSession(
            source=ChargerSource.WALLBOX_CLOUD,
            external_id=str(n + 1),
            charger_external_id="101",
            started_at=start,
            ended_at=start + timedelta(seconds=480),
            energy_kwh=Decimal("0.9"),
            mid_energy_kwh=Decimal(0),
            discharged_energy_kwh=Decimal(0),
            cost=Decimal("0.2"),
            currency="EUR",
        )
        raw = {"type": "charger_log_session", "id": str(n + 1), "attributes": attributes}
        records.append(
            SessionRecord(
                source=ChargerSource.WALLBOX_CLOUD,
                charger_external_id="101",
                external_id=str(n + 1),
                raw=raw,
                session=session,
            )
        )
    return records


class MemoryCloud:
    def __init__(self, records: list[SessionRecord]) -> None:
        self._records = records

    async def list_chargers(self) -> list[Charger]:
        return [CHARGER]

    async def get_status(self, charger_id: str) -> ChargerStatus:
        raise NotImplementedError

    async def iter_sessions(
        self, charger_id: str, *, start: datetime, end: datetime
    ) -> AsyncIterator[SessionRecord]:
        for record in self._records:
            assert record.session is not None
            if start <= record.session.started_at < end:
                yield record


def one_run(records: list[SessionRecord], batch_size: int) -> float:
    directory = Path(tempfile.mkdtemp(prefix="cb-ingest-"))
    engine = create_book_engine(f"sqlite:///{directory / 'book.sqlite3'}")
    migrate.upgrade(engine)
    database = Database(engine)
    with database.transaction() as session:
        user = UserRow(email="bench@example.com", password_hash="!", role="owner", created_at=NOW)  # noqa: S106
        session.add(user)
        session.flush()
        account = WallboxAccountRow(
            owner_user_id=user.id,
            email_encrypted="-",
            email_lookup_hash="-",
            password_encrypted="-",  # noqa: S106 (a placeholder)
            disabled=False,
            created_at=NOW,
        )
        session.add(account)
        session.flush()
        account_id = account.id
    clock = FixedClock(NOW)
    span = NOW - records[-1].session.started_at + timedelta(days=1)  # type: ignore[union-attr]
    config = SyncConfig(
        backfill_window=span, max_history=span, stop_after_empty_windows=1, batch_size=batch_size
    )
    sync = SyncEngine(book_opener(database, clock), clock, config)
    source = AccountSource(account_id, "bench@example.com", MemoryCloud(records))
    began = time.perf_counter()
    report = asyncio.run(sync.sync_account(source))
    elapsed = time.perf_counter() - began
    assert report.error is None
    assert report.new == len(records)
    database.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=1000)
    args = parser.parse_args()
    records = make_records(args.sessions)
    timings = [one_run(records, args.batch_size) for _ in range(args.runs)]
    rate = args.sessions / statistics.median(timings)
    print(f"first sync (all new): {rate:,.0f} sessions/s (median of {args.runs} runs)")
    print("target >= 20,000 sessions/s:", "met" if rate >= 20_000 else "NOT met")


if __name__ == "__main__":
    main()
