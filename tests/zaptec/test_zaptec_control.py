"""Every control through the port; writes sent once, a lost reply never re-sent."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest
from zaptec_helpers import START, client, simulator

from chargebook.clock import FixedClock
from chargebook.domain.control import ControlFeature, ControlNotSupportedError
from chargebook.domain.models import ChargerState
from chargebook.errors import ChargerApiError, WriteUnconfirmedError
from chargebook.simulator.zaptec import GUEST_EMAIL, GUEST_PASSWORD, ZaptecSimulator


def _charging(sim: ZaptecSimulator, clock: FixedClock) -> str:
    charger_id = sim.accounts[0].charger_ids[0]
    session = next(s for s in sim.plans[charger_id] if s.start > START)
    clock.set(session.start + (session.charging_end - session.start) / 2)
    return charger_id


async def test_pause_and_resume_while_a_car_charges() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock)
    charger_id = _charging(sim, clock)
    await zaptec.set_charging(charger_id, False)
    assert (await zaptec.read(charger_id)).state is ChargerState.PAUSED
    await zaptec.set_charging(charger_id, False)  # already paused: nothing sent
    await zaptec.set_charging(charger_id, True)
    assert (await zaptec.read(charger_id)).state is ChargerState.CHARGING
    assert [path.rsplit("/", 1)[-1] for _, path in sim.applied_writes] == ["506", "507"]
    await zaptec.aclose()


async def test_pausing_a_charger_without_a_car_sends_nothing() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock)
    charger_id = sim.accounts[0].charger_ids[0]
    clock.set(sim.ended_sessions(charger_id)[-1].end)  # between sessions
    await zaptec.set_charging(charger_id, False)
    await zaptec.set_charging(charger_id, True)
    assert sim.applied_writes == []
    await zaptec.aclose()


async def test_current_limit_and_restart() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock)
    charger_id = sim.accounts[0].charger_ids[0]
    await zaptec.set_current(charger_id, 10)
    assert sim.current_limit[charger_id] == 10
    assert (await zaptec.read(charger_id)).max_charging_current_a == 10
    await zaptec.restart(charger_id)
    assert sim.restarts[charger_id] == 1
    with pytest.raises(ChargerApiError, match="0 to 32 A"):
        await zaptec.set_current(charger_id, 40)
    assert len(sim.applied_writes) == 2
    await zaptec.aclose()


async def test_capabilities_are_honest_and_missing_ones_refuse_clearly() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock)
    charger_id = sim.accounts[0].charger_ids[0]
    capabilities = zaptec.capabilities(charger_id)
    assert capabilities.features == {
        ControlFeature.PAUSE_RESUME,
        ControlFeature.CURRENT,
        ControlFeature.RESTART,
    }
    with pytest.raises(ControlNotSupportedError, match="fair-use"):
        await zaptec.set_locked(charger_id, True)
    with pytest.raises(ControlNotSupportedError):
        await zaptec.set_energy_price(charger_id, Decimal("0.25"))
    assert sim.request_log == {}  # refused here, nothing sent
    await zaptec.aclose()


async def test_a_user_who_is_not_the_owner_is_told_so() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock, email=GUEST_EMAIL, password=GUEST_PASSWORD)
    with pytest.raises(ChargerApiError, match="owner"):
        await zaptec.set_current(sim.accounts[0].charger_ids[0], 10)
    assert sim.applied_writes == []
    await zaptec.aclose()


@pytest.mark.parametrize(
    ("kinds", "statuses"),
    [(("drop",), (500,)), (("server_error",), (500,)), (("server_error",), (502,))],
)
async def test_a_write_whose_reply_is_lost_is_never_sent_again(
    kinds: tuple[str, ...], statuses: tuple[int, ...]
) -> None:
    clock = FixedClock(START)
    sim = simulator(
        clock,
        fault_rate=1.0,
        fault_kinds=kinds,
        fault_methods=("POST",),
        server_error_statuses=statuses,
    )
    zaptec = client(sim, clock)
    charger_id = sim.accounts[0].charger_ids[0]
    with pytest.raises(WriteUnconfirmedError, match="not sent again"):
        await zaptec.set_current(charger_id, 12)
    assert sim.applied_writes == [("POST", f"/api/chargers/{charger_id}/update")]
    assert sim.current_limit[charger_id] == 12  # it did act, once
    await zaptec.aclose()


async def test_a_write_refused_before_acting_is_sent_again() -> None:
    clock = FixedClock(START)
    sim = simulator(
        clock,
        fault_rate=1.0,
        fault_kinds=("server_error",),
        fault_methods=("POST",),
        server_error_statuses=(503,),
        fault_limit=1,
    )
    zaptec = client(sim, clock)
    charger_id = sim.accounts[0].charger_ids[0]
    await zaptec.restart(charger_id)
    assert sim.restarts[charger_id] == 1
    assert [r.status for r in sim.request_log["demo@example.com"] if r.method == "POST"] == [
        503,
        200,
    ]
    await zaptec.aclose()


class _TimesOut(httpx.AsyncBaseTransport):
    """Passes requests to the simulator, then loses the reply of every write (a read
    timeout after the request went out)."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.method == "POST" and "/api/" in request.url.path:
            raise httpx.ReadTimeout("timed out", request=request)
        return response


async def test_a_write_that_timed_out_is_unconfirmed_and_sent_once() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    transport = _TimesOut(httpx.ASGITransport(app=sim.app))
    zaptec = client(sim, clock, transport=transport)
    charger_id = sim.accounts[0].charger_ids[0]
    with pytest.raises(WriteUnconfirmedError):
        await zaptec.restart(charger_id)
    assert sim.restarts[charger_id] == 1
    await zaptec.aclose()


async def test_a_refused_command_says_why_in_zaptecs_words() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock)
    charger_id = sim.accounts[0].charger_ids[0]
    with pytest.raises(ChargerApiError, match="400: unknown command 4242"):
        await zaptec._command(charger_id, 4242)
    assert sim.applied_writes == []
    await zaptec.aclose()


async def test_the_status_carries_the_firmware_of_the_charger_list() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock)
    charger_id = sim.accounts[0].charger_ids[1]
    status = await zaptec.read(charger_id)
    assert status.firmware_version == sim.chargers[charger_id].firmware
    await zaptec.aclose()
