"""Running a queue worker and reading the queue's health (`chargebook worker [status]`).

`run_worker` is one worker process: it first puts jobs of dead workers back in the queue,
then runs jobs until SIGTERM/SIGINT (procrastinate's graceful stop: no new jobs, running ones
get CHARGEBOOK_WORKER_SHUTDOWN_GRACE_S, then are cancelled and retried by another worker).
A worker killed with SIGKILL stops sending heartbeats; `retry_stalled_jobs` on any other
worker (or on its own restart) puts its running job back to `todo`.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from procrastinate import App
from procrastinate.app import WorkerOptions
from procrastinate.jobs import Job

from chargebook.jobs.queue import QUEUES, retry_stalled
from chargebook.settings import Settings


async def run_worker(
    app: App,
    settings: Settings,
    *,
    concurrency: int | None = None,
    queues: Sequence[str] | None = None,
    wait: bool = True,
    name: str | None = None,
    install_signal_handlers: bool = True,
) -> None:
    """Run jobs from `queues` (None = all) until stopped; `wait=False` returns once the
    queues are empty. The app must be open (`async with app.open_async()`)."""
    await retry_stalled(app, settings.worker_stalled_after_s)
    options: WorkerOptions = {
        "concurrency": concurrency or settings.worker_concurrency,
        "wait": wait,
        "name": name or f"{socket.gethostname()}-{os.getpid()}",
        # Recorder and sync jobs are deferred every few minutes per account: keeping the
        # succeeded ones would grow the table without bound. Failed ones stay for `status`.
        "delete_jobs": "successful",
        "update_heartbeat_interval": settings.worker_heartbeat_interval_s,
        "stalled_worker_timeout": settings.worker_stalled_after_s,
        "shutdown_graceful_timeout": settings.worker_shutdown_grace_s,
        "install_signal_handlers": install_signal_handlers,
    }
    if queues:
        options["queues"] = list(queues)
    await app.run_worker_async(**options)


@dataclass(frozen=True, slots=True)
class QueueCounts:
    """Jobs of one queue per status."""

    name: str
    todo: int
    doing: int
    failed: int
    succeeded: int
    cancelled: int
    aborted: int


@dataclass(frozen=True, slots=True)
class JobSummary:
    """One job as the status report lists it (arguments hold ids and periods, no secrets)."""

    id: int
    task: str
    queue: str
    attempts: int
    args: str
    worker_id: int | None


@dataclass(frozen=True, slots=True)
class WorkerSummary:
    id: int
    last_heartbeat: datetime
    running_jobs: int


@dataclass(frozen=True, slots=True)
class QueueStatus:
    """What an operator watches: depth per queue, live workers, stuck and failed jobs."""

    queues: list[QueueCounts]
    workers: list[WorkerSummary]
    stalled: list[JobSummary]
    failed: list[JobSummary]

    @property
    def healthy(self) -> bool:
        """No stalled and no failed job."""
        return not self.stalled and not self.failed


async def queue_status(app: App, settings: Settings, *, failed_limit: int = 20) -> QueueStatus:
    """Read the queue's state. The app must be open."""
    manager = app.job_manager
    rows = {row["name"]: row for row in await manager.list_queues_async()}
    queues = [
        QueueCounts(
            name=name,
            **{
                key: int(rows.get(name, {}).get(key, 0))
                for key in ("todo", "doing", "failed", "succeeded", "cancelled", "aborted")
            },
        )
        for name in sorted({*QUEUES, *rows})
    ]
    stalled = await manager.get_stalled_jobs(
        seconds_since_heartbeat=settings.worker_stalled_after_s
    )
    failed = list(await manager.list_jobs_async(status="failed"))
    failed.sort(key=lambda job: job.id or 0, reverse=True)
    workers = await app.connector.execute_query_all_async(
        query="SELECT w.id, w.last_heartbeat, count(j.id) AS running "
        "FROM procrastinate_workers w LEFT JOIN procrastinate_jobs j "
        "ON j.worker_id = w.id AND j.status = 'doing' "
        "GROUP BY w.id, w.last_heartbeat ORDER BY w.id"
    )
    return QueueStatus(
        queues=queues,
        workers=[
            WorkerSummary(int(w["id"]), w["last_heartbeat"], int(w["running"])) for w in workers
        ],
        stalled=[_summary(job) for job in stalled],
        failed=[_summary(job) for job in failed[:failed_limit]],
    )


def _summary(job: Job) -> JobSummary:
    args = ", ".join(f"{key}={value}" for key, value in sorted(job.task_kwargs.items()))
    return JobSummary(
        id=job.id or 0,
        task=job.task_name,
        queue=job.queue,
        attempts=job.attempts,
        args=args,
        worker_id=job.worker_id,
    )
