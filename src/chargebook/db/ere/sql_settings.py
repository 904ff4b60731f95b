"""Session settings for the eligibility statements (`chargebook.db.ere.eligibility`,
`staging`): larger sort memory and no JIT for a whole period, no parallel workers for one
customer's page; each restored afterwards."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, text

# SQLite's page cache for the million-row statements, in KiB: the default 2 MiB made the
# session scan, the overlap index search and the registration's index inserts re-read and
# re-write pages (about 20 % more CPU, about 40 % more wall time at 1M sessions). A constant,
# so memory stays flat in the number of sessions.
SQLITE_CACHE_KIB = 65_536
# PostgreSQL's memory per sort or hash for the statements over a whole period (`bulk_settings`).
BULK_WORK_MEM = "256MB"


@contextmanager
def bulk_settings(connection: Connection) -> Iterator[None]:
    """Settings for statements over every session of a period, restored afterwards.

    PostgreSQL (`SET LOCAL`): `jit = off`: such a statement is planned far above
    `jit_above_cost`, and compiling its expressions took 2.5-3.5 s, more than the rules.
    `work_mem = BULK_WORK_MEM`: the rules sort a period's sessions by charger and start (the
    overlap windows) and the registration sorts them by session id; at a million sessions
    both spilled to temporary files (≈ 270 MB) with the default 4 MB, which cost ≈ 1.1 s of a
    batch. The setting is a cap per sort, so the server's memory stays bounded by it however
    many sessions there are (beyond it the sorts spill again).
    SQLite: a larger page cache (`SQLITE_CACHE_KIB`).
    """
    if connection.dialect.name == "sqlite":
        before_cache = connection.exec_driver_sql("PRAGMA cache_size").scalar_one()
        connection.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        yield
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before_cache)}")
        return
    settings = {"jit": "off", "work_mem": BULK_WORK_MEM}
    before = {
        name: connection.execute(text("SELECT current_setting(:name)"), {"name": name}).scalar_one()
        for name in settings
    }
    apply = text("SELECT set_config(:name, :value, true)")
    for name, value in settings.items():
        connection.execute(apply, {"name": name, "value": value})
    yield
    # Not in `finally`: after a failed statement the transaction only takes a rollback, which
    # undoes `SET LOCAL` anyway.
    for name, value in before.items():
        connection.execute(apply, {"name": name, "value": value})


@contextmanager
def one_customer_settings(connection: Connection) -> Iterator[None]:
    """Settings for one customer's query (a few thousand rows), restored afterwards, in one
    round trip each way. PostgreSQL: `jit = off` as in `bulk_settings` (the overlap pairs'
    rows are misjudged far above `jit_above_cost`) and no parallel workers (starting two
    took about 10 of the statement's 26 ms). SQLite: nothing (the pages fit its cache)."""
    if connection.dialect.name != "postgresql":
        yield
        return
    workers = "max_parallel_workers_per_gather"
    jit, workers_before = connection.execute(
        text(f"SELECT current_setting('jit'), current_setting('{workers}')")
    ).one()
    apply = text(f"SELECT set_config('jit', :jit, true), set_config('{workers}', :workers, true)")
    connection.execute(apply, {"jit": "off", "workers": "0"})
    yield
    # Not in `finally`: see bulk_settings.
    connection.execute(apply, {"jit": jit, "workers": workers_before})
