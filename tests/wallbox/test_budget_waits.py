"""Waits for the rate limit can be watched (how long, why), without the budget knowing a UI."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from wallbox_fakes import FakeCloud, fixture

from chargebook.clock import FixedClock
from chargebook.wallbox import RequestBudget, RequestKind
from chargebook.wallbox.budget import BudgetWait


async def test_a_listener_hears_each_wait_before_it_starts(clock: FixedClock) -> None:
    budget = RequestBudget(reads_per_minute=3, writes_per_minute=5, clock=clock)
    heard: list[tuple[BudgetWait, float]] = []
    start = clock.now()
    stop = budget.watch(lambda wait: heard.append((wait, clock.slept_seconds)))
    for _ in range(3):
        await budget.acquire(RequestKind.READ)
    assert heard == []  # three reads a minute: no wait yet
    clock.advance(20)
    await budget.acquire(RequestKind.READ)
    [(wait, slept_before)] = heard
    assert slept_before == 0  # told before the wait, so a screen can say it while it lasts
    assert wait.kind is RequestKind.READ
    assert wait.wait_s == pytest.approx(40)
    assert wait.until == start + timedelta(seconds=60)
    assert wait.reason == "the Wallbox rate limit (3 reads a minute)"
    assert not wait.throttled
    stop()
    await budget.acquire(RequestKind.READ)  # waits again, unheard
    assert len(heard) == 1


async def test_a_failing_listener_never_stops_a_request(clock: FixedClock) -> None:
    budget = RequestBudget(reads_per_minute=1, clock=clock)

    def broken(wait: BudgetWait) -> None:
        raise RuntimeError("display gone")

    budget.watch(broken)
    await budget.acquire(RequestKind.READ)
    assert await budget.acquire(RequestKind.READ) == pytest.approx(60)


async def test_a_throttled_request_is_announced_with_its_backoff(
    cloud: FakeCloud, make_client: object, clock: FixedClock
) -> None:
    budget = RequestBudget.unlimited_budget(clock)
    heard: list[BudgetWait] = []
    budget.watch(heard.append)
    cloud.fail("GET", "/v3/chargers/groups", httpx.Response(429, json={}))
    cloud.on("GET", "/v3/chargers/groups", httpx.Response(200, json=fixture("groups.json")))
    client = make_client(budget=budget)  # type: ignore[operator]
    assert await client.list_chargers()
    [wait] = heard
    assert wait.throttled
    assert wait.reason == "Wallbox throttled this account"
    assert wait.wait_s > 0
