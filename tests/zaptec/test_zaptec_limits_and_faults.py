"""Zaptec's 10 requests a second per account, and the faults reads meet."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from zaptec_helpers import START, client, simulator, statuses

from chargebook.clock import FixedClock
from chargebook.errors import ApiPayloadError, ApiRateLimitedError, ApiUnreachableError
from chargebook.zaptec import ZaptecBudget


async def test_the_budget_keeps_an_account_under_ten_requests_a_second() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    budget = ZaptecBudget(clock=clock)
    first, second = client(sim, clock, budget=budget), client(sim, clock, budget=budget)
    charger_id = sim.accounts[0].charger_ids[0]
    await first.list_chargers()
    await second.list_chargers()
    await asyncio.gather(*(c.get_status(charger_id) for c in (first, second) for _ in range(15)))
    assert 429 not in statuses(sim)
    assert budget.waited_s > 0
    times = [r.time for r in sim.request_log["demo@example.com"]]
    for index in range(len(times) - 10):
        assert times[index + 10] - times[index] >= timedelta(seconds=1)
    await first.aclose()
    await second.aclose()


async def test_a_429_is_waited_out_by_its_retry_after() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock, budget=ZaptecBudget(clock=clock, per_second=1000))
    charger_id = sim.accounts[0].charger_ids[0]
    await zaptec.list_chargers()
    before = clock.now()
    await asyncio.gather(*(zaptec.get_status(charger_id) for _ in range(12)))
    assert 429 in statuses(sim)
    assert clock.now() - before >= timedelta(seconds=1)  # Retry-After: 1
    await zaptec.aclose()


async def test_a_rate_limit_that_never_lifts_says_when_to_try_again() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock, budget=ZaptecBudget(clock=clock, per_second=1000))
    charger_id = sim.accounts[0].charger_ids[0]
    await zaptec.list_chargers()
    original = sim.over_limit
    sim.over_limit = lambda email: True  # type: ignore[method-assign]
    with pytest.raises(ApiRateLimitedError) as limited:
        await zaptec.get_status(charger_id)
    assert limited.value.retry_after_s == 1.0
    assert limited.value.retryable
    sim.over_limit = original  # type: ignore[method-assign]
    await zaptec.aclose()


@pytest.mark.parametrize(
    ("kind", "error"),
    [
        ("server_error", ApiUnreachableError),
        ("drop", ApiUnreachableError),
        ("truncated", ApiPayloadError),
        ("missing_key", ApiPayloadError),
    ],
)
async def test_a_read_that_keeps_failing_ends_in_a_clear_error(
    kind: str, error: type[Exception]
) -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock)
    await zaptec.sign_in()
    sim_faulty = simulator(clock, fault_rate=1.0, fault_kinds=(kind,), fault_methods=("GET",))
    faulty = client(sim_faulty, clock)
    with pytest.raises(error) as raised:
        await faulty.list_chargers()
    assert "Zaptec" in str(raised.value)
    assert faulty.request_count == 1 + 5  # the grant, then the read and 4 retries
    await zaptec.aclose()
    await faulty.aclose()


async def test_transient_faults_are_retried_until_the_read_succeeds() -> None:
    clock = FixedClock(START)
    sim = simulator(
        clock,
        fault_rate=1.0,
        fault_kinds=("server_error", "drop", "truncated", "missing_key"),
        fault_methods=("GET",),
        fault_limit=4,
    )
    zaptec = client(sim, clock)
    chargers = await zaptec.list_chargers()
    assert len(chargers) == 2
    assert zaptec.retry_count == 4
    await zaptec.aclose()


async def test_an_unreachable_cloud_is_an_unreachable_error() -> None:
    import httpx

    class _Refuses(httpx.AsyncBaseTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused", request=request)

    clock = FixedClock(START)
    zaptec = client(simulator(clock), clock, transport=_Refuses())
    with pytest.raises(ApiUnreachableError, match="cannot reach"):
        await zaptec.sign_in()
    await zaptec.aclose()


async def test_waits_are_announced_to_whoever_shows_progress() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    budget = ZaptecBudget(clock=clock)
    waits: list[str] = []
    stop = budget.watch(lambda wait: waits.append(wait.reason))
    zaptec = client(sim, clock, budget=budget)
    charger_id = sim.accounts[0].charger_ids[0]
    await asyncio.gather(*(zaptec.get_status(charger_id) for _ in range(12)))
    assert waits
    assert all("10 requests a second" in reason for reason in waits)
    stop()
    count = len(waits)
    await asyncio.gather(*(zaptec.get_status(charger_id) for _ in range(12)))
    assert len(waits) == count
    await zaptec.aclose()
