"""The recorder reads charging chargers on their own and idle ones through one overview read."""

from __future__ import annotations

import itertools
from datetime import timedelta

import httpx

from chargebook.account_sources import CountedCloud, CountingTransport
from chargebook.clock import FixedClock
from chargebook.domain.models import ChargerReading, ChargerState, ChargerStatus
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.sync import AccountSource
from chargebook.sync.recorder import Recorder, RecorderConfig
from chargebook.wallbox import MemoryTokenStore, RequestBudget, WallboxClient

from .fakes import FakeBook, FakeCloud, make_charger
from .test_recorder import status

CONFIG = RecorderConfig(charging_interval_s=90, idle_interval_s=300, read_share=0.5)


class OverviewCloud(FakeCloud):
    """Three chargers whose states the test sets; counts overview and status reads."""

    def __init__(self, clock: FixedClock) -> None:
        super().__init__(chargers=[make_charger(cid) for cid in ("101", "102", "103")])
        self.clock = clock
        self.states = {cid: ChargerState.READY for cid in ("101", "102", "103")}
        self.overviews = 0
        self.status_reads: list[str] = []

    async def read_overview(self) -> list[ChargerReading]:
        self.overviews += 1
        return [
            ChargerReading(
                charger=c,
                observed_at=self.clock.now(),
                state=self.states[c.external_id],
                status_code=194 if self.states[c.external_id] is ChargerState.CHARGING else 161,
                charging_power_kw=0.0,
                session_energy_kwh=0.0,
            )
            for c in self.chargers
        ]

    async def get_status(self, charger_id: str) -> ChargerStatus:
        self.status_reads.append(charger_id)
        return status(charger_id, self.clock.now(), self.states[charger_id], 7.4)


async def test_idle_chargers_cost_one_read_a_round_and_only_a_charging_one_is_polled(
    clock: FixedClock,
) -> None:
    cloud = OverviewCloud(clock)
    book = FakeBook()
    recorder = Recorder(book.open, clock, CONFIG, reads_per_minute=3)
    account = AccountSource(1, "a@example.com", cloud)

    async def poll() -> float:
        delay_s = await recorder.poll_account(account)
        clock.advance(delay_s)
        return delay_s

    assert [await poll() for _ in range(3)] == [300.0] * 3  # idle: one overview a round
    assert (cloud.overviews, cloud.status_reads) == (3, [])
    # Every charger sampled from the overview once: an unchanged idle state is not stored
    # again until `idle_sample_s` (30 min) has passed.
    assert len(book.state.samples) == 3
    assert set(book.state.chargers) == {"101", "102", "103"}

    cloud.states["102"] = ChargerState.CHARGING  # a car starts at 102
    delays = [await poll() for _ in range(7)]
    assert delays == [90.0] * 7
    # Noticed at the next overview, then read on its own; the overview keeps its cadence (at
    # least 300 s apart: rounds 1 and 5 of these 7), the idle chargers get no status read.
    assert cloud.status_reads == ["102"] * 7
    assert cloud.overviews == 3 + 2
    charging = [s for k, s in book.state.samples.items() if k[0] == "102" and s.power_kw > 0]
    assert len(charging) == 7

    cloud.states["102"] = ChargerState.READY  # unplugged
    assert await poll() == 300.0
    assert cloud.status_reads == ["102"] * 8  # its last status read saw it stop
    before = (cloud.overviews, len(cloud.status_reads))
    await poll()
    assert (cloud.overviews, len(cloud.status_reads)) == (before[0] + 1, before[1])


async def test_against_the_simulator_only_plugged_in_chargers_get_status_reads(
    clock: FixedClock,
) -> None:
    simulator = WallboxSimulator(
        SimulatorConfig(seed=5, accounts=1, chargers_per_account=2, days=3), clock=clock
    )  # the real limits: 3 reads a minute
    account = simulator.accounts[0]
    charging_id = account.charger_ids[0]
    session = simulator.next_session(charging_id)
    clock.set(session.start - timedelta(minutes=20))
    transport = CountingTransport(httpx.ASGITransport(simulator.app))
    http = httpx.AsyncClient(transport=transport)
    client = WallboxClient(
        account.email, account.password, api_url="http://sim", auth_url="http://sim",
        http_client=http, clock=clock, budget=RequestBudget(clock=clock),
        token_store=MemoryTokenStore(),
    )  # fmt: skip
    source = AccountSource(1, account.email, CountedCloud(client, transport, http))
    book = FakeBook()
    recorder = Recorder(book.open, clock, RecorderConfig(), reads_per_minute=3)
    began = clock.now()
    while clock.now() < began + timedelta(hours=3):
        clock.advance(await recorder.poll_account(source))
    await http.aclose()

    log = [r for r in simulator.request_log[account.email] if r.method == "GET"]
    data = [r for r in log if not r.path.startswith("/users/")]
    assert [r for r in data if r.status != 200] == []  # within budget, never throttled
    # A charger's own status is read only while a car is plugged in (it was seen charging).
    status_reads = 0
    for charger_id in account.charger_ids:
        sessions = simulator.state(charger_id).plan.started_by(clock.now())
        reads = [r.time for r in data if r.path == f"/chargers/status/{charger_id}"]
        status_reads += len(reads)
        assert all(any(s.start <= t <= s.end for s in sessions) for t in reads), charger_id
    assert status_reads > 0  # the charging charger was followed on its own
    groups = [r.time for r in data if r.path == "/v3/chargers/groups"]
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(groups)]
    assert min(gaps) >= RecorderConfig().idle_interval_s
    assert len(data) == len(groups) + status_reads
    # Three hours allow 540 reads; the recorder keeps to a fraction of its half.
    assert len(data) < 540 * 0.5
    samples_of_charging = [s for k, s in book.state.samples.items() if k[0] == str(charging_id)]
    assert any(s.state is ChargerState.CHARGING and s.power_kw > 0 for s in samples_of_charging)


async def test_an_idle_charger_is_stored_on_a_change_or_every_half_hour(clock: FixedClock) -> None:
    cloud = OverviewCloud(clock)
    book = FakeBook()
    recorder = Recorder(book.open, clock, CONFIG, reads_per_minute=3)
    account = AccountSource(1, "a@example.com", cloud)
    for _ in range(7):  # 0, 5, ..., 30 min
        clock.advance(await recorder.poll_account(account))
    assert cloud.overviews == 7
    assert len(book.state.samples) == 3 * 2  # at 0 and at 30 min
    cloud.states["103"] = ChargerState.LOCKED  # a change is stored at once
    await recorder.poll_account(account)
    latest = max((k for k in book.state.samples if k[0] == "103"), key=lambda k: k[1])
    assert book.state.samples[latest].state is ChargerState.LOCKED
