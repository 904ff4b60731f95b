"""Scheduling: the in-process scheduler that runs sync and recorder jobs periodically."""

from chargebook.jobs.scheduler import Job, Scheduler, install_signal_handlers

__all__ = ["Job", "Scheduler", "install_signal_handlers"]
