"""The Easee client against the simulator: sign-in and tokens, chargers, state, history."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from chargebook.clock import FixedClock
from chargebook.domain.brands import MemoryTokenKeeper
from chargebook.domain.models import ChargerState
from chargebook.easee import EaseeBudget
from chargebook.easee.history import external_id, windows
from chargebook.easee.wire import parse_time
from chargebook.errors import SignInRefusedError
from chargebook.simulator.easee import DEMO_EMAIL, EaseeSimulator, SimulatorConfig

from .conftest import ClientFactory


async def test_signs_in_once_and_reuses_the_kept_tokens(
    sim: EaseeSimulator, make_client: ClientFactory, clock: FixedClock
) -> None:
    keeper = MemoryTokenKeeper()
    client = make_client(sim, keeper=keeper)
    await client.list_chargers()
    await client.get_status(sim.accounts[0].charger_ids[0])
    assert sim.auth.logins == {DEMO_EMAIL: 1}
    stored = keeper.load()
    assert stored is not None
    assert set(stored) == {"access_token", "refresh_token", "expires_at"}
    again = make_client(sim, keeper=keeper)  # a later run with the stored tokens
    await again.list_chargers()
    assert sim.auth.logins == {DEMO_EMAIL: 1}
    assert "password" not in repr(client)
    assert stored["access_token"] not in repr(client)


async def test_refreshes_before_expiry_and_signs_in_when_the_refresh_token_expired(
    sim: EaseeSimulator, make_client: ClientFactory, clock: FixedClock
) -> None:
    client = make_client(sim)
    await client.sign_in()
    clock.advance(timedelta(seconds=3600 - 60))  # inside the refresh margin
    sim.clock.set(clock.now())  # type: ignore[attr-defined]
    await client.list_chargers()
    assert (sim.auth.logins, sim.auth.refreshes) == ({DEMO_EMAIL: 1}, {DEMO_EMAIL: 1})
    clock.advance(timedelta(days=2))  # the refresh token (24 h) expired too
    sim.clock.set(clock.now())  # type: ignore[attr-defined]
    await client.list_chargers()
    assert (sim.auth.logins, sim.auth.refreshes) == ({DEMO_EMAIL: 2}, {DEMO_EMAIL: 1})


async def test_a_revoked_access_token_is_renewed_once(
    sim: EaseeSimulator, make_client: ClientFactory
) -> None:
    client = make_client(sim)
    await client.sign_in()
    sim.auth.expire_access_tokens()
    assert len(await client.list_chargers()) == 2
    assert sim.auth.refreshes == {DEMO_EMAIL: 1}


async def test_a_wrong_password_is_refused_in_words(
    sim: EaseeSimulator, make_client: ClientFactory
) -> None:
    client = make_client(sim, password="wrong")
    with pytest.raises(SignInRefusedError, match="e-mail or password") as refused:
        await client.sign_in()
    assert refused.value.brand == "Easee"
    assert not refused.value.retryable


async def test_chargers_with_model_serial_firmware_and_max_current(
    sim: EaseeSimulator, make_client: ClientFactory
) -> None:
    chargers = await make_client(sim).list_chargers()
    account = sim.accounts[0]
    assert [c.external_id for c in chargers] == list(account.charger_ids)
    assert [c.model for c in chargers] == ["Easee Home", "Easee Charge Core"]
    for charger in chargers:
        truth = sim.chargers[charger.external_id]
        assert charger.serial_number == truth.id
        assert charger.firmware_version == str(truth.firmware)
        assert charger.max_current_a == truth.initial_max_current_a
        assert not charger.mid.present


async def test_live_state_while_charging_and_after(
    sim: EaseeSimulator, make_client: ClientFactory, clock: FixedClock
) -> None:
    charger_id = sim.accounts[0].charger_ids[0]
    session = sim.next_session(charger_id)
    clock.set(session.start + timedelta(minutes=30))
    sim.clock.set(clock.now())  # type: ignore[attr-defined]
    client = make_client(sim)
    status = await client.get_status(charger_id)
    assert status.state is ChargerState.CHARGING
    assert status.car_connected
    assert status.charging_power_kw == pytest.approx(session.power_kw, abs=0.001)
    assert status.session_energy_kwh == pytest.approx(session.power_kw / 2, abs=0.01)
    clock.set(session.end + timedelta(minutes=1))
    sim.clock.set(clock.now())  # type: ignore[attr-defined]
    status = await client.get_status(charger_id)
    assert status.state is ChargerState.READY
    assert not status.car_connected


async def test_full_history_in_windows_with_both_item_shapes(
    clock: FixedClock, make_client: ClientFactory
) -> None:
    sim = EaseeSimulator(
        SimulatorConfig(days=200, short_item_rate=0.3, bad_session_rate=0.1),
        clock=FixedClock(clock.now()),
    )
    charger_id = sim.accounts[0].charger_ids[1]
    pages: list[tuple[int, int]] = []
    client = make_client(sim)
    records = [
        r
        async for r in client.iter_sessions(
            charger_id,
            start=clock.now() - timedelta(days=200),
            end=clock.now(),
            on_page=lambda done, total: pages.append((done, total)),
        )
    ]
    truth = sim.ground_truth_sessions(charger_id)
    assert [r.external_id for r in records] == [external_id(charger_id, t) for t in truth]
    assert [r.raw for r in records] == truth  # the evidence exactly as served
    assert pages == [(1, 3), (2, 3), (3, 3)]  # 200 days in 92-day windows
    short = [r for r in records if "actualDurationSeconds" not in r.raw and r.session]
    assert short
    assert all(r.session and r.session.duration_s is None for r in short)
    bad = [r for r in records if r.problem]
    assert bad  # kept with their reason, never dropped
    assert all(r.session is None for r in bad if "kiloWattHours" not in r.raw)
    for record in records:
        if record.session is not None and record.problem is None:
            energy = record.raw["kiloWattHours"]
            assert record.session.energy_kwh == Decimal(str(energy))


async def test_the_overview_reads_every_charger_in_two_requests(
    sim: EaseeSimulator, make_client: ClientFactory, clock: FixedClock
) -> None:
    charger_id = sim.accounts[0].charger_ids[0]
    clock.set(sim.next_session(charger_id).start + timedelta(minutes=20))
    sim.clock.set(clock.now())  # type: ignore[attr-defined]
    client = make_client(sim)
    chargers = await client.list_chargers()
    before = client.request_count
    readings = await client.read_overview()
    assert client.request_count - before == 2  # the sites, then the site's state
    assert [r.charger for r in readings] == chargers
    for reading in readings:
        status = await client.get_status(reading.charger.external_id)
        assert (reading.state, reading.status_code) == (status.state, status.status_code)
        assert reading.charging_power_kw == status.charging_power_kw
    assert readings[0].state is ChargerState.CHARGING


async def test_a_client_given_its_chargers_reads_the_history_from_the_chargers_creation(
    clock: FixedClock, make_client: ClientFactory
) -> None:
    """The connect wizard's backfill hands the sync the chargers it listed with another
    client: this one never listed them, yet asks for the history from `createdOn`, not from
    the sync's own start years back (40 windows at Easee's 10 history reads an hour failed
    the backfill with "budget spent")."""
    sim = EaseeSimulator(SimulatorConfig(days=30, unlimited=True), clock=FixedClock(clock.now()))
    charger_id = sim.accounts[0].charger_ids[0]
    created = parse_time(sim.chargers[charger_id].created_on)
    pages: list[tuple[int, int]] = []
    # A budget that would allow the 40 windows of ten years, to count what is asked.
    client = make_client(sim, budget=EaseeBudget(clock, history_per_hour=100))
    records = [
        r
        async for r in client.iter_sessions(  # no list_chargers first
            charger_id,
            start=clock.now() - timedelta(days=3650),
            end=clock.now(),
            on_page=lambda done, total: pages.append((done, total)),
        )
    ]
    truth = sim.ground_truth_sessions(charger_id)
    assert [r.external_id for r in records] == [external_id(charger_id, t) for t in truth]
    assert pages[-1][1] == len(list(windows(created, clock.now()))) < 40
