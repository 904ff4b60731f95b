"""The Peblar simulator itself: its logins, variants, meter log on the clock, throttle and
command line (the client's view is in tests/peblar, the library's in the contract test)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import FixedClock
from chargebook.simulator.peblar import PeblarSimConfig, PeblarSimulator

START = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)


def simulator(**options: object) -> PeblarSimulator:
    return PeblarSimulator(PeblarSimConfig(**options), clock=FixedClock(START))  # type: ignore[arg-type]


@pytest.fixture
async def http() -> AsyncIterator[tuple[PeblarSimulator, httpx.AsyncClient]]:
    sim = simulator(seed=4)
    transport = httpx.ASGITransport(app=sim.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://peblar") as client:
        yield sim, client


async def test_the_rest_api_wants_the_raw_token(
    http: tuple[PeblarSimulator, httpx.AsyncClient],
) -> None:
    sim, client = http
    refused = await client.get("/api/wlac/v1/meter")
    assert refused.status_code == 401
    assert refused.json() == {"statusmsg": "Invalid API token"}
    bearer = await client.get(
        "/api/wlac/v1/meter", headers={"Authorization": f"Bearer {sim.api_token}"}
    )
    assert bearer.status_code == 401  # the raw token, no "Bearer" (reference §7.1)
    ok = await client.get("/api/wlac/v1/meter", headers={"Authorization": sim.api_token})
    assert ok.status_code == 200
    sim.user["LocalRestApiEnable"] = False
    disabled = await client.get("/api/wlac/v1/meter", headers={"Authorization": sim.api_token})
    assert disabled.status_code == 403


async def test_the_web_api_wants_a_login(http: tuple[PeblarSimulator, httpx.AsyncClient]) -> None:
    sim, client = http
    assert (await client.get("/api/v1/system/info")).status_code == 401
    wrong = await client.post(
        "/api/v1/auth/login", json={"Password": "x", "PersistentSession": False}
    )
    assert wrong.status_code == 401
    login = await client.post(
        "/api/v1/auth/login", json={"Password": "demo-password", "PersistentSession": False}
    )
    assert login.status_code == 200
    assert (await client.get("/api/v1/system/info")).json()["ProductSn"] == sim.hardware.serial
    sim.reboot()  # the charger forgets its sessions
    assert (await client.get("/api/v1/system/info")).status_code == 401


def test_the_single_phase_meter_leaves_phases_2_and_3_out() -> None:
    sim = simulator(variant="home_1p")
    meter = sim.meter()
    assert "CurrentPhase2" not in meter
    assert "VoltagePhase3" not in meter
    assert sim.system()["PhaseCount"] == 1
    assert sim.system()["Force1PhaseAllowed"] is False


def test_variants_of_the_hardware() -> None:
    assert simulator(variant="whitelabel").system_information()["ProductVendorName"] != "Peblar"
    business = simulator(variant="business_eichrecht").system_information()
    assert business["HwHasEichrechtLaserMarking"] is True
    assert business["HwMaxCurrent"] == 32
    assert simulator().system_information()["HwHasEichrechtLaserMarking"] is False


def test_the_meter_log_follows_the_clock_and_the_seed() -> None:
    sim = simulator(seed=9, days=10)
    assert [s.plugged_at for s in sim.log.started(START)] == [
        s.plugged_at for s in simulator(seed=9, days=10).log.started(START)
    ]
    session = sim.log.started(START)[-1]
    clock = sim.clock
    assert isinstance(clock, FixedClock)
    clock.set(session.plugged_at + timedelta(minutes=1))
    first = sim.meter()["EnergyTotal"]
    assert sim.ev_interface()["CpState"] == "State C"
    history = sim.meter_history(None, None)
    assert history["Session"][-1]["SessionEndTime"] is None
    clock.advance(timedelta(minutes=30))
    assert sim.meter()["EnergyTotal"] > first  # Wh registers grow while charging
    clock.set(session.unplugged_at)
    assert sim.ev_interface()["CpState"] == "State A"
    ended = sim.meter_history(None, None)["Session"][-1]
    assert ended["SessionEndEnergymWh"] - ended["SessionStartEnergymWh"] == session.energy_mwh
    registers = [s.start_mwh for s in sim.log.started(clock.now())]
    assert registers == sorted(registers)


def test_an_empty_window_says_no_sessions() -> None:
    sim = simulator()
    assert sim.meter_history(START + timedelta(days=2), None) == {"NoSessions": True}


async def test_the_throttle_answers_429_with_retry_after() -> None:
    sim = simulator(requests_per_minute=1)
    transport = httpx.ASGITransport(app=sim.app)
    headers = {"Authorization": sim.api_token}
    async with httpx.AsyncClient(transport=transport, base_url="http://peblar") as client:
        assert (await client.get("/api/wlac/v1/health", headers=headers)).status_code == 200
        throttled = await client.get("/api/wlac/v1/health", headers=headers)
    assert throttled.status_code == 429
    assert throttled.headers["Retry-After"] == "60"


@pytest.mark.parametrize(
    "options",
    [
        {"variant": "tesla"},
        {"fault_rate": 2.0},
        {"fault_kinds": ("gremlins",)},
        {"days": -1},
        {"web_password": ""},
        {"server_error_statuses": (404,)},
    ],
)
def test_bad_configuration_is_refused(options: dict[str, object]) -> None:
    with pytest.raises(ValueError, match=r"must|unknown"):
        PeblarSimConfig(**options)  # type: ignore[arg-type]


def test_the_command_prints_the_login() -> None:
    result = CliRunner().invoke(app, ["simulator", "peblar", "--seed", "4", "--print-login"])
    assert result.exit_code == 0, result.output
    serial, token, password = result.output.strip().split("\t")
    sim = simulator(seed=4)
    assert (serial, token, password) == (sim.hardware.serial, sim.api_token, "demo-password")
    refused = CliRunner().invoke(app, ["simulator", "peblar", "--variant", "tesla"])
    assert refused.exit_code != 0
