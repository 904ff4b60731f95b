"""Shared pieces of the worker tests: a migrated PostgreSQL book, settings, queue queries."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from sqlalchemy import text

from chargebook.db import Database
from chargebook.settings import Settings

# Far-away ticks: tests that do not test the periodic jobs must not get them (procrastinate
# defers a tick missed by up to 10 minutes when a worker starts).
NEVER = "0 0 29 2 *"


def book_url(database: Database) -> str:
    """The URL (with its search_path option) of a test's PostgreSQL book."""
    return database.engine.url.render_as_string(hide_password=False)


def worker_values(database: Database, tmp_path: Path, **changes: Any) -> dict[str, Any]:
    """Settings of a test worker on `database`: no periodic job unless asked, fast retries."""
    values: dict[str, Any] = {
        "data_dir": tmp_path / "data",
        "database_url": book_url(database),
        "secret_key": Fernet.generate_key().decode(),
        "wallbox_partner_mode": True,
        "worker_sync_cron": NEVER,
        "worker_record_cron": NEVER,
        "worker_stalled_cron": NEVER,
        "worker_hooks_cron": NEVER,
        "worker_retry_base_s": 0.0,
    }
    values.update(changes)
    return values


def worker_settings(database: Database, tmp_path: Path, **changes: Any) -> Settings:
    """`worker_values` as Settings."""
    return Settings(**worker_values(database, tmp_path, **changes))


def worker_env(values: dict[str, Any]) -> dict[str, str]:
    """The environment of a `chargebook worker` subprocess with these settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHARGEBOOK_")}
    env.update({f"CHARGEBOOK_{key.upper()}": str(value) for key, value in values.items()})
    return env


def jobs(database: Database, task: str | None = None) -> list[dict[str, Any]]:
    """Rows of procrastinate_jobs (id, task_name, status, lock, queueing_lock, attempts)."""
    query = (
        "SELECT id, task_name, status::text AS status, lock, queueing_lock, attempts, args "
        "FROM procrastinate_jobs WHERE (CAST(:task AS text) IS NULL OR task_name = :task) "
        "ORDER BY id"
    )
    with database.engine.connect() as connection:
        return [dict(row._mapping) for row in connection.execute(text(query), {"task": task})]
