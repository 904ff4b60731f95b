"""Session history: determinism, plausibility, paging, filtering, persistent bad sessions."""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from chargebook.clock import FixedClock
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator

from .helpers import make_client, sign_in

LOCAL = ZoneInfo("Europe/Amsterdam")


def test_same_seed_same_fleet_and_sessions(clock: FixedClock) -> None:
    one = WallboxSimulator(SimulatorConfig(seed=7, accounts=3), clock=clock)
    two = WallboxSimulator(SimulatorConfig(seed=7, accounts=3), clock=clock)
    other = WallboxSimulator(SimulatorConfig(seed=8, accounts=3), clock=clock)
    assert one.accounts == two.accounts
    assert [a.email for a in one.accounts] == [
        "demo@example.com", "user001@example.com", "user002@example.com"
    ]  # fmt: skip
    assert one.accounts[0].password == "demo-password"
    for charger_id in one.chargers:
        assert one.ground_truth_sessions(charger_id) == two.ground_truth_sessions(charger_id)
    assert [a.charger_ids for a in one.accounts] != [a.charger_ids for a in other.accounts]


def test_sessions_are_plausible(clock: FixedClock) -> None:
    sim = WallboxSimulator(SimulatorConfig(accounts=5, days=120), clock=clock)
    discharged = 0
    for charger in sim.chargers.values():
        limit_kw = min(11.0, charger.power_limit_kw(charger.initial_current_a))
        sessions = sim.ground_truth_sessions(charger.id)
        assert len(sessions) > 60
        for earlier, later in itertools.pairwise(sessions):
            assert earlier["end"] <= later["start"]
        for s in sessions:
            arrival = datetime.fromtimestamp(s["start"], LOCAL)
            assert 16 <= arrival.hour <= 21
            assert 2 <= s["energy"] <= 60
            power_kw = s["energy"] / (s["time"] / 3600)
            assert 3.6 <= power_kw <= limit_kw + 0.01
            assert s["time"] <= s["end"] - s["start"]
            assert (s["mid_energy"] > 0) == charger.model.mid
            assert s["cost"] >= 0
            assert s["range"] > 0
            discharged += s["discharged_energy"] > 0
            if not charger.model.bidirectional:
                assert s["discharged_energy"] == 0
    assert discharged > 0  # the Quasar gives energy back now and then


def test_history_window_and_only_finished_sessions(clock: FixedClock) -> None:
    sim = WallboxSimulator(SimulatorConfig(days=10), clock=clock)
    plus = sim.accounts[0].charger_ids[0]
    sessions = sim.ground_truth_sessions(plus)
    window_start = (clock.now() - timedelta(days=10)).timestamp()
    assert all(window_start <= s["start"] and s["end"] <= clock.now().timestamp() for s in sessions)
    upcoming = sim.next_session(plus)
    clock.set(upcoming.end - timedelta(seconds=1))
    assert sim.ground_truth_sessions(plus)[-1]["start"] < upcoming.start.timestamp()
    clock.advance(1)
    assert sim.ground_truth_sessions(plus)[-1]["start"] == upcoming.start.timestamp()


async def test_paging_with_limit_offset_and_count(clock: FixedClock) -> None:
    sim = WallboxSimulator(SimulatorConfig(days=60, partner_mode=True), clock=clock)
    plus = sim.accounts[0].charger_ids[0]
    truth = sim.ground_truth_sessions(plus)
    base = {"charger": plus, "start_date": 0.5, "end_date": clock.now().timestamp() + 0.5}
    collected: list[dict[str, object]] = []
    async with make_client(sim) as http:
        await sign_in(http)
        offset = 0
        while True:
            page = (
                await http.get("/v4/sessions/stats", params={**base, "limit": 7, "offset": offset})
            ).json()
            assert page["meta"]["count"] == len(truth)
            assert page["links"]["self"].endswith(f"&limit=7&offset={offset}")
            if not page["data"]:
                break
            assert len(page["data"]) <= 7
            collected.extend(page["data"])
            offset += 7
        default = (await http.get("/v4/sessions/stats", params=base)).json()
    assert len(default["data"]) == len(truth)  # limit defaults to 1000
    assert len({item["id"] for item in collected}) == len(truth)
    starts = [item["attributes"]["start"] for item in collected]
    assert starts == sorted(starts, reverse=True)  # newest first
    assert sorted(item["attributes"]["start"] for item in collected) == [s["start"] for s in truth]


async def test_start_date_filter_is_inclusive_and_takes_floats(clock: FixedClock) -> None:
    sim = WallboxSimulator(SimulatorConfig(partner_mode=True), clock=clock)
    plus = sim.accounts[0].charger_ids[0]
    truth = sim.ground_truth_sessions(plus)
    first, last = truth[3]["start"], truth[8]["start"]
    async with make_client(sim) as http:
        await sign_in(http)
        params = {"charger": plus, "start_date": float(first), "end_date": last + 0.999}
        body = (await http.get("/v4/sessions/stats", params=params)).json()
        narrow = {"charger_id": plus, "start_date": first + 0.001, "end_date": float(last)}
        fewer = (await http.get("/v4/sessions/stats", params=narrow)).json()
        bad = await http.get("/v4/sessions/stats", params={"charger": plus, "start_date": "x"})
    assert body["meta"]["count"] == 6
    assert fewer["meta"]["count"] == 5
    assert bad.status_code == 400


def test_bad_sessions_are_persistent_and_cover_every_defect(clock: FixedClock) -> None:
    good = WallboxSimulator(SimulatorConfig(accounts=3, days=90), clock=clock)
    spoiled = WallboxSimulator(
        SimulatorConfig(accounts=3, days=90, bad_session_rate=0.2), clock=clock
    )
    defects: Counter[str] = Counter()
    for charger_id, charger in good.chargers.items():
        clean = good.ground_truth_sessions(charger_id)
        dirty = spoiled.ground_truth_sessions(charger_id)
        assert dirty == spoiled.ground_truth_sessions(charger_id)  # persistent
        assert len(clean) == len(dirty)
        for ok, bad in zip(clean, dirty, strict=True):
            if ok == bad:
                continue
            if "energy" not in bad:
                defects["missing_field"] += 1
            elif not isinstance(bad["start"], int):
                defects["wrong_type"] += 1
            elif bad["energy"] < 0:
                defects["negative_energy"] += 1
            elif bad["end"] < bad["start"]:
                defects["end_before_start"] += 1
            else:
                hours = (bad["end"] - bad["start"]) / 3600
                assert bad["energy"] > charger.max_power_kw * hours
                defects["energy_above_max"] += 1
    total = sum(defects.values())
    assert set(defects) == {
        "missing_field", "wrong_type", "negative_energy", "end_before_start", "energy_above_max"
    }  # fmt: skip
    all_sessions = sum(len(good.ground_truth_sessions(c)) for c in good.chargers)
    assert 0.1 < total / all_sessions < 0.3


def test_a_year_of_history_is_plausible_for_a_fleet(clock: FixedClock) -> None:
    # Speed at scale is measured in bench/history_bench.py, not asserted here.
    sim = WallboxSimulator(SimulatorConfig(accounts=10, days=365), clock=clock)
    assert len(sim.chargers) == 20
    total = sum(len(sim.ground_truth_sessions(c)) for c in sim.chargers)
    assert 20 * 365 * 0.6 < total < 20 * 365 * 2
