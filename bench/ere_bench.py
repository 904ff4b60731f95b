"""ERE benchmark: eligibility, calculation and a registration batch over N sessions, on SQLite
and PostgreSQL, with the peak memory of the measuring process.

    .venv/bin/python -m bench.ere_bench [--sessions 1000000] [--backend sqlite|postgres|both]
                                        [--quick]

Sessions are bulk-inserted straight into `charging_sessions` (driver executemany / COPY, not
the sync engine): 200 customers, each with one MID charger, a connection, a mandate and an
integrated-MID construct. Each measured phase runs in a fresh child process
(`--measure`), so its peak RSS (`ru_maxrss`) is that phase's alone:

- eligibility: `chargebook.ere.service.eligibility_report` for the year 2026 (every rule, every
  session, EREs per customer x EAN);
- batch: `chargebook.ere.service.create_batch` for 2026 (the same rules, the lines' EREs, every
  session registered in `ere_batch_sessions`), committed.

PostgreSQL: CHARGEBOOK_BENCH_POSTGRES_URL or CHARGEBOOK_TEST_POSTGRES_URL (see .ci/run); the
benchmark works in a private schema that it drops again.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy.exc

from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, Database
from chargebook.db.accounts.tables import UserRow
from chargebook.db.core.engine import create_book_engine
from chargebook.db.core.testing import PostgresScratch, SqliteTemplate, example_charger, sqlite_url
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address, DeliveryPeriod, MeteringKind
from chargebook.domain.models import MidMeter
from chargebook.ere import gs1_check_digit, load_parameters
from chargebook.ere.service import (
    MeteringEvidence,
    add_connection,
    add_mandate,
    create_batch,
    eligibility_report,
    record_construct,
)

NOW = datetime(2027, 1, 15, tzinfo=UTC)
YEAR = DeliveryPeriod(2026)
CUSTOMERS = 200
TARGET_S = 10.0
COLUMNS = (
    "charger_id, source, external_id, started_at, ended_at, energy_kwh, mid_energy_kwh, "
    "discharged_energy_kwh, raw_payload, raw_sha256, state, first_seen_at, last_seen_at"
)


def _ean(n: int) -> str:
    body = f"871{n:014d}"
    return body + str(gs1_check_digit(body))


def populate(database: Database, sessions: int) -> None:
    """Customers, chargers, connections, mandates and constructs, then `sessions` sessions."""
    clock = FixedClock(NOW)
    charger_ids: list[int] = []
    with database.transaction() as session:
        store = EreStore(session, clock)
        for n in range(CUSTOMERS):
            email = f"c{n}@example.com"
            session.add(UserRow(email=email, password_hash="!", role="owner", created_at=NOW))  # noqa: S106
            session.flush()
            charger = ChargerRepository(session, clock).upsert(
                example_charger(
                    f"b{n}", model="Copper SB", part_number="CPB1", mid=MidMeter(True, f"M{n}", 1)
                )
            )
            charger_ids.append(charger.id)
            ean = _ean(n + 1)
            add_connection(
                store,
                ean=ean,
                customer_email=email,
                connected_party_name=f"Customer {n}",
                address=Address("Straat", str(n), "1234 AB", "Utrecht"),
                charger_ids=[charger.id],
            )
            record_construct(
                store,
                charger.id,
                kind=MeteringKind.INTEGRATED_MID,
                valid_from=datetime(2025, 12, 1, tzinfo=UTC),
                mid_serial=f"M{n}",
                explanation="bench",
                evidence=MeteringEvidence(reference="bench"),
            )
            add_mandate(
                store,
                ean=ean,
                service_provider_id="chargebook",
                first_year=2026,
                last_year=2026,
                consent_grid_operator_data=True,
                consent_verifier_visit=True,
                signed_by_name=f"Customer {n}",
                signed_on=date(2026, 1, 2),
            )
    per_charger = sessions // CUSTOMERS
    step = timedelta(minutes=max(61, int(365 * 24 * 60 / max(per_charger, 1)) - 1))
    first = datetime(2026, 1, 1, 6, tzinfo=UTC)
    with database.engine.begin() as connection:
        driver: Any = connection.connection.driver_connection
        postgres = database.dialect == "postgresql"
        cursor = driver.cursor()
        rows: list[tuple[Any, ...]] = []

        def flush() -> None:
            if postgres:
                with cursor.copy(f"COPY charging_sessions ({COLUMNS}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * 13)
                cursor.executemany(
                    f"INSERT INTO charging_sessions ({COLUMNS}) VALUES ({marks})",  # noqa: S608
                    rows,
                )
            rows.clear()

        for index, charger_id in enumerate(charger_ids):
            for k in range(per_charger):
                start = first + k * step
                end = start + timedelta(minutes=60)
                kwh = 7 + (k % 5)  # 7..11 kWh in an hour, below 22 kW
                raw = f'{{"charger":{charger_id},"energy":{kwh},"id":"{index}-{k}"}}'
                times: tuple[Any, Any] = (
                    (start, end)
                    if postgres
                    else (
                        start.strftime("%Y-%m-%d %H:%M:%S.%f"),
                        end.strftime("%Y-%m-%d %H:%M:%S.%f"),
                    )
                )
                stamp = NOW if postgres else NOW.strftime("%Y-%m-%d %H:%M:%S.%f")
                rows.append(
                    (
                        charger_id,
                        "wallbox_cloud",
                        f"{index}-{k}",
                        *times,
                        kwh,
                        kwh,
                        0,
                        raw,
                        hashlib.sha256(raw.encode()).hexdigest(),
                        "ok",
                        stamp,
                        stamp,
                    )
                )
                if len(rows) >= 50_000:
                    flush()
        flush()
        cursor.close()
    if database.dialect == "postgresql":
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
            _checkpoint(connection)


def _checkpoint(connection: Any) -> None:
    """Write the bulk load out now: else the checkpoint it triggers (≈ 1 GB of WAL) runs
    during the measured phases. Needs the `pg_checkpoint` role (.ci/run grants it)."""
    try:
        connection.exec_driver_sql("CHECKPOINT")
    except sqlalchemy.exc.ProgrammingError:  # insufficient privilege
        connection.rollback()
        print(
            "postgres: no CHECKPOINT (the role lacks pg_checkpoint): the bulk load's "
            "checkpoint may overlap the measured phases",
            flush=True,
        )


def _client_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _server_cpu_s(session: Any) -> float:
    """CPU seconds (user + system) of this session's PostgreSQL backend so far, from /proc
    (the server runs on this machine); 0 on SQLite or when /proc cannot be read."""
    if session.get_bind().dialect.name != "postgresql":
        return 0.0
    pid = session.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measure(url: str, phase: str) -> dict[str, Any]:
    """Run one phase against an already populated database (in this process).

    Besides the wall time it reports the CPU time of this process and of its PostgreSQL
    backend: on a machine shared with other work the wall time mostly measures the load."""
    database = Database(create_book_engine(url))
    parameters = load_parameters()
    with database.transaction() as session:
        store = EreStore(session, FixedClock(NOW))
        server_began = _server_cpu_s(session)
        client_began = _client_cpu_s()
        began = time.perf_counter()
        if phase == "eligibility":
            report = eligibility_report(store, YEAR, parameters=parameters, now=NOW)
            result = {
                "sessions": report.evaluated,
                "eligible": report.eligible,
                "ere": str(report.estimated_ere),
            }
        else:
            created = create_batch(store, YEAR, parameters=parameters, now=NOW)
            result = {
                "sessions": created.evaluated,
                "registered": created.batch.session_count,
                "ere": str(created.batch.total_ere),
                "lines": len(created.lines),
            }
        session.flush()
        server_cpu = _server_cpu_s(session) - server_began
    elapsed = time.perf_counter() - began  # includes the commit
    client_cpu = _client_cpu_s() - client_began
    database.dispose()
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        **result,
        "phase": phase,
        "seconds": round(elapsed, 2),
        "cpu_s": round(client_cpu + server_cpu, 2),
        "load_1min": round(os.getloadavg()[0], 1),
        "peak_rss_mib": peak_kib // 1024,
    }


def _child(url: str, phase: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.ere_bench", "--measure", url, "--phase", phase],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ,
    )
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def run_backend(backend: str, sessions: int) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="cb-ere-bench-") as directory:
        scratch: PostgresScratch | None = None
        if backend == "postgres":
            server = os.environ.get("CHARGEBOOK_BENCH_POSTGRES_URL") or os.environ.get(
                "CHARGEBOOK_TEST_POSTGRES_URL"
            )
            if not server:
                print("postgres: no CHARGEBOOK_BENCH_POSTGRES_URL / CHARGEBOOK_TEST_POSTGRES_URL")
                return results
            scratch = PostgresScratch(server)
            url = scratch.new_schema_url()
            database = Database(create_book_engine(url))
            database.upgrade()
        else:
            template = SqliteTemplate(Path(directory))
            path = Path(directory) / "book.sqlite3"
            database = template.clone(path)
            url = sqlite_url(path)
        try:
            began = time.perf_counter()
            populate(database, sessions)
            print(
                f"{backend}: {sessions:,} sessions generated in "
                f"{time.perf_counter() - began:.1f} s",
                flush=True,
            )
            database.dispose()
            for phase in ("eligibility", "batch"):
                result = {"backend": backend, **_child(url, phase)}
                print(json.dumps(result), flush=True)
                results.append(result)
        finally:
            database.dispose()
            if scratch is not None:
                scratch.close()
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # child: database URL
    parser.add_argument("--phase", choices=("eligibility", "batch"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.phase or "batch")))
        return
    sessions = 2_000 if args.quick else args.sessions
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    for backend in backends:
        for result in run_backend(backend, sessions):
            verdict = "met" if result["seconds"] <= TARGET_S else "NOT met"
            print(
                f"{backend} {result['phase']}: {result['seconds']} s (CPU {result['cpu_s']} s, "
                f"load {result['load_1min']}) for {result['sessions']:,} sessions, "
                f"peak RSS {result['peak_rss_mib']} MiB (target {TARGET_S:.0f} s: {verdict})"
            )


if __name__ == "__main__":
    main()
