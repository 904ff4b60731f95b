"""The book's periodic jobs per account: history sync and live recording.

`schedule_account_jobs` is what `chargebook serve` (or any long-running process) calls once
per account; the scheduler keeps one sync and one recorder loop per account and never runs
two syncs of one account at once.
"""

from __future__ import annotations

from collections.abc import Sequence

from chargebook.jobs.scheduler import Job, Scheduler
from chargebook.sync.accounts import AccountSource
from chargebook.sync.engine import SyncEngine
from chargebook.sync.recorder import Recorder

SYNC_INTERVAL_S = 15 * 60.0
SYNC_JITTER_S = 120.0
RECORDER_JITTER_S = 10.0


def schedule_account_jobs(
    scheduler: Scheduler,
    accounts: Sequence[AccountSource],
    *,
    engine: SyncEngine,
    recorder: Recorder | None = None,
    sync_interval_s: float = SYNC_INTERVAL_S,
    sync_first_delay_s: float = 0.0,
) -> list[Job]:
    """Add a sync job (and a recorder job) for every account; returns the jobs added.

    Accounts start spread over the first interval (jitter), so a fleet does not hit the
    cloud in one burst. `sync_first_delay_s`: an account whose history was just synced (the
    wizard's backfill) waits that long before its first periodic sync, which would only
    spend its reads again.
    """
    jobs: list[Job] = []
    for account in accounts:

        async def sync(account: AccountSource = account) -> None:
            await engine.sync_account(account)

        jobs.append(
            Job(
                name="sync",
                key=str(account.account_id),
                run=sync,
                interval_s=sync_interval_s,
                jitter_s=SYNC_JITTER_S,
                first_delay_s=sync_first_delay_s,
            )
        )
        if recorder is not None:

            async def record(account: AccountSource = account) -> float:
                return await recorder.poll_account(account)

            jobs.append(
                Job(
                    name="record",
                    key=str(account.account_id),
                    run=record,
                    interval_s=recorder.config.idle_interval_s,
                    jitter_s=RECORDER_JITTER_S,
                    first_delay_s=30.0,  # let the first sync register the chargers
                )
            )
    for job in jobs:
        scheduler.add(job)
    return jobs
