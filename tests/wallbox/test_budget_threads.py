"""A budget shared by two event loops in two threads (`serve`: the scheduler's syncs on their
own loop, the commands on the app's) still grants at most N reads per rolling minute."""

from __future__ import annotations

import asyncio
import threading
from datetime import UTC, datetime

from chargebook.clock import FixedClock
from chargebook.wallbox import BudgetRegistry, RequestKind


class _SlowClock(FixedClock):
    """Waits really (a little) while moving the fixed time: a waiter holds its turn long
    enough for the other thread to queue behind it."""

    async def sleep(self, seconds: float) -> None:
        await super().sleep(seconds)
        await asyncio.sleep(0.01)


def test_two_loops_in_two_threads_share_one_budget() -> None:
    clock = _SlowClock(datetime(2026, 5, 1, tzinfo=UTC))
    registry = BudgetRegistry(reads_per_minute=3, writes_per_minute=5, clock=clock)
    granted: list[datetime] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    async def reads(email: str) -> None:
        budget = registry.for_account(email)
        for _ in range(6):
            await budget.acquire(RequestKind.READ)
            with lock:
                granted.append(clock.now())
            await asyncio.sleep(0.001)  # let the other thread's loop contend

    def thread_main(email: str) -> None:
        try:
            asyncio.run(reads(email))
        except BaseException as exc:  # reported below, a thread cannot raise into the test
            errors.append(exc)

    threads = [
        threading.Thread(target=thread_main, args=(email,))
        for email in ("owner@example.com", "OWNER@example.com ")  # one account, two spellings
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    assert not any(thread.is_alive() for thread in threads), "a waiter was never woken"
    assert errors == []
    assert len(granted) == 12
    granted.sort()
    for index, start in enumerate(granted):
        in_window = [t for t in granted[index:] if (t - start).total_seconds() < 60]
        assert len(in_window) <= 3
