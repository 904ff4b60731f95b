"""Two processes' worth of writers on one SQLite file wait for each other instead of failing."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sqlalchemy import func, select

from chargebook.clock import FixedClock
from chargebook.db import AuditLogRepository, open_database
from chargebook.db.accounts.tables import AuditLogRow
from chargebook.settings import Settings


def test_concurrent_read_then_write_transactions_all_commit(
    tmp_path: Path, clock: FixedClock
) -> None:
    settings = Settings(data_dir=tmp_path)
    open_database(settings).dispose()
    errors: list[BaseException] = []
    start = threading.Barrier(3, timeout=20)

    def writer(name: str) -> None:
        # A separate Database per thread: separate connection pools, as in two processes.
        try:
            database = open_database(settings)
            start.wait()
            for index in range(10):
                with database.transaction() as session:
                    # Read first, then write: with a deferred BEGIN the second writer would
                    # fail with "database is locked" when upgrading its stale snapshot.
                    session.scalar(select(func.count(AuditLogRow.id)))
                    time.sleep(0.002)
                    AuditLogRepository(session, clock).append(
                        actor=name, action="tick", entity_type="test", entity_id=index
                    )
            database.dispose()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b", "c")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    database = open_database(settings)
    with database.session() as session:
        assert session.scalar(select(func.count(AuditLogRow.id))) == 30
    database.dispose()
