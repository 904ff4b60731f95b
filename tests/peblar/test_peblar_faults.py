"""The client on a faulty, throttling charger: reads retried on the clock, clear errors when
it stays broken, and a write whose reply was lost is never sent again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest

from chargebook.clock import FixedClock
from chargebook.errors import (
    ApiPayloadError,
    ApiRateLimitedError,
    ApiUnreachableError,
    WriteUnconfirmedError,
)
from chargebook.peblar import PeblarClient
from chargebook.peblar.budget import PeblarBudget
from chargebook.simulator.peblar import PeblarSimulator

Opener = Callable[..., PeblarClient]  # the `open_client` fixture (conftest.py)
MakeSim = Callable[..., PeblarSimulator]


async def test_transient_faults_on_reads_are_retried(
    make_sim: MakeSim, open_client: Opener, peblar_clock: FixedClock
) -> None:
    sim = make_sim(
        fault_rate=0.25,
        fault_kinds=("server_error", "timeout", "drop", "truncated", "wrong_type"),
        fault_methods=("GET",),
    )
    client = open_client(simulator=sim)
    for _ in range(10):
        [charger] = await client.list_chargers()
        await client.get_status(charger.external_id)
    assert sum(sim.gate.faults.injected.values()) > 3
    assert client.retry_count > 0
    assert peblar_clock.slept_seconds > 0  # backoff on the injected clock


@pytest.mark.parametrize(
    ("kind", "error", "words"),
    [
        ("server_error", ApiUnreachableError, "failed \\(HTTP 50"),
        ("timeout", ApiUnreachableError, "did not answer in time"),
        ("drop", ApiUnreachableError, "Could not reach"),
        ("truncated", ApiPayloadError, "not complete JSON"),
        ("wrong_type", ApiPayloadError, "expected an object, got str"),
    ],
)
async def test_a_read_that_keeps_failing_is_a_clear_error(
    make_sim: MakeSim, open_client: Opener, kind: str, error: type[Exception], words: str
) -> None:
    sim = make_sim(fault_rate=1.0, fault_kinds=(kind,), fault_methods=("GET",))
    client = open_client(simulator=sim, web_password=None)
    with pytest.raises(error, match=words):
        await client.list_chargers()


@pytest.mark.parametrize("kind", ["server_error", "timeout", "drop", "truncated"])
async def test_a_lost_write_reply_is_never_sent_again(
    make_sim: MakeSim, open_client: Opener, kind: str
) -> None:
    sim = make_sim()
    client = open_client(simulator=sim)
    [charger] = await client.list_chargers()
    faulty = make_sim(
        fault_rate=1.0, fault_kinds=(kind,), fault_methods=("PATCH",), server_error_statuses=(500,)
    )
    client = open_client(simulator=faulty)
    with pytest.raises(WriteUnconfirmedError, match="does not send it again"):
        await client.set_current(charger.external_id, 8)
    patches = [w for w in faulty.writes if w.method == "PATCH"]
    assert len(patches) == 1  # sent once, and the charger acted on it
    assert faulty.ev.limit_ma == 8000


async def test_the_chargers_throttle_is_waited_out(
    make_sim: MakeSim, open_client: Opener, peblar_clock: FixedClock
) -> None:
    sim = make_sim(requests_per_minute=2)
    client = open_client(simulator=sim, web_password=None)
    before = peblar_clock.now()
    [charger] = await client.list_chargers()  # system
    await client.get_status(charger.external_id)  # evinterface, then meter: a 429 first
    assert peblar_clock.now() - before >= timedelta(seconds=50)  # honoured Retry-After


async def test_a_throttled_write_is_refused_before_acting(
    make_sim: MakeSim, open_client: Opener
) -> None:
    sim = make_sim(requests_per_minute=1)
    client = open_client(simulator=sim, web_password=None)
    [charger] = await client.list_chargers()
    with pytest.raises(ApiRateLimitedError) as caught:
        await client.set_current(charger.external_id, 8)
    assert caught.value.retry_after_s is not None
    assert sim.writes == []


async def test_the_budget_spaces_requests_on_the_clock(peblar_clock: FixedClock) -> None:
    budget = PeblarBudget(peblar_clock, per_minute=2)
    assert await budget.acquire() == 0
    assert await budget.acquire() == 0
    waited = await budget.acquire()
    assert waited == pytest.approx(60)
    assert peblar_clock.slept_seconds == pytest.approx(60)
