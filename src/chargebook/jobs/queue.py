"""The distributed job queue behind `chargebook worker` (procrastinate on PostgreSQL).

Jobs, by task name: `chargebook.sync_account(account_id)` (queue `sync`) runs the sync
engine for one account; `chargebook.record_account(account_id)` (queue `record`) records one
round of live samples and re-defers itself after the delay the recorder asks for;
`chargebook.ere_batch(period, corrects_batch_id)` and `chargebook.ere_statements(period,
fee_rate)` (queue `ere`) build a draft registration batch and write a period's statements.
Periodic jobs (queue `schedule`, each cron tick deferred exactly once for the whole cluster
by procrastinate's periodic-defer table, whatever the number of workers):
`chargebook.schedule_syncs` (CHARGEBOOK_WORKER_SYNC_CRON, every 15 minutes) and
`chargebook.schedule_recording` (CHARGEBOOK_WORKER_RECORD_CRON, every 5 minutes) defer one job
per enabled account, and `chargebook.retry_stalled_jobs` (CHARGEBOOK_WORKER_STALLED_CRON,
every minute) puts the running jobs of workers without a heartbeat for
CHARGEBOOK_WORKER_STALLED_AFTER_S (killed, frozen) back to `todo`;
`chargebook.dispatch_hooks` (CHARGEBOOK_WORKER_HOOKS_CRON, every minute) runs one pass of the
webhook and notification dispatcher (`hooks.dispatch`). Locks: account jobs carry
both `queueing_lock` and `lock` `sync-account-{id}` / `record-account-{id}`, so an account has
at most one waiting and one running sync; batch builds share the lock `ere-registrations`
(statements: `ere-statements-{period}`); periodic jobs have a queueing lock of their own name.
Jobs are idempotent (the sync engine resumes, a rebuilt batch finds nothing left) and
retryable ChargebookErrors are retried with exponential backoff.
"""

from __future__ import annotations

import logging
from typing import Any

from procrastinate import App, PsycopgConnector
from procrastinate import exceptions as queue_errors
from procrastinate.jobs import Job, Status
from procrastinate.retry import BaseRetryStrategy, RetryDecision

from chargebook.db.core.job_queue import queue_conninfo
from chargebook.ere import parse_fee_rate
from chargebook.errors import ChargebookError, ConfigurationError, ConflictError
from chargebook.jobs.worker_jobs import WorkerRuntime
from chargebook.settings import Settings

_LOGGER = logging.getLogger(__name__)

SYNC_TASK = "chargebook.sync_account"
RECORD_TASK = "chargebook.record_account"
ERE_BATCH_TASK = "chargebook.ere_batch"
ERE_STATEMENTS_TASK = "chargebook.ere_statements"
SCHEDULE_SYNCS_TASK = "chargebook.schedule_syncs"
SCHEDULE_RECORDING_TASK = "chargebook.schedule_recording"
RETRY_STALLED_TASK = "chargebook.retry_stalled_jobs"
DISPATCH_HOOKS_TASK = "chargebook.dispatch_hooks"
QUEUES = ("sync", "record", "ere", "schedule")
ERE_REGISTRATION_LOCK = "ere-registrations"
RETRY_CAP_S = 15 * 60.0


def sync_lock(account_id: int) -> str:
    """The lock and queueing lock of an account's sync jobs."""
    return f"sync-account-{account_id}"


def record_lock(account_id: int) -> str:
    """The lock and queueing lock of an account's recording jobs."""
    return f"record-account-{account_id}"


class ChargebookRetry(BaseRetryStrategy):
    """Retry retryable ChargebookErrors only: base * 2**attempt seconds, capped, at most
    `max_attempts` retries. Anything else (a bug, a wrong password) fails the job at once."""

    def __init__(self, *, max_attempts: int, base_s: float, cap_s: float = RETRY_CAP_S) -> None:
        self.max_attempts, self.base_s, self.cap_s = max_attempts, base_s, cap_s

    def get_retry_decision(self, *, exception: BaseException, job: Job) -> RetryDecision | None:
        if not isinstance(exception, ChargebookError) or not exception.retryable:
            return None
        if job.attempts >= self.max_attempts:
            return None
        wait_s = min(self.cap_s, self.base_s * 2**job.attempts)
        return RetryDecision(retry_in={"seconds": wait_s})


class RuntimeSlot:
    """The worker process's runtime, set when the worker starts (a deferring process has none)."""

    def __init__(self, runtime: WorkerRuntime | None) -> None:
        self.runtime = runtime

    def get(self) -> WorkerRuntime:
        if self.runtime is None:
            raise ConfigurationError("this process only defers jobs; `chargebook worker` runs them")
        return self.runtime


def build_app(settings: Settings, runtime: WorkerRuntime | None = None) -> App:
    """The procrastinate app with chargebook's tasks (see the module docstring).

    `runtime` is what the jobs run with; a process that only defers jobs or reads the queue's
    status passes None. Open the app (`async with app.open_async()`) before use.

    Raises:
        ConfigurationError: the database is not PostgreSQL.
    """
    url = settings.effective_database_url
    if not url.startswith(("postgresql", "postgres")):
        raise ConfigurationError(
            "`chargebook worker` needs PostgreSQL (CHARGEBOOK_DATABASE_URL=postgresql://...); "
            "with SQLite, `chargebook serve` runs the sync and recorder jobs itself"
        )
    app = App(connector=PsycopgConnector(conninfo=queue_conninfo(url)))
    slot = RuntimeSlot(runtime)
    retry = ChargebookRetry(
        max_attempts=settings.worker_max_attempts, base_s=settings.worker_retry_base_s
    )

    @app.task(name=SYNC_TASK, queue="sync", retry=retry)
    async def sync_account(account_id: int) -> None:
        await slot.get().sync_account(account_id)

    @app.task(name=RECORD_TASK, queue="record", retry=retry)
    async def record_account(account_id: int) -> None:
        delay_s = await slot.get().record_account(account_id)
        if delay_s is not None:
            await defer_recording(app, account_id, delay_s=delay_s)

    @app.task(name=ERE_BATCH_TASK, queue="ere", retry=retry, lock=ERE_REGISTRATION_LOCK)
    def ere_batch(period: str, corrects_batch_id: int | None = None) -> int | None:
        # A sync task: procrastinate runs it in a thread, so heartbeats go on meanwhile.
        return slot.get().build_ere_batch(period, corrects_batch_id)

    @app.task(name=ERE_STATEMENTS_TASK, queue="ere", retry=retry)
    def ere_statements(period: str, fee_rate: str) -> int:
        return len(slot.get().write_statements(period, parse_fee_rate(fee_rate)))

    @app.periodic(cron=settings.worker_sync_cron)
    @app.task(name=SCHEDULE_SYNCS_TASK, queue="schedule", queueing_lock=SCHEDULE_SYNCS_TASK)
    async def schedule_syncs(timestamp: int) -> int:
        deferred = 0
        for account_id in slot.get().enabled_account_ids():
            deferred += await defer_sync(app, account_id) is not None
        return deferred

    @app.periodic(cron=settings.worker_record_cron)
    @app.task(name=SCHEDULE_RECORDING_TASK, queue="schedule", queueing_lock=SCHEDULE_RECORDING_TASK)
    async def schedule_recording(timestamp: int) -> int:
        deferred = 0
        for account_id in slot.get().enabled_account_ids():
            deferred += await defer_recording(app, account_id) is not None
        return deferred

    # Webhooks and notifications: a dispatcher pass each minute (retries wait 30 s and more).
    @app.periodic(cron=settings.worker_hooks_cron)
    @app.task(name=DISPATCH_HOOKS_TASK, queue="schedule", queueing_lock=DISPATCH_HOOKS_TASK)
    async def dispatch_hooks(timestamp: int) -> int:
        return await slot.get().dispatch_hooks()

    @app.periodic(cron=settings.worker_stalled_cron)
    @app.task(name=RETRY_STALLED_TASK, queue="schedule", queueing_lock=RETRY_STALLED_TASK)
    async def retry_stalled_jobs(timestamp: int) -> int:
        return await retry_stalled(app, settings.worker_stalled_after_s)

    return app


async def defer_sync(app: App, account_id: int) -> int | None:
    """Queue a sync of the account; the job id, or None when one is already waiting."""
    lock = sync_lock(account_id)
    return await _defer(app, SYNC_TASK, lock, lock, {"account_id": account_id})


async def defer_recording(app: App, account_id: int, *, delay_s: float = 0.0) -> int | None:
    """Queue a recording round in `delay_s` seconds; None when one is already waiting."""
    lock = record_lock(account_id)
    kwargs: dict[str, Any] = {"account_id": account_id}
    return await _defer(app, RECORD_TASK, lock, lock, kwargs, delay_s=delay_s)


async def defer_ere_batch(app: App, period: str, corrects_batch_id: int | None = None) -> int:
    """Queue a batch build for the period (`2026` or `2026-Q1`); the job id.

    Raises:
        AlreadyQueuedError: a build of this period is already waiting.
    """
    kwargs = {"period": period, "corrects_batch_id": corrects_batch_id}
    job_id = await _defer(app, ERE_BATCH_TASK, None, f"ere-batch-{period}", kwargs)
    if job_id is None:
        raise AlreadyQueuedError(f"a batch build for {period} is already queued")
    return job_id


async def defer_ere_statements(app: App, period: str, fee_rate: str) -> int:
    """Queue statement writing for the period with the fee rate (a fraction, "0.20").

    Raises:
        ValueError: the fee rate is not a number in [0, 1].
        AlreadyQueuedError: statements of this period are already waiting.
    """
    rate = parse_fee_rate(fee_rate)  # FeeRateError is a ValueError
    lock = f"ere-statements-{period}"
    job_id = await _defer(
        app, ERE_STATEMENTS_TASK, lock, lock, {"period": period, "fee_rate": str(rate)}
    )
    if job_id is None:
        raise AlreadyQueuedError(f"statements for {period} are already queued")
    return job_id


class AlreadyQueuedError(ConflictError):
    """The same job is already waiting in the queue (its queueing lock is taken)."""


async def retry_stalled(app: App, stalled_after_s: float) -> int:
    """Put the running jobs of workers silent for `stalled_after_s` back to `todo`; their
    count. Several workers may do this at once: a job another one already moved is skipped.
    A stalled job whose queueing lock a newer waiting job holds is marked aborted instead
    (the newer job does the same work)."""
    manager = app.job_manager
    stalled = await manager.get_stalled_jobs(seconds_since_heartbeat=stalled_after_s)
    retried = 0
    for job in stalled:
        assert job.id is not None
        try:
            await manager.retry_job(job)
        except queue_errors.ConnectorException:
            if await manager.get_job_status_async(job.id) is not Status.DOING:
                continue  # another worker retried it first, or it ended meanwhile
            try:
                await manager.finish_job_by_id_async(
                    job_id=job.id, status=Status.ABORTED, delete_job=False
                )
                _LOGGER.warning("job %s[%d] of a dead worker: superseded", job.task_name, job.id)
            except queue_errors.ConnectorException:
                pass  # moved by another worker between the two statements
            continue
        retried += 1
        _LOGGER.warning("job %s[%d] of a dead worker: retried", job.task_name, job.id)
    return retried


async def _defer(
    app: App,
    task: str,
    lock: str | None,
    queueing_lock: str | None,
    kwargs: dict[str, Any],
    *,
    delay_s: float = 0.0,
) -> int | None:
    options: dict[str, Any] = {"lock": lock, "queueing_lock": queueing_lock}
    if delay_s > 0:
        options["schedule_in"] = {"seconds": delay_s}
    try:
        return await app.configure_task(task, **options).defer_async(**kwargs)
    except queue_errors.AlreadyEnqueued:
        return None
