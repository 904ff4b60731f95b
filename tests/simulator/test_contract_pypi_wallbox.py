"""Contract: the community `wallbox` client from PyPI works unchanged against the simulator.

The client is synchronous (`requests`), so the simulator is served by uvicorn on a loopback
port. The client checks token expiry against the real time, so the injected clock starts at
the real now (and is moved forward before signing in).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from chargebook.clock import FixedClock
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from wallbox import Wallbox  # type: ignore[import-untyped]


@pytest.fixture(params=[0.0, 1.0], ids=["documented", "real-variants"])
def served(request: pytest.FixtureRequest) -> Iterator[tuple[WallboxSimulator, FixedClock, str]]:
    """Once with the documented shapes, once with every response a real-world variant
    (no `charging_time`, boolean `locked`, a month-reset `resume`; variants.py)."""
    clock = FixedClock(datetime.now(UTC).replace(microsecond=0))
    config = SimulatorConfig(partner_mode=True, variant_rate=request.param)
    sim = WallboxSimulator(config, clock=clock)
    with ServedApp(sim.app) as app:
        yield sim, clock, app.url + "/"


def _client(url: str, email: str, password: str) -> Wallbox:
    client = Wallbox(email, password, requestGetTimeout=10)
    client.baseUrl = url
    client.authUrl = url
    return client


def test_pypi_client_end_to_end(served: tuple[WallboxSimulator, FixedClock, str]) -> None:
    sim, clock, url = served
    plus = sim.accounts[0].charger_ids[0]
    session = sim.next_session(plus)
    clock.set(session.start + timedelta(minutes=10))
    client = _client(url, "demo@example.com", "demo-password")
    client.authenticate()
    assert client.jwtTokenTtl == int(clock.now().timestamp() * 1000) + 900_000
    assert client.getChargersList() == list(sim.accounts[0].charger_ids)

    first = client.getChargerStatus(plus)
    assert first["status_id"] == 194
    assert ("charging_time" in first) is (sim.config.variant_rate == 0)
    assert client.lockCharger(plus)["data"]["chargerData"]["locked"] == 1
    assert client.getChargerStatus(plus)["status_id"] == 210
    assert client.unlockCharger(plus)["data"]["chargerData"]["locked"] == 0
    answer = client.setMaxChargingCurrent(plus, 8)
    assert answer["data"]["chargerData"]["maxChargingCurrent"] == 8
    status = client.getChargerStatus(plus)
    assert status["charging_power"] == pytest.approx(min(session.power_kw, 8 * 0.69), abs=0.01)

    client.pauseChargingSession(plus)
    assert client.getChargerStatus(plus)["status_id"] == 182
    client.resumeChargingSession(plus)
    assert client.getChargerStatus(plus)["status_id"] == 194
    client.resumeSchedule(plus)

    start = sim.created - timedelta(days=30)
    sessions = client.getSessionList(plus, start, clock.now())
    truth = sim.ground_truth_sessions(plus)
    assert sessions["meta"]["count"] == len(truth) > 0
    assert sorted(item["attributes"]["start"] for item in sessions["data"]) == [
        s["start"] for s in truth
    ]

    assert client.setEnergyCost(plus, 0.22)["energy_price"] == 0.22
    assert client.setIcpMaxCurrent(plus, 20)["icp_max_current"] == 20
    assert client.getChargerSchedules(plus) == {"schedules": []}
    assert client.enableEcoSmart(plus, 1) == 200
    assert client.disableEcoSmart(plus) == 200

    # The client refreshes once its access token looks expired; the refresh token rotates.
    old_refresh = client.jwtRefreshToken
    client.jwtTokenTtl = 0
    client.authenticate()
    assert client.jwtRefreshToken != old_refresh
    assert client.getChargersList() == list(sim.accounts[0].charger_ids)
    paths = [r.path for r in sim.request_log["demo@example.com"]]
    assert paths.count("/users/signin") == 1
    assert paths.count("/users/refresh-token") == 1


def test_pypi_client_sees_403s(served: tuple[WallboxSimulator, FixedClock, str]) -> None:
    sim, _, url = served
    with pytest.raises(requests.HTTPError) as wrong:
        _client(url, "demo@example.com", "wrong").authenticate()
    assert wrong.value.response.status_code == 403
    guest = _client(url, "guest@example.com", "guest-password")
    guest.authenticate()
    plus = guest.getChargersList()[0]
    assert guest.getChargerStatus(plus)["config_data"]["charger_id"] == plus
    with pytest.raises(requests.HTTPError) as denied:
        guest.lockCharger(plus)
    assert denied.value.response.status_code == 403
    assert sim.view(plus).controls.locked is False
