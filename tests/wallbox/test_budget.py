"""The per-account budget: never more than N reads (M writes) in any rolling 60 s."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

import httpx
import pytest
from wallbox_fakes import FakeCloud, fixture

from chargebook.clock import FixedClock
from chargebook.wallbox import BudgetRegistry, RequestBudget, RequestKind, WallboxClient

MakeClient = Callable[..., WallboxClient]


def max_in_any_window(times: list[datetime], window_s: float = 60.0) -> int:
    times = sorted(times)
    return max(
        (
            sum(1 for t in times[i:] if (t - start).total_seconds() < window_s)
            for i, start in enumerate(times)
        ),
        default=0,
    )


async def test_reads_are_spread_to_three_per_rolling_minute(clock: FixedClock) -> None:
    budget = RequestBudget(reads_per_minute=3, writes_per_minute=5, clock=clock)
    granted = []
    for _ in range(10):
        await budget.acquire(RequestKind.READ)
        granted.append(clock.now())
    assert max_in_any_window(granted) == 3
    assert (granted[-1] - granted[0]).total_seconds() == 180  # 10 reads need 3 full minutes


async def test_reads_and_writes_have_separate_buckets(clock: FixedClock) -> None:
    budget = RequestBudget(reads_per_minute=3, writes_per_minute=5, clock=clock)
    for _ in range(3):
        await budget.acquire(RequestKind.READ)
    start = clock.now()
    for _ in range(5):
        assert await budget.acquire(RequestKind.WRITE) == 0.0
    assert clock.now() == start
    assert await budget.acquire(RequestKind.WRITE) == pytest.approx(60.0)


async def test_concurrent_tasks_share_one_budget(clock: FixedClock) -> None:
    budget = RequestBudget(reads_per_minute=3, clock=clock)
    granted: list[datetime] = []

    async def task() -> None:
        for _ in range(4):
            await budget.acquire(RequestKind.READ)
            granted.append(clock.now())

    await asyncio.gather(*(task() for _ in range(5)))
    assert len(granted) == 20
    assert max_in_any_window(granted) == 3


async def test_unlimited_budget_never_waits(clock: FixedClock) -> None:
    budget = RequestBudget.unlimited_budget(clock)
    for _ in range(100):
        await budget.acquire(RequestKind.READ)
    assert clock.slept_seconds == 0
    assert budget.limit(RequestKind.READ) is None


async def test_clients_of_one_account_share_the_registry_budget(
    cloud: FakeCloud, make_client: MakeClient, clock: FixedClock
) -> None:
    registry = BudgetRegistry(reads_per_minute=3, writes_per_minute=5, clock=clock)
    assert registry.for_account("A@example.com") is registry.for_account("a@example.com ")
    assert registry.for_account("a@example.com") is not registry.for_account("b@example.com")
    seen: list[datetime] = []

    def status(request: httpx.Request) -> httpx.Response:
        seen.append(clock.now())
        return httpx.Response(200, json=fixture("status.json"))

    cloud.on("GET", "/chargers/status/9988552", status)
    budget = registry.for_account("owner@example.com")
    first, second = make_client(budget=budget), make_client(budget=budget)
    await asyncio.gather(*(c.get_status("9988552") for c in (first, second) for _ in range(4)))
    assert len(seen) == 8
    assert max_in_any_window(seen) == 3


async def test_retries_spend_budget_too(
    cloud: FakeCloud, make_client: MakeClient, clock: FixedClock
) -> None:
    seen: list[datetime] = []
    replies = [httpx.Response(500)] * 5

    def flaky(request: httpx.Request) -> httpx.Response:
        seen.append(clock.now())
        if replies:
            return replies.pop()
        return httpx.Response(200, json=fixture("status.json"))

    cloud.on("GET", "/chargers/status/9988552", flaky)
    budget = RequestBudget(reads_per_minute=3, clock=clock)
    await make_client(budget=budget, max_retries=6, backoff_base_s=0.01).get_status("9988552")
    assert len(seen) == 6
    assert max_in_any_window(seen) == 3


def test_invalid_limit_is_rejected() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        RequestBudget(reads_per_minute=0)
