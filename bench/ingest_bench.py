"""Ingest benchmark (issue 3): sessions/s from the sync engine into a fresh book, no network.

    .venv/bin/python -m bench.ingest_bench [--sessions 200000] [--per-charger 1000] [--runs 3]
        [--batch-size 1000] [--write-group-rows 5000] [--postgres-url URL] [--quick]

Pre-built records: the simulator's served `v4/sessions/stats` items (every attribute, as the
book keeps them raw) parsed by the client's own item parser, on the simulator's chargers (as
`v3/chargers/groups` describes them). An in-memory cloud hands them to the real `SyncEngine`
with one backfill window per charger, so the engine checks pages of `--batch-size` records:
validation, hashing, planning, the lookup of known ids and the bulk INSERT, with the pages and
cursors of all accounts committed together (the engine's write group, `--write-group-rows`
rows each; 1 commits every page and cursor on its own, as the engine did before).

Measured: the first ingest into a fresh SQLite file (everything new); the re-ingest of the
same pages (cursors reset, so every page is read again: nothing new, nothing written but the
cursors); the peak Python heap of an ingest (tracemalloc, separate run).
Target: >= 20,000 sessions/s on the first ingest, on this 2-core machine.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import math
import shutil
import statistics
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select

from bench._simproc import fresh_sqlite, served_item, traced_peak_mib
from chargebook.clock import FixedClock
from chargebook.db.accounts.tables import UserRow, WallboxAccountRow
from chargebook.db.book.store import book_opener
from chargebook.db.book.tables import ChargingSessionRow, SyncStateRow
from chargebook.db.core.database import Database
from chargebook.domain.models import Charger, ChargerStatus, SessionRecord
from chargebook.domain.ports import PageListener
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.simulator.wallbox.render import groups
from chargebook.sync import AccountSource, SyncConfig, SyncEngine, SyncReport
from chargebook.wallbox.wire.chargers import GroupsResponse
from chargebook.wallbox.wire.common import parse_payload
from chargebook.wallbox.wire.sessions import parse_item

NOW = datetime(2026, 3, 1, tzinfo=UTC)
SESSIONS_PER_DAY = 0.75  # the simulator's arrival probability
TARGET_PER_S = 20_000


class MemoryCloud:
    """A `ChargerCloud` over pre-built records (newest first per charger, like the API)."""

    def __init__(self, chargers: list[Charger], records: dict[str, list[SessionRecord]]) -> None:
        self._chargers = chargers
        self._records = {cid: sorted(rs, key=_started) for cid, rs in records.items()}
        self._starts = {cid: [_started(r) for r in rs] for cid, rs in self._records.items()}

    async def list_chargers(self) -> list[Charger]:
        return list(self._chargers)

    async def get_status(self, charger_id: str) -> ChargerStatus:
        raise NotImplementedError("the ingest benchmark reads history only")

    async def iter_sessions(
        self,
        charger_id: str,
        *,
        start: datetime,
        end: datetime,
        on_page: PageListener | None = None,
    ) -> AsyncIterator[SessionRecord]:
        starts = self._starts.get(charger_id, [])
        lo, hi = bisect.bisect_left(starts, start), bisect.bisect_left(starts, end)
        for record in reversed(self._records[charger_id][lo:hi]):
            yield record


def _started(record: SessionRecord) -> datetime:
    assert record.session is not None, "the simulator's sessions are all well-formed here"
    return record.session.started_at


@dataclass
class Fleet:
    accounts: list[tuple[str, list[Charger], dict[str, list[SessionRecord]]]]
    sessions: int
    span: timedelta


def build_fleet(sessions: int, per_charger: int) -> Fleet:
    """`sessions` records from the simulator, `per_charger` on each charger (2 per account)."""
    chargers_needed = -(-sessions // per_charger)
    days = int(per_charger / SESSIONS_PER_DAY * 1.15) + 10  # enough days for per_charger each
    config = SimulatorConfig(seed=3, accounts=-(-chargers_needed // 2), days=days)
    sim = WallboxSimulator(config, clock=FixedClock(NOW))
    accounts, left, oldest = [], sessions, NOW
    for account in sim.accounts:
        views = [sim.view(cid) for cid in account.charger_ids]
        payload = groups(account, views)
        chargers = parse_payload(GroupsResponse, payload, what="groups").to_domain()
        records: dict[str, list[SessionRecord]] = {}
        for charger in chargers:
            ended = sim.ended_sessions(int(charger.external_id))[-min(per_charger, left) :]
            if len(ended) < min(per_charger, left):
                raise RuntimeError("the simulator made fewer sessions than asked; raise days")
            records[charger.external_id] = [
                parse_item(served_item(planned.id, attributes), charger.external_id)
                for planned, attributes in ended
            ]
            left -= len(ended)
            oldest = min([oldest, *(_started(r) for r in records[charger.external_id][:1])])
        accounts.append((account.email, chargers, records))
        if left <= 0:
            break
    return Fleet(accounts, sessions, NOW - oldest + timedelta(days=2))


def _add_accounts(database: Database, count: int) -> list[int]:
    ids = []
    with database.transaction() as session:
        for n in range(count):
            email = f"bench{n}@example.com"
            user = UserRow(email=email, password_hash="!", role="owner", created_at=NOW)  # noqa: S106
            session.add(user)
            session.flush()
            account = WallboxAccountRow(
                owner_user_id=user.id,
                email_encrypted="-",
                email_lookup_hash=f"bench-{n}",
                password_encrypted="-",  # noqa: S106 (a placeholder)
                disabled=False,
                created_at=NOW,
            )
            session.add(account)
            session.flush()
            ids.append(account.id)
    return ids


def _ingest(
    database: Database, fleet: Fleet, account_ids: list[int], batch: int, group_rows: int
) -> SyncReport:
    clock = FixedClock(NOW)
    config = SyncConfig(
        backfill_window=fleet.span,
        max_history=fleet.span,
        stop_after_empty_windows=1,
        batch_size=batch,
        write_group_rows=group_rows,
        max_concurrent_accounts=4,
    )
    engine = SyncEngine(book_opener(database, clock), clock, config)
    sources = [
        AccountSource(account_id, email, MemoryCloud(chargers, records))
        for account_id, (email, chargers, records) in zip(account_ids, fleet.accounts, strict=True)
    ]
    report = asyncio.run(engine.sync_accounts(sources))
    if report.failed:
        raise RuntimeError(f"ingest failed: {report.failed[0].error}")
    return report


def fresh_database(postgres_url: str | None) -> tuple[Database, Callable[[], None]]:
    """A migrated, empty book: a new SQLite file, or a new schema on `postgres_url`."""
    if postgres_url:
        from chargebook.db.core.testing import PostgresScratch

        scratch = PostgresScratch(postgres_url)
        database = scratch.migrated_database()

        def close() -> None:
            database.dispose()
            scratch.close()

        return database, close
    database, path = fresh_sqlite("cb-ingest-")

    def dispose() -> None:
        database.dispose()
        shutil.rmtree(path.parent, ignore_errors=True)  # a 200,000-session book is 230 MB

    return database, dispose


def one_run(
    fleet: Fleet, batch: int, group_rows: int, postgres_url: str | None
) -> tuple[float, ...]:
    """(first ingest s, re-ingest s, first CPU s, re-ingest CPU s) into a fresh book.

    Checks both reports and the book. CPU seconds (this process) are quoted next to wall
    time because the machine's two cores are shared with other work.
    """
    database, close = fresh_database(postgres_url)
    try:
        account_ids = _add_accounts(database, len(fleet.accounts))
        began, cpu = time.perf_counter(), time.process_time()
        first = _ingest(database, fleet, account_ids, batch, group_rows)
        first_s, first_cpu_s = time.perf_counter() - began, time.process_time() - cpu
        assert first.total("new") == fleet.sessions, f"{first.total('new')} of {fleet.sessions}"
        with database.transaction() as session:
            stored = session.scalar(select(func.count()).select_from(ChargingSessionRow))
            assert stored == fleet.sessions, f"the book holds {stored} of {fleet.sessions}"
            session.execute(delete(SyncStateRow))  # forget the cursors: read everything again
        began, cpu = time.perf_counter(), time.process_time()
        again = _ingest(database, fleet, account_ids, batch, group_rows)
        again_s, again_cpu_s = time.perf_counter() - began, time.process_time() - cpu
        assert again.total("new") == again.total("changed") == 0, "a re-ingest wrote sessions"
        assert again.total("unchanged") >= fleet.sessions
    finally:
        close()
    return first_s, again_s, first_cpu_s, again_cpu_s


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=200_000)
    parser.add_argument("--per-charger", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--write-group-rows", type=int, default=SyncConfig().write_group_rows)
    parser.add_argument("--postgres-url", default=None, help="also possible: a PostgreSQL book")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.quick:
        args.sessions, args.per_charger, args.runs, args.batch_size = 600, 150, 1, 100
    began = time.perf_counter()
    fleet = build_fleet(args.sessions, args.per_charger)
    chargers = sum(len(chargers) for _, chargers, _ in fleet.accounts)
    backend = "PostgreSQL" if args.postgres_url else "SQLite (WAL, synchronous=NORMAL)"
    print(
        f"built {fleet.sessions} records on {chargers} chargers of {len(fleet.accounts)} "
        f"accounts in {time.perf_counter() - began:.1f} s; pages of {args.batch_size}; {backend}"
    )
    ingest = (fleet, args.batch_size, args.write_group_rows, args.postgres_url)
    runs = [one_run(*ingest) for _ in range(args.runs)]
    first = [fleet.sessions / r[0] for r in runs]
    again = [fleet.sessions / r[1] for r in runs]
    first_cpu = statistics.median(fleet.sessions / r[2] for r in runs)
    again_cpu = statistics.median(fleet.sessions / r[3] for r in runs)
    # A separate run: tracemalloc slows the process down (skipped by --quick).
    peak = math.nan if args.quick else traced_peak_mib(lambda: one_run(*ingest))
    med = statistics.median(first)
    print(
        f"first ingest: median {med:,.0f} sessions/s (min {min(first):,.0f}, max "
        f"{max(first):,.0f}) over {args.runs} runs = "
        f"{statistics.median(r[0] for r in runs):.2f} s for {fleet.sessions}; "
        f"{first_cpu:,.0f} sessions per CPU second"
    )
    print(
        f"re-ingest (nothing new): median {statistics.median(again):,.0f} sessions/s "
        f"(min {min(again):,.0f}, max {max(again):,.0f}); {again_cpu:,.0f} per CPU second"
    )
    print(f"peak Python heap during first ingest + re-ingest: {peak:.0f} MiB (tracemalloc)")
    print(f"target >= {TARGET_PER_S:,} sessions/s:", "met" if med >= TARGET_PER_S else "NOT met")


if __name__ == "__main__":
    main()
