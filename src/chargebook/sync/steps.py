"""Counting one account's reads of the cloud during a sync: progress in reads (`ReadSteps`,
one per planned range, corrected by the pages the cloud announces) and the client's request
and retry counters (`request_stats`); the steps a client's history is read in
(`config_for`)."""

from __future__ import annotations

import dataclasses

from chargebook.domain.ports import ChargerCloud, HistoryWindow, RequestStats
from chargebook.sync.report import AccountReport, SyncProgress
from chargebook.sync.windows import SyncConfig


class ReadSteps:
    """Progress in reads of the cloud: `done` of the `total` expected so far."""

    def __init__(self, report: AccountReport, progress: SyncProgress | None) -> None:
        self.report, self.progress, self.done, self.total = report, progress, 0, 0

    def add(self, total: int = 0, done: int = 0, note: str = "") -> None:
        """Expect `total` more reads and count `done` more as read, then report."""
        self.total += total
        self.done = min(self.total, self.done + done)
        if self.progress is not None:
            self.progress.update(self.report.label, done=self.done, total=self.total, note=note)

    def reading(self, note: str) -> RangeReads:
        """Counts the pages of one history read planned as one read (see `RangeReads`)."""
        return RangeReads(self, note)


class RangeReads:
    """One history read, planned as one read; its pages correct the plan as they come."""

    def __init__(self, steps: ReadSteps, note: str) -> None:
        self._steps, self._note = steps, note
        self._done, self._expected = 0, 1

    def page(self, pages_read: int, pages_expected: int) -> None:
        """The cloud's `on_page`: `pages_read` of `pages_expected` pages of this read."""
        more_total = max(pages_expected, pages_read) - self._expected
        more_done = pages_read - self._done
        self._done, self._expected = pages_read, self._expected + more_total
        self._steps.add(total=more_total, done=more_done, note=self._note)

    def finish(self) -> None:
        """The read ended: settle a plan that the pages did not (a cloud without `on_page`)."""
        self._steps.add(
            total=self._done - self._expected if self._done else 0,
            done=0 if self._done else 1,
            note=self._note,
        )


def request_stats(cloud: ChargerCloud) -> tuple[int, int]:
    """The client's (requests, retries) so far; (0, 0) for a client that does not count."""
    if isinstance(cloud, RequestStats):
        return cloud.request_count, cloud.retry_count
    return 0, 0


def config_for(cloud: ChargerCloud, config: SyncConfig) -> SyncConfig:
    """`config` with backfill windows no longer than the client's `history_window`, if it
    has one: each span is then its own read with its own cursor, newest first."""
    if isinstance(cloud, HistoryWindow) and cloud.history_window < config.backfill_window:
        return dataclasses.replace(config, backfill_window=cloud.history_window)
    return config
