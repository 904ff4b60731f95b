"""`chargebook worker` and its operator commands through the CLI."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.cli.errors import EXIT_CONFIGURATION
from chargebook.db import Database
from chargebook.jobs.queue import build_app
from chargebook.settings import Settings

from .queue_support import jobs, worker_env, worker_values


def test_the_worker_on_sqlite_is_a_configuration_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["worker"], env={"CHARGEBOOK_DATA_DIR": str(tmp_path)})
    assert result.exit_code == EXIT_CONFIGURATION
    assert "needs PostgreSQL" in result.output
    assert not (tmp_path / "chargebook.sqlite3").exists()  # refused before opening anything


@pytest.mark.postgres
def test_status_and_defer_on_postgres(pg_book: Database, tmp_path: Path) -> None:
    values = worker_values(pg_book, tmp_path)
    env = {k: v for k, v in worker_env(values).items() if k.startswith("CHARGEBOOK_")}
    runner = CliRunner()

    deferred = runner.invoke(app, ["worker", "defer", "sync", "3", "4"], env=env)
    assert deferred.exit_code == 0, deferred.output
    again = runner.invoke(app, ["worker", "defer", "sync", "3"], env=env)
    assert "account 3: already queued" in again.output
    assert [job["args"] for job in jobs(pg_book)] == [{"account_id": 3}, {"account_id": 4}]

    healthy = runner.invoke(app, ["worker", "status", "--check"], env={**env, "COLUMNS": "200"})
    assert healthy.exit_code == 0, healthy.output
    assert "│ sync     │ 2    │" in healthy.output  # two waiting sync jobs

    async def fail_one() -> None:
        queue = build_app(Settings(**values))
        async with queue.open_async():
            worker_id = await queue.job_manager.register_worker()
            job = await queue.job_manager.fetch_job(queues=["sync"], worker_id=worker_id)
            assert job is not None
            from procrastinate.jobs import Status

            await queue.job_manager.finish_job(job, Status.FAILED, delete_job=False)

    asyncio.run(fail_one())
    failing = runner.invoke(app, ["worker", "status", "--check"], env={**env, "COLUMNS": "200"})
    assert failing.exit_code == 1
    assert "Failed jobs (1)" in failing.output
    assert "chargebook.sync_account" in failing.output
    assert values["secret_key"] not in failing.output

    retried = runner.invoke(app, ["worker", "retry", "1"], env=env)
    assert retried.exit_code == 0, retried.output
    assert jobs(pg_book)[0]["status"] == "todo"
    assert runner.invoke(app, ["worker", "status", "--check"], env=env).exit_code == 0
    refused = runner.invoke(app, ["worker", "retry", "1"], env=env)  # waiting, not failed
    assert refused.exit_code == 1
    assert "only failed" in refused.output
