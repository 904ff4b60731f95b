"""`chargebook sync`'s progress bar counts reads and says when the rate limit makes it wait."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.console import Console
from rich.progress import Progress, TextColumn

from chargebook.cli.sync import _RichProgress
from chargebook.wallbox.budget import BudgetWait, RequestKind


def test_the_bar_counts_reads_and_shows_a_wait_until_the_next_read() -> None:
    console = Console(record=True, width=160, force_terminal=False)
    with Progress(TextColumn("{task.fields[note]}"), console=console, auto_refresh=False) as bar:
        progress = _RichProgress(bar)
        progress.update("owner@example.com", done=2, total=5, note="Pulsar: history")
        assert bar.tasks[0].fields["note"] == "Pulsar: history (2 of 5 reads done)"
        wait = BudgetWait(
            RequestKind.READ, 40.0, datetime(2026, 1, 1, tzinfo=UTC),
            "the Wallbox rate limit (3 reads a minute)",
        )  # fmt: skip
        progress.waiting("owner@example.com", wait)
        assert bar.tasks[0].fields["note"] == (
            "waiting 40 s for the Wallbox rate limit (3 reads a minute) — 2 of 5 reads done"
        )
        assert bar.tasks[0].completed == 2
        progress.update("owner@example.com", done=3, total=5, note="Pulsar: history")
        assert bar.tasks[0].fields["note"] == "Pulsar: history (3 of 5 reads done)"
        progress.update("owner@example.com", done=5, total=5, note="done")
        assert bar.tasks[0].fields["note"] == "done"
