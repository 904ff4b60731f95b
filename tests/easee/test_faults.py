"""Faults and limits: reads retried, writes never re-sent once they may have acted, clear
errors for what cannot be read, and a budget that stops before Easee blocks the account."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
import pytest

from chargebook.clock import FixedClock
from chargebook.easee import EaseeBudget
from chargebook.errors import (
    ApiPayloadError,
    ApiRateLimitedError,
    ApiUnreachableError,
    WriteUnconfirmedError,
)
from chargebook.simulator.easee import DEMO_EMAIL, EaseeSimulator, SimulatorConfig

from .conftest import ClientFactory


def _sim(clock: FixedClock, **config: Any) -> EaseeSimulator:
    return EaseeSimulator(SimulatorConfig(**config), clock=FixedClock(clock.now()))


def _posts(sim: EaseeSimulator) -> list[int]:
    """Statuses of the data writes served (sign-ins are POSTs too, and left out)."""
    log = sim.request_log.get(DEMO_EMAIL, [])
    return [r.status for r in log if r.method == "POST" and "/accounts/" not in r.path]


async def test_reads_survive_every_read_fault(
    clock: FixedClock, make_client: ClientFactory
) -> None:
    sim = _sim(clock, fault_rate=0.25, fault_methods=("GET",), slow_answer_s=0.0, days=120)
    client = make_client(sim)
    chargers = await client.list_chargers()
    assert [c.external_id for c in chargers] == list(sim.accounts[0].charger_ids)
    charger_id = chargers[0].external_id
    records = [
        r
        async for r in client.iter_sessions(
            charger_id, start=clock.now() - timedelta(days=120), end=clock.now()
        )
    ]
    assert [r.raw for r in records] == sim.ground_truth_sessions(charger_id)
    for _ in range(15):
        status = await client.get_status(charger_id)
        assert status.firmware_version == chargers[0].firmware_version
    assert client.retry_count > 0
    assert set(sim.faults.injected) >= {"server_error", "drop", "truncated", "wrong_type"}


@pytest.mark.parametrize(
    ("kind", "error"),
    [("server_error", ApiUnreachableError), ("drop", ApiUnreachableError),
     ("truncated", ApiPayloadError), ("wrong_type", ApiPayloadError)],
)  # fmt: skip
async def test_a_read_that_keeps_failing_is_a_clear_error(
    clock: FixedClock, make_client: ClientFactory, kind: str, error: type[Exception]
) -> None:
    sim = _sim(clock, fault_rate=1.0, fault_kinds=(kind,), server_error_statuses=(502,))
    client = make_client(sim)
    with pytest.raises(error) as failed:
        await client.list_chargers()
    assert failed.value.brand == "Easee"  # type: ignore[attr-defined]
    assert client.retry_count == client.http.max_retries


class _Timeouts(httpx.AsyncBaseTransport):
    """Every data request times out after it was sent (sign-in passes through)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.sent = inner, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.startswith("/api/accounts/"):
            return await self.inner.handle_async_request(request)
        self.sent += 1
        raise httpx.ReadTimeout("simulated", request=request)


async def test_timeouts_retry_a_read_but_never_a_write(
    sim: EaseeSimulator, make_client: ClientFactory
) -> None:
    transport = _Timeouts(httpx.ASGITransport(app=sim.app))
    client = make_client(sim, transport=transport)
    with pytest.raises(ApiUnreachableError, match="ReadTimeout"):
        await client.list_chargers()
    assert transport.sent == client.http.max_retries + 1
    transport.sent = 0
    with pytest.raises(WriteUnconfirmedError, match="not sent again"):
        await client.set_charging(sim.accounts[0].charger_ids[0], False)
    assert transport.sent == 1


@pytest.mark.parametrize(
    ("kind", "status"), [("drop", 502), ("server_error", 500), ("server_error", 502)]
)
async def test_a_write_whose_reply_is_lost_is_not_sent_again(
    clock: FixedClock, make_client: ClientFactory, kind: str, status: int
) -> None:
    sim = _sim(
        clock,
        fault_rate=1.0,
        fault_kinds=(kind,),
        fault_methods=("POST",),
        server_error_statuses=(status,),
    )
    client = make_client(sim)
    charger_id = sim.accounts[0].charger_ids[0]
    with pytest.raises(WriteUnconfirmedError):
        await client.set_current(charger_id, 10)
    assert sim.applied_writes == [
        ("POST", f"/api/chargers/{charger_id}/commands/set_dynamic_charger_current")
    ]
    assert len(_posts(sim)) == 1
    assert sim.state(charger_id).latest.dynamic_current_a == 10  # it did act


async def test_a_503_did_not_act_and_is_sent_again(
    clock: FixedClock, make_client: ClientFactory
) -> None:
    sim = _sim(
        clock,
        fault_rate=1.0,
        fault_kinds=("server_error",),
        fault_methods=("POST",),
        server_error_statuses=(503,),
        fault_limit=1,
    )
    client = make_client(sim)
    await client.set_locked(sim.accounts[0].charger_ids[0], True)
    assert _posts(sim) == [503, 200]
    assert len(sim.applied_writes) == 1


async def test_a_429_holds_the_account_until_retry_after(
    clock: FixedClock, make_client: ClientFactory
) -> None:
    sim = _sim(clock, history_per_hour=2)
    client = make_client(sim)
    charger_id = sim.accounts[0].charger_ids[0]
    day = clock.now() - timedelta(days=1)
    for _ in range(3):  # two an hour, then the 360 s trickle
        _ = [r async for r in client.iter_sessions(charger_id, start=day, end=clock.now())]
    with pytest.raises(ApiRateLimitedError) as limited:
        _ = [r async for r in client.iter_sessions(charger_id, start=day, end=clock.now())]
    assert limited.value.retry_after_s == 361
    served = len(sim.request_log[DEMO_EMAIL])
    with pytest.raises(ApiRateLimitedError):  # held by the budget: nothing is sent
        await client.get_status(charger_id)
    assert len(sim.request_log[DEMO_EMAIL]) == served
    clock.advance(timedelta(seconds=361))
    sim.clock.set(clock.now())  # type: ignore[attr-defined]
    await client.get_status(charger_id)
    assert not sim.limiter.blocked(DEMO_EMAIL, sim.clock.now())


async def test_the_budget_paces_history_reads_before_easee_refuses(
    sim: EaseeSimulator, make_client: ClientFactory, clock: FixedClock
) -> None:
    charger_id = sim.accounts[0].charger_ids[0]
    day = clock.now() - timedelta(days=1)
    strict = EaseeBudget(clock, history_per_hour=2, max_wait_s=60)
    client = make_client(sim, budget=strict)
    for _ in range(2):
        _ = [r async for r in client.iter_sessions(charger_id, start=day, end=clock.now())]
    with pytest.raises(ApiRateLimitedError, match="budget") as paced:
        _ = [r async for r in client.iter_sessions(charger_id, start=day, end=clock.now())]
    assert paced.value.retry_after_s == pytest.approx(3600)
    patient = make_client(sim, budget=EaseeBudget(clock, history_per_hour=2, max_wait_s=7200))
    started = clock.now()
    for _ in range(3):
        _ = [r async for r in patient.iter_sessions(charger_id, start=day, end=started)]
    assert clock.now() - started == timedelta(hours=1)  # waited on the clock, not refused
    assert all(r.status != 429 for r in sim.request_log[DEMO_EMAIL])
