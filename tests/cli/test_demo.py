"""`chargebook demo` runs end to end and leaves a book that equals the simulated cloud."""

from __future__ import annotations

import io
from pathlib import Path

from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.cli.demo import DEMO_EMAIL, build_world, run_demo
from chargebook.db import SessionRepository, open_database
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
    # The demo's own secret key and SQLite file live in the demo folder only.
    assert (demo_dir / "secret.key").exists()
    assert not (isolated_data_dir / "chargebook.sqlite3").exists()


async def test_demo_book_equals_the_simulated_cloud(tmp_path: Path) -> None:
    from datetime import UTC, datetime

    from rich.console import Console

    world = build_world(tmp_path, seed=3, days=20, start=datetime(2026, 5, 1, 12, tzinfo=UTC))
    try:
        chart = await run_demo(world, Console(file=io.StringIO()), tmp_path / "charts")
        with world.database.session() as session:
            book_ids = {s.external_id for s in SessionRepository(session).list()}
    finally:
        world.database.dispose()
    cloud_ids = {
        str(planned.id)
        for charger_id in world.simulator.charger_ids(DEMO_EMAIL)
        for planned, _ in world.simulator.ended_sessions(charger_id)
    }
    assert book_ids == cloud_ids
    assert chart.exists()
