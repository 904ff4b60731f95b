"""`chargebook demo` runs end to end and leaves a book that equals the simulated cloud."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.cli.demo import DEMO_EMAIL, build_world, run_demo
from chargebook.clock import FixedClock
from chargebook.db import (
    ChargerRepository,
    SampleRepository,
    SessionRepository,
    UserRepository,
    open_database,
)
from chargebook.demo.ocpp import DEMO_CHARGE_POINT_ID, DEMO_METER_VALUES
from chargebook.domain.book import SessionState
from chargebook.domain.models import ChargerSource
from chargebook.domain.prices import ChargeGoal, ChargerLimits, PlanStatus
from chargebook.planner import preview_plan
from chargebook.prices.demo import DemoPriceSource
from chargebook.prices.slots import AMSTERDAM
from chargebook.settings import Settings


def test_demo_syncs_the_whole_history_records_a_session_and_draws_it(
    isolated_data_dir: Path,
) -> None:
    result = CliRunner().invoke(app, ["demo", "--days", "30", "--no-serve"])
    assert result.exit_code == 0, result.output
    for heading in ("Chargers", "Backfilling the full history", "Recent sessions"):
        assert heading in result.output
    assert "demo-password" in result.output  # the simulator's public login, shown on purpose

    demo_dir = isolated_data_dir / "demo"
    # Suggested commands are whole lines, never wrapped, so they can be copied (issue 18).
    lines = result.output.splitlines()
    assert f"  CHARGEBOOK_DATA_DIR={demo_dir} .venv/bin/chargebook sessions" in lines
    monthly = f"  CHARGEBOOK_DATA_DIR={demo_dir} .venv/bin/chargebook chart --monthly -o m.png"
    assert monthly in lines
    charts = list((demo_dir / "charts").glob("session-*.png"))
    assert len(charts) == 1
    assert charts[0].read_bytes().startswith(b"\x89PNG")

    database = open_database(Settings(data_dir=demo_dir))
    try:
        with database.session() as session:
            book_ids = {s.external_id for s in SessionRepository(session).list()}
    finally:
        database.dispose()
    assert len(book_ids) > 20
    recorded_id = charts[0].stem.removeprefix("session-")
    assert recorded_id in book_ids
    assert "│ ocpp" in result.output
    assert "│ wallbox" in result.output
    for brand in ("Easee: ", "Zaptec: ", "Peblar: "):  # one line per new brand's charger
        assert brand in result.output
    assert DEMO_CHARGE_POINT_ID in result.output
    ocpp_charts = list((demo_dir / "charts").glob("ocpp-session-*.png"))
    assert len(ocpp_charts) == 1
    assert ocpp_charts[0].read_bytes().startswith(b"\x89PNG")
    # The demo's own secret key and SQLite file live in the demo folder only.
    assert (demo_dir / "secret.key").exists()
    assert not (isolated_data_dir / "chargebook.sqlite3").exists()
    _assert_smart_charging_step(result.output)


def _assert_smart_charging_step(output: str) -> None:
    """The tour's plan is the planner's plan on the recorded prices shifted around the demo
    clock's today: same cost, same cost of charging at once, same saving."""
    text = " ".join(output.split())  # rich wraps long lines
    assert "demo prices recorded 16-18 Dec 2025" in text
    found = re.search(r"--now (\S+)", text)
    assert found is not None, text
    now = datetime.fromisoformat(found.group(1))
    local = now.astimezone(AMSTERDAM)
    departure = datetime.combine(local.date(), time(7), tzinfo=AMSTERDAM)
    if departure <= local:
        departure += timedelta(days=1)
    curve = asyncio.run(DemoPriceSource(FixedClock(now)).get_prices(now, departure))
    assert curve.complete  # tomorrow's (recorded) prices are always there in the demo
    expected = preview_plan(
        ChargeGoal(energy_kwh=20, departure=departure),
        ChargerLimits(max_power_kw=11),
        curve,
        now=now,
    )
    assert expected.plan.status is PlanStatus.OPTIMISED
    figures = re.search(r"Cost € (\S+); charging now € (\S+); saving € (\S+)", text)
    assert figures is not None, text
    assert [Decimal(f) for f in figures.groups()] == [
        round(v, 2)
        for v in (expected.plan.cost_eur, expected.charge_now.cost_eur, expected.saving_eur)
    ]
    assert expected.saving_eur > 0


@pytest.mark.parametrize("ocpp_version", ["1.6", "2.0.1"])
async def test_demo_book_equals_the_simulated_cloud(tmp_path: Path, ocpp_version: str) -> None:
    from datetime import UTC, datetime

    from rich.console import Console

    world = build_world(tmp_path, seed=3, days=20, start=datetime(2026, 5, 1, 12, tzinfo=UTC))
    try:
        charts = await run_demo(
            world, Console(file=io.StringIO()), tmp_path / "charts", ocpp_version=ocpp_version
        )
        with world.database.session() as session:
            stored = SessionRepository(session).list()
            owner = UserRepository(session, world.clock).get_by_email(DEMO_EMAIL)
            chargers = ChargerRepository(session, world.clock).list(
                owner_user_id=owner.id if owner else -1
            )
            ocpp_sessions = [s for s in stored if s.source is ChargerSource.OCPP]
            samples = SampleRepository(session).list_for_session(ocpp_sessions[0].id)
    finally:
        world.database.dispose()
    cloud_ids = {
        str(planned.id)
        for charger_id in world.simulator.charger_ids(DEMO_EMAIL)
        for planned, _ in world.simulator.ended_sessions(charger_id)
    }
    wallbox_ids = {s.external_id for s in stored if s.source is ChargerSource.WALLBOX_CLOUD}
    assert wallbox_ids == cloud_ids
    assert charts.wallbox.exists()
    assert charts.ocpp.exists()

    # One OCPP session next to the Wallbox ones.
    assert len(ocpp_sessions) == 1
    ours = [s for s in stored if s.source in (ChargerSource.WALLBOX_CLOUD, ChargerSource.OCPP)]
    assert len(ours) == len(cloud_ids) + 1
    # One charger of each new brand, the demo owner's, with its history in the same book.
    brands = (ChargerSource.EASEE_CLOUD, ChargerSource.ZAPTEC_CLOUD, ChargerSource.PEBLAR_LOCAL)
    assert sorted(c.charger.source for c in chargers if c.charger.source in brands) == sorted(
        brands
    )
    assert {s.source for s in stored} >= set(brands)
    (easee_id,) = world.brands.easee.accounts[0].charger_ids
    easee_truth = {
        f"{easee_id}:{t['id']}" for t in world.brands.easee.ground_truth_sessions(easee_id)
    }
    assert {s.external_id for s in stored if s.source is ChargerSource.EASEE_CLOUD} == easee_truth
    (ocpp,) = ocpp_sessions
    assert ocpp.external_id.startswith(f"{DEMO_CHARGE_POINT_ID}:")
    assert ocpp.state is SessionState.OK
    assert ocpp.meter_start_wh is not None
    assert ocpp.meter_stop_wh is not None
    assert ocpp.meter_stop_wh - ocpp.meter_start_wh > 1000  # 40 minutes at 11 kW
    assert ocpp.energy_kwh == Decimal(ocpp.meter_stop_wh - ocpp.meter_start_wh) / 1000
    # Registered to the demo owner (the Wallbox chargers belong to the owner's account).
    assert [c.id for c in chargers if c.charger.source is ChargerSource.OCPP] == [ocpp.charger_id]
    # Its MeterValues are the session's samples: rising energy, 11 kW while charging.
    assert len(samples) >= DEMO_METER_VALUES
    energies = [s.energy_kwh for s in samples]
    assert energies == sorted(energies)
    assert energies[-1] > 1
