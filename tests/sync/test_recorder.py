"""The live recorder: samples, cadence within the read budget, linking to sessions."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta

import pytest

from chargebook.clock import FixedClock
from chargebook.domain.models import ChargerState, ChargerStatus, MidMeter
from chargebook.sync import AccountSource, SyncConfig, SyncEngine
from chargebook.sync.recorder import Recorder, RecorderConfig, next_poll_delay_s

from .fakes import FakeBook, FakeCloud, make_charger, raw_session

CONFIG = RecorderConfig(charging_interval_s=90, idle_interval_s=720, read_share=0.5)


@pytest.mark.parametrize(
    ("case", "charging", "chargers", "reads_per_minute", "expected_s"),
    [
        ("one charger charging", True, 1, 3, 90.0),
        ("one charger idle", False, 1, 3, 720.0),
        ("four chargers charging: budget floor", True, 4, 3, 160.0),
        ("partner mode: no floor", True, 10, None, 90.0),
        ("twenty chargers idle: budget floor", False, 100, 3, 4000.0),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_poll_delay_stays_within_the_read_budget(
    case: str, charging: bool, chargers: int, reads_per_minute: int | None, expected_s: float
) -> None:
    delay_s = next_poll_delay_s(
        charging=charging, chargers=chargers, reads_per_minute=reads_per_minute, config=CONFIG
    )
    assert delay_s == expected_s, case
    if reads_per_minute is not None:
        reads_per_minute_used = chargers * 60 / delay_s
        assert reads_per_minute_used <= reads_per_minute * CONFIG.read_share


def status(charger_id: str, at: datetime, state: ChargerState, power_kw: float) -> ChargerStatus:
    return ChargerStatus(
        charger_external_id=charger_id,
        observed_at=at,
        state=state,
        status_code=194 if state is ChargerState.CHARGING else 209,
        car_connected=state is ChargerState.CHARGING,
        charging_power_kw=power_kw,
        session_energy_kwh=1.5,
        session_duration_s=600,
        discharged_energy_kwh=0.0,
        locked=False,
        max_charging_current_a=32,
        max_available_current_a=32,
        icp_max_current_a=None,
        energy_price_per_kwh=None,
        currency=None,
        firmware_version=None,
        firmware_update_available=False,
        eco_smart=None,
        mid=MidMeter(enabled=False),
    )


class StatusCloud(FakeCloud):
    """Status follows a script of (state, power) and is observed at the clock's time."""

    def __init__(self, clock: FixedClock, script: list[tuple[ChargerState, float]]) -> None:
        super().__init__(chargers=[make_charger("101")])
        self._clock = clock
        self._script = script

    async def get_status(self, charger_id: str) -> ChargerStatus:
        self.request_count += 1
        state, power = self._script.pop(0) if len(self._script) > 1 else self._script[0]
        return status(charger_id, self._clock.now(), state, power)


async def test_recorder_samples_fast_while_charging_and_links_after_sync(
    clock: FixedClock,
) -> None:
    script = [(ChargerState.CHARGING, 7.2)] * 10 + [(ChargerState.READY, 0.0)]
    cloud = StatusCloud(clock, script)
    book = FakeBook()
    recorder = Recorder(book.open, clock, CONFIG, reads_per_minute=3)
    account = AccountSource(1, "a@example.com", cloud)
    session_start = clock.now()
    delays = []
    for _ in range(11):
        delay_s = await recorder.poll_account(account)
        delays.append(delay_s)
        clock.advance(delay_s)
    assert delays[:10] == [90.0] * 10
    assert delays[10] == 720.0
    assert len(book.state.samples) == 11
    assert cloud.request_count == 1 + 11  # the charger list is read once, then cached

    # the session shows up in the history; the sync links the samples inside [start, end)
    session_end = session_start + timedelta(seconds=900)
    cloud.sessions["101"] = [raw_session(77, "101", session_start, hours=0.25, energy=1.5)]
    engine = SyncEngine(book.open, clock, SyncConfig(stop_after_empty_windows=1))
    report = await engine.sync_account(account)
    inside = [key for key in book.state.samples if session_start <= key[1] < session_end]
    assert report.samples_linked == len(inside) == 10
    assert set(book.state.sample_links.values()) == {"77"}


async def test_recorder_failure_backs_off_without_raising(clock: FixedClock) -> None:
    from .fakes import FakeCloudError

    cloud = StatusCloud(clock, [(ChargerState.READY, 0.0)])
    cloud.fail_listing = FakeCloudError("throttled", retryable=True)
    book = FakeBook()
    recorder = Recorder(book.open, clock, dataclasses.replace(CONFIG, error_backoff_s=300))
    delay_s = await recorder.poll_account(AccountSource(1, "a@example.com", cloud))
    assert delay_s == 300
    assert book.state.samples == {}


async def test_recorder_reads_the_simulators_real_world_variants(clock: FixedClock) -> None:
    """Every status in a real-world shape (no `charging_time`, boolean lock): the samples
    still carry the simulator's power and energy."""
    import httpx

    from chargebook.simulator.wallbox import (
        DEMO_EMAIL,
        DEMO_PASSWORD,
        SimulatorConfig,
        WallboxSimulator,
    )
    from chargebook.wallbox import MemoryTokenStore, RequestBudget, WallboxClient

    sim = WallboxSimulator(
        SimulatorConfig(partner_mode=True, days=10, variant_rate=1.0), clock=clock
    )
    ids = sim.charger_ids(DEMO_EMAIL)
    while not any(sim.view(cid).power_kw > 0 for cid in ids):
        clock.advance(600)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=sim.app)) as http:
        client = WallboxClient(
            DEMO_EMAIL,
            DEMO_PASSWORD,
            api_url="http://sim",
            auth_url="http://sim",
            http_client=http,
            clock=clock,
            budget=RequestBudget.unlimited_budget(clock),
            token_store=MemoryTokenStore(),
        )
        book = FakeBook()
        recorder = Recorder(book.open, clock, CONFIG, reads_per_minute=None)
        delay_s = await recorder.poll_account(AccountSource(1, DEMO_EMAIL, client))
    assert delay_s == CONFIG.charging_interval_s  # a charger charges: it saw the state
    samples = {key[0]: sample for key, sample in book.state.samples.items()}
    assert sorted(samples) == sorted(str(cid) for cid in ids)
    for cid in ids:
        view = sim.view(cid)
        assert samples[str(cid)].power_kw == pytest.approx(view.power_kw, abs=0.01)
        assert samples[str(cid)].energy_kwh == pytest.approx(view.energy_kwh, abs=0.001)
        assert samples[str(cid)].status_code == view.status_id


@pytest.mark.parametrize("unknown", ["charging_power_kw", "session_energy_kwh", "status_code"])
async def test_a_status_without_power_energy_or_code_is_a_gap_not_a_crash(
    clock: FixedClock, unknown: str
) -> None:
    class PartialCloud(StatusCloud):
        async def get_status(self, charger_id: str) -> ChargerStatus:
            full = await super().get_status(charger_id)
            return dataclasses.replace(full, **{unknown: None})  # type: ignore[arg-type]

    book = FakeBook()
    cloud = PartialCloud(clock, [(ChargerState.CHARGING, 7.2)])
    recorder = Recorder(book.open, clock, CONFIG, reads_per_minute=3)
    delay_s = await recorder.poll_account(AccountSource(1, "a@example.com", cloud))
    assert book.state.samples == {}
    # Nothing recorded, but the reading's state says it charges: it is read again soon.
    assert delay_s == CONFIG.charging_interval_s
