"""Chargers, live state and the full history, read from the simulator."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from zaptec_helpers import START, client, simulator

from chargebook.clock import FixedClock
from chargebook.domain.models import ChargerState
from chargebook.simulator.zaptec import GUEST_EMAIL, GUEST_PASSWORD


async def test_chargers_with_model_serial_firmware_current_and_mid_evidence() -> None:
    clock = FixedClock(START)
    sim = simulator(clock, chargers_per_account=4)
    zaptec = client(sim, clock)
    chargers = await zaptec.list_chargers()
    expected = list(sim.accounts[0].charger_ids)
    assert [c.external_id for c in chargers] == expected
    assert [c.model for c in chargers] == ["Zaptec Go", "Zaptec Pro", "Zaptec Go 2", "Zaptec Go"]
    for charger in chargers:
        sim_charger = sim.chargers[charger.external_id]
        assert charger.serial_number == sim_charger.serial
        assert charger.firmware_version == sim_charger.firmware
        assert charger.max_current_a == sim_charger.max_current_a
    # The Go on old firmware shows no MID observation and no signed value: unknown, not MID.
    assert [c.mid.present for c in chargers] == [True, True, True, False]
    assert chargers[0].mid.serial_number == chargers[0].serial_number
    await zaptec.aclose()


async def test_a_user_who_is_not_the_owner_sees_the_chargers_without_firmware() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock, email=GUEST_EMAIL, password=GUEST_PASSWORD)
    chargers = await zaptec.list_chargers()
    assert len(chargers) == 2
    assert all(c.firmware_version is None for c in chargers)
    assert 403 in [r.status for r in sim.request_log[GUEST_EMAIL]]
    await zaptec.aclose()


async def test_live_state_follows_the_simulators_clock() -> None:
    clock = FixedClock(START)
    sim = simulator(clock)
    zaptec = client(sim, clock)
    charger_id = sim.accounts[0].charger_ids[0]
    session = next(s for s in sim.plans[charger_id] if s.start > START)
    clock.set(session.start + (session.charging_end - session.start) / 2)
    status = await zaptec.get_status(charger_id)
    assert status.state is ChargerState.CHARGING
    assert status.car_connected
    assert status.charging_power_kw is not None
    assert abs(status.charging_power_kw - session.power_w / 1000) < 0.001
    assert status.session_energy_kwh is not None
    assert abs(status.session_energy_kwh - session.energy_kwh / 2) < 0.01
    assert status.mid.present
    clock.set(session.end + timedelta(seconds=1))
    status = await zaptec.get_status(charger_id)
    assert status.state is ChargerState.READY
    assert not status.car_connected
    await zaptec.aclose()


async def test_the_whole_history_paged_exactly_as_served() -> None:
    clock = FixedClock(START)
    sim = simulator(clock, days=60, variant_rate=0.5)
    zaptec = client(sim, clock)
    zaptec.history_page_size = 7
    charger_id = sim.accounts[0].charger_ids[1]
    pages: list[tuple[int, int]] = []
    records = [
        r
        async for r in zaptec.iter_sessions(
            charger_id,
            start=START - timedelta(days=61),
            end=START,
            on_page=lambda read, expected: pages.append((read, expected)),
        )
    ]
    served = sim.history_items(charger_id)
    assert len(served) > 14
    assert [dict(r.raw) for r in records] == served
    assert all(r.problem is None and r.session is not None for r in records)
    assert len(pages) == -(-len(served) // 7)
    assert pages[-1][0] == pages[-1][1]
    for record, planned in zip(records, sim.ended_sessions(charger_id), strict=True):
        assert record.session is not None
        assert record.session.energy_kwh == Decimal(str(planned.energy_kwh))
        assert record.session.started_at == planned.start.replace(
            microsecond=planned.start.microsecond // 1000 * 1000
        )
        signed = record.extra.get("ocmf")
        if planned.variant in (None, "ocmf_no_end"):
            assert signed is not None
            assert record.session.meter_start_wh == round(planned.register_start_kwh * 1000)
        if planned.variant is None:
            assert record.session.mid_energy_kwh == Decimal(str(planned.energy_kwh))
        else:
            assert record.session.mid_energy_kwh is None
    await zaptec.aclose()


async def test_a_window_returns_only_the_sessions_that_started_in_it() -> None:
    clock = FixedClock(START)
    sim = simulator(clock, days=30)
    zaptec = client(sim, clock)
    charger_id = sim.accounts[0].charger_ids[0]
    ended = sim.ended_sessions(charger_id)
    start, end = ended[3].start, ended[8].start
    records = [r async for r in zaptec.iter_sessions(charger_id, start=start, end=end)]
    assert [r.external_id for r in records] == [s.id for s in ended[3:8]]
    await zaptec.aclose()
