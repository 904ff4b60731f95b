"""Web benchmark (issue 6): p50/p99 latency of the owner's pages and `/api/v1` on a book of
1,000,000 sessions, through a real uvicorn server, on SQLite and PostgreSQL.

    .venv/bin/python -m bench.web_bench [--sessions 1000000] [--backend sqlite|postgres|both]
                                        [--requests 200] [--quick]

The book is `bench.ere_bench.populate` (200 owners, one MID charger each with a connection,
a mandate and a construct; sessions bulk-inserted, not through the sync engine), plus: each
charger owned by its customer, 60 one-minute samples for each owner's 10 newest sessions, an
operator, and a browser session + access token for `MEASURED_OWNERS` owners. The web app runs
under uvicorn (`ServedApp`) in a forked child process on a fixed clock (2027-01-15), so the
measuring client (httpx, keep-alive, one request at a time) and the server do not share one
interpreter lock. Each request goes to the next owner in turn, after a warm-up round.

PostgreSQL: CHARGEBOOK_BENCH_POSTGRES_URL or CHARGEBOOK_TEST_POSTGRES_URL (a private schema,
dropped at the end).
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from argon2 import PasswordHasher
from cryptography.fernet import Fernet
from pydantic import SecretStr
from sqlalchemy import select, text

from bench.ere_bench import CUSTOMERS, NOW, populate
from chargebook.book.cursor import SessionCursor
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.accounts.users import UserRepository
from chargebook.db.book.tables import ChargerRow, ChargingSessionRow
from chargebook.db.core.engine import create_book_engine
from chargebook.db.core.testing import PostgresScratch, SqliteTemplate, sqlite_url
from chargebook.domain.access import ApiScope
from chargebook.domain.users import UserRole
from chargebook.settings import Settings
from chargebook.simulator.serve import free_port
from chargebook.web.accounts import AccountService

# Imported before the book is made, so the forked server runs the code as it was at start.
from chargebook.web.app import create_app
from chargebook.web.cookies import SESSION_COOKIE
from chargebook.web.security import Passwords

BENCH_ROOT = Path(__file__).resolve().parent.parent
TARGET_P99_MS = 100.0
MEASURED_OWNERS = 20
SAMPLED_SESSIONS = 10  # per owner, the newest
SAMPLES_PER_SESSION = 60
DEEP_INDEX = 4_000  # the deep cursor page starts after the owner's 4,000th newest session
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@dataclass
class Owner:
    user_id: int
    cookie: str
    token: str
    sampled_session_id: int
    deep_cursor: str


def _stamp(moment: datetime, postgres: bool) -> Any:
    return moment if postgres else moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def add_owners_and_samples(database: Database) -> None:
    """Chargers belong to their customer; samples for each owner's newest sessions."""
    postgres = database.dialect == "postgresql"
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE chargers SET owner_user_id = (SELECT users.id FROM users WHERE "
                "users.email = 'c' || substr(chargers.external_id, 2) || '@example.com')"
            )
        )
        rows: list[tuple[Any, ...]] = []
        chargers = connection.execute(select(ChargerRow.id)).scalars().all()
        for charger_id in chargers:
            newest = connection.execute(
                select(ChargingSessionRow.id, ChargingSessionRow.started_at)
                .where(ChargingSessionRow.charger_id == charger_id)
                .order_by(ChargingSessionRow.started_at.desc())
                .limit(SAMPLED_SESSIONS)
            ).all()
            for session_id, started_at in newest:
                assert started_at is not None  # bench sessions are complete
                for minute in range(SAMPLES_PER_SESSION):
                    observed = started_at + timedelta(minutes=minute)
                    rows.append(
                        (
                            charger_id,
                            _stamp(observed, postgres),
                            7.2,
                            0.12 * (minute + 1),
                            "charging",
                            194,
                            session_id,
                        )
                    )
        columns = "charger_id, observed_at, power_kw, session_energy_kwh, status, status_code, "
        columns += "session_id"
        driver: Any = connection.connection.driver_connection
        cursor = driver.cursor()
        if postgres:
            with cursor.copy(f"COPY session_samples ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(
                f"INSERT INTO session_samples ({columns}) VALUES (?, ?, ?, ?, ?, ?, ?)",  # noqa: S608
                rows,
            )
        cursor.close()
    if postgres:
        with database.engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()


def sign_in_owners(database: Database, settings: Settings) -> tuple[list[Owner], Owner]:
    """Browser sessions and tokens for the measured owners and an operator."""
    clock = FixedClock(NOW)
    passwords = Passwords(FAST_HASHER)
    owners: list[Owner] = []
    with database.transaction() as session:
        service = AccountService(session, clock, passwords)
        step = max(1, CUSTOMERS // MEASURED_OWNERS)
        for n in range(0, CUSTOMERS, step)[:MEASURED_OWNERS]:
            user = UserRepository(session, clock).get_by_email(f"c{n}@example.com")
            assert user is not None
            charger_id = session.scalars(
                select(ChargerRow.id).where(ChargerRow.owner_user_id == user.id)
            ).one()
            ordered = (
                select(ChargingSessionRow.started_at, ChargingSessionRow.id)
                .where(ChargingSessionRow.charger_id == charger_id)
                .order_by(ChargingSessionRow.started_at.desc(), ChargingSessionRow.id.desc())
            )
            newest = session.execute(ordered.limit(1)).one()
            deep = session.execute(ordered.offset(DEEP_INDEX).limit(1)).one_or_none() or newest
            _, token = service.create_token(user, name="bench", scopes=frozenset(ApiScope))
            owners.append(
                Owner(
                    user.id,
                    service.start_session(user),
                    token,
                    newest.id,
                    SessionCursor(deep.started_at, deep.id).encode(),
                )
            )
        operator = service.sign_up(
            email="operator@example.com",
            password="bench-operator-pw",  # noqa: S106
            role=UserRole.OPERATOR,
        )
        _, token = service.create_token(operator, name="bench", scopes=frozenset(ApiScope))
        middle = session.execute(
            select(ChargingSessionRow.started_at, ChargingSessionRow.id)
            .order_by(ChargingSessionRow.started_at.desc(), ChargingSessionRow.id.desc())
            .offset(int(session.scalar(text("SELECT count(*) FROM charging_sessions")) or 0) // 2)
            .limit(1)
        ).one()
        op = Owner(
            operator.id,
            service.start_session(operator),
            token,
            owners[0].sampled_session_id,
            SessionCursor(middle.started_at, middle.id).encode(),
        )
    return owners, op


def _server_env(settings: Settings) -> dict[str, str]:
    """The settings a server process needs, as environment variables."""
    assert settings.secret_key is not None
    return {
        **os.environ,
        "CHARGEBOOK_DATA_DIR": str(settings.data_dir),
        "CHARGEBOOK_SECRET_KEY": settings.secret_key.get_secret_value(),
        "CHARGEBOOK_WEB_COOKIE_SECURE": "false",
        "CHARGEBOOK_WEB_RUN_SCHEDULER": "false",
        "CHARGEBOOK_WEB_RUN_CENTRAL_SYSTEM": "false",
    }


def serve_forever(url: str, port: int) -> None:
    """The server process: the web app on `url`'s book under uvicorn on 127.0.0.1:`port`
    (settings from the environment, fixed clock), until killed."""
    app = create_app(
        Settings(),
        database=Database(create_book_engine(url)),
        clock=FixedClock(NOW),
        password_hasher=FAST_HASHER,
        background=False,
    )
    # As `chargebook serve` does (chargebook.web.heap), inline so a baseline checkout gets it too.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


@contextmanager
def served_web(url: str, settings: Settings, source: Path | None = None) -> Iterator[str]:
    """The web app on `url`'s book in a child process; yields its base URL. `source`: run
    the chargebook package from that `src` directory instead (a baseline checkout)."""
    port = free_port()
    env = _server_env(settings)
    if source is not None:
        env["PYTHONPATH"] = f"{source}{os.pathsep}{BENCH_ROOT}"
    command = [sys.executable, "-m", "bench.web_bench", "--serve", url, "--port", str(port)]
    process = subprocess.Popen(command, env=env, cwd=BENCH_ROOT)
    base_url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                httpx.get(base_url + "/login", timeout=5)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the web app did not start") from None
                time.sleep(0.2)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()


def endpoints(owner: Owner) -> dict[str, str]:
    """name -> path, for one owner."""
    return {
        "dashboard /": "/",
        "sessions page": "/sessions",
        "sessions page, June": "/sessions?start=2026-06-01&end=2026-06-30",
        "session page": f"/sessions/{owner.sampled_session_id}",
        "session chart data": f"/sessions/{owner.sampled_session_id}/samples.json",
        "credits page": "/credits",
        "api sessions, first page": "/api/v1/sessions",
        "api sessions, deep cursor": f"/api/v1/sessions?cursor={owner.deep_cursor}",
        "api energy per month": "/api/v1/energy/monthly",
    }


def measure(
    servers: dict[str, str],
    owners: list[Owner],
    operator: Owner,
    requests: int,
    budget_s: float,
) -> list[dict[str, Any]]:
    """p50/p99 per endpoint and server (label -> base URL) over `requests` requests (the
    owners in turn), after a warm-up. Servers take turns request by request, so a busy
    machine slows them alike; a server stops early after `budget_s` s (at least 5 requests).
    """
    results: list[dict[str, Any]] = []
    clients = {label: httpx.Client(base_url=url, timeout=300) for label, url in servers.items()}

    def get(client: httpx.Client, who: Owner, path: str) -> float:
        headers = {"Authorization": f"Bearer {who.token}"} if path.startswith("/api") else {}
        began = time.perf_counter()
        response = client.get(path, headers=headers, cookies={SESSION_COOKIE: who.cookie})
        elapsed = time.perf_counter() - began
        if response.status_code != 200:
            raise RuntimeError(f"{path}: HTTP {response.status_code} {response.text[:200]}")
        return elapsed * 1000

    plan = [(name, False) for name in endpoints(owners[0])]
    plan += [("api sessions, first page", True), ("api sessions, deep cursor", True)]
    try:
        for name, as_operator in plan:
            who_all = [operator] if as_operator else owners
            times: dict[str, list[float]] = {label: [] for label in clients}
            for client in clients.values():
                for who in who_all[:3]:
                    get(client, who, endpoints(who)[name])  # warm-up
            for index in range(requests):
                who = who_all[index % len(who_all)]
                for label, client in clients.items():
                    if len(times[label]) >= 5 and sum(times[label]) > budget_s * 1000:
                        continue
                    times[label].append(get(client, who, endpoints(who)[name]))
            for label, taken in times.items():
                taken.sort()
                result = {
                    "server": label,
                    "endpoint": name + (" (operator)" if as_operator else ""),
                    "p50_ms": round(statistics.median(taken), 1),
                    "p99_ms": round(taken[min(len(taken) - 1, int(len(taken) * 0.99))], 1),
                    "requests": len(taken),
                }
                print(json.dumps(result), flush=True)
                results.append(result)
    finally:
        for client in clients.values():
            client.close()
    return results


def run_backend(
    backend: str, sessions: int, requests: int, budget_s: float, baseline: Path | None
) -> list[dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="cb-web-bench-") as directory:
        settings = Settings(
            data_dir=Path(directory),
            secret_key=SecretStr(Fernet.generate_key().decode()),
            web_cookie_secure=False,
            web_run_scheduler=False,
            web_run_central_system=False,
        )
        scratch: PostgresScratch | None = None
        if backend == "postgres":
            server = os.environ.get("CHARGEBOOK_BENCH_POSTGRES_URL") or os.environ.get(
                "CHARGEBOOK_TEST_POSTGRES_URL"
            )
            if not server:
                print("postgres: no CHARGEBOOK_BENCH_POSTGRES_URL / CHARGEBOOK_TEST_POSTGRES_URL")
                return []
            scratch = PostgresScratch(server)
            url = scratch.new_schema_url()
            database = Database(create_book_engine(url))
            database.upgrade()
        else:
            path = Path(directory) / "book.sqlite3"
            database = SqliteTemplate(Path(directory)).clone(path)
            url = sqlite_url(path)
        try:
            began = time.perf_counter()
            populate(database, sessions)
            add_owners_and_samples(database)
            owners, operator = sign_in_owners(database, settings)
            made_s = time.perf_counter() - began
            print(f"{backend}: book of {sessions:,} sessions in {made_s:.0f} s", flush=True)
            database.dispose()
            with contextlib.ExitStack() as stack:
                servers = {"now": stack.enter_context(served_web(url, settings))}
                if baseline is not None:
                    servers["baseline"] = stack.enter_context(served_web(url, settings, baseline))
                return [
                    {"backend": backend, **result}
                    for result in measure(servers, owners, operator, requests, budget_s)
                ]
        finally:
            database.dispose()
            if scratch is not None:
                scratch.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=1_000_000)
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--requests", type=int, default=200, help="per endpoint")
    parser.add_argument("--budget-s", type=float, default=60.0, help="per endpoint, at most")
    parser.add_argument(
        "--baseline-src",
        type=Path,
        help="also serve the chargebook package from this src directory (an older checkout), "
        "taking turns with the current code",
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)  # server process: database URL
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="tiny sizes (smoke test)")
    args = parser.parse_args(argv)
    if args.serve:
        serve_forever(args.serve, args.port)
        return
    sessions, requests = (20_000, 20) if args.quick else (args.sessions, args.requests)
    backends = ("sqlite", "postgres") if args.backend == "both" else (args.backend,)
    summary = []
    for backend in backends:
        summary.extend(run_backend(backend, sessions, requests, args.budget_s, args.baseline_src))
    print(f"\n{'backend':9} {'server':9} {'endpoint':38} {'p50 ms':>8} {'p99 ms':>8}  "
          "target p99 < 100 ms")  # fmt: skip
    for row in summary:
        verdict = "met" if row["p99_ms"] < TARGET_P99_MS else "NOT met"
        print(f"{row['backend']:9} {row['server']:9} {row['endpoint']:38} {row['p50_ms']:8.1f} "
              f"{row['p99_ms']:8.1f}  {verdict} ({row['requests']} requests)")  # fmt: skip


if __name__ == "__main__":
    main()
