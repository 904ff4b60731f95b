"""Scheduling: the in-process scheduler that runs sync and recorder jobs periodically
(SQLite, inside `chargebook serve`), and on PostgreSQL the distributed job queue that
`chargebook worker` processes share (`jobs.queue`, `jobs.worker`, `jobs.worker_jobs`)."""

from chargebook.jobs.scheduler import Job, Scheduler, install_signal_handlers

__all__ = ["Job", "Scheduler", "install_signal_handlers"]
