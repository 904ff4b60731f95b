"""Several central-system processes on one PostgreSQL book (issue 20): how many charge points
one process and two processes carry at p99 < 200 ms on the same machine.

Each level starts 1 or 2 fresh `CentralSystem` child processes (PostgreSQL book in a private
schema, cluster node on, `settle_heap`), spreads the charge points over them round-robin
(what a load balancer in front would do), connects them all (Basic auth, argon2-checked), and
each sends a MeterValues every 10 s in an open transaction for --measure-s seconds; the load
generator is this process (`bench/_ocpp_load.py`: it waits for the servers to be idle after
the connects, then measures; it prints each server's, the PostgreSQL backends' and its own
CPU in the window). PostgreSQL from CHARGEBOOK_BENCH_POSTGRES_URL or
CHARGEBOOK_TEST_POSTGRES_URL.

    .venv/bin/python -m bench.ocpp_cluster_bench [--levels 500,1000,1500] [--processes 1,2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
from typing import Any

from bench._ocpp_load import SECRET, capacity_level
from bench.ocpp_bench import _load, stored_secret


async def _serve(url: str) -> None:
    from chargebook.central_system import CentralSystem
    from chargebook.central_system.cluster import cluster_for
    from chargebook.db.core.database import Database
    from chargebook.db.core.engine import create_book_engine
    from chargebook.settings import Settings

    settings = Settings()
    database = Database(create_book_engine(url))
    central = CentralSystem(
        settings, database, settle_heap=True, cluster=cluster_for(database, 30.0)
    )
    async with central:
        port = await central.start("127.0.0.1", 0)
        print(f"READY {port}", flush=True)
        await asyncio.get_running_loop().create_future()


def _start(url: str) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "bench.ocpp_cluster_bench", "server", url],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("READY"):
        process.kill()
        raise RuntimeError(f"server did not start: {line!r}")
    return process, int(line.split()[1])


def _book(server_url: str, count: int, app_name: str) -> tuple[Any, str]:
    from sqlalchemy.engine import make_url

    from chargebook.clock import SystemClock
    from chargebook.db.core.database import Database
    from chargebook.db.core.engine import create_book_engine
    from chargebook.db.core.testing import PostgresScratch
    from chargebook.db.ocpp.chargers import OcppChargerRepository

    scratch = PostgresScratch(server_url)
    # The servers' PostgreSQL backends carry `app_name`, so their CPU can be read too.
    named = make_url(scratch.new_schema_url()).update_query_dict({"application_name": app_name})
    url = named.render_as_string(hide_password=False)
    database = Database(create_book_engine(url))
    database.upgrade()
    secret_hash = stored_secret(SECRET)  # one hash reused: setup time, not what is measured
    with database.transaction() as session:
        repository = OcppChargerRepository(session, SystemClock())
        for n in range(count):
            repository.register(f"B-{n:05d}", secret_hash=secret_hash)
    database.dispose()
    return scratch, url


def _backends(server_url: str, app_name: str) -> list[int]:
    """The PostgreSQL backends of the servers under test (to read their CPU from /proc)."""
    import psycopg
    from sqlalchemy.engine import make_url

    conninfo = make_url(server_url).set(drivername="postgresql")
    with psycopg.connect(conninfo.render_as_string(hide_password=False)) as connection:
        rows = connection.execute(
            "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (app_name,)
        ).fetchall()
    return [int(pid) for (pid,) in rows]


def _run(server_url: str, processes: int, level: int, measure_s: float) -> dict[str, Any]:
    app_name = f"cbbench_{secrets.token_hex(4)}"
    scratch, url = _book(server_url, level, app_name)
    children = [_start(url) for _ in range(processes)]
    try:
        load_before = _load()
        result = asyncio.run(
            capacity_level(
                [port for _, port in children],
                level,
                measure_s,
                [process.pid for process, _ in children],
                lambda: _backends(server_url, app_name),
            )
        )
    finally:
        for process, _ in children:
            process.kill()
            process.wait()
        scratch.close()
    result = {"processes": processes, **result, "load": f"{load_before} -> {_load()}"}
    print(json.dumps(result), flush=True)
    return result


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "server":
        asyncio.run(_serve(sys.argv[2]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="500,1000,1500,2000")
    parser.add_argument("--processes", default="1,2")
    parser.add_argument("--measure-s", type=float, default=20.0)
    args = parser.parse_args()
    server_url = os.environ.get("CHARGEBOOK_BENCH_POSTGRES_URL") or os.environ.get(
        "CHARGEBOOK_TEST_POSTGRES_URL"
    )
    if not server_url:
        print("skipped: set CHARGEBOOK_BENCH_POSTGRES_URL or CHARGEBOOK_TEST_POSTGRES_URL")
        return
    print(f"machine: nproc={os.cpu_count()}, python {sys.version.split()[0]}, load {_load()}")
    for processes in [int(p) for p in args.processes.split(",")]:
        best = 0
        for level in [int(x) for x in args.levels.split(",")]:
            result = _run(server_url, processes, level, args.measure_s)
            if result["p99_ms"] >= 200 or result["connected"] < level or result["errors"]:
                break
            best = level
        print(f"{processes} process(es): most charge points at p99 < 200 ms: {best}", flush=True)


if __name__ == "__main__":
    main()
