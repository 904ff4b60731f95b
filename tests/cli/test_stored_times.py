"""`chargebook sessions` and `chargebook chart` with times an old book may hold (year 1, the
last hour of year 9999): shown as unknown, never a traceback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import SystemClock
from chargebook.db import ChargerRepository, open_database
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import example_charger
from chargebook.settings import Settings


@pytest.fixture
def session_ids(isolated_data_dir: Path) -> list[int]:
    database = open_database(Settings())
    ids = []
    try:
        with database.transaction() as session:
            charger = ChargerRepository(session, SystemClock()).upsert(example_charger("1"))
            for external_id, started in (
                ("past", datetime(1, 1, 1, tzinfo=UTC)),
                ("future", datetime(9999, 12, 31, 23, 0, tzinfo=UTC)),
            ):
                text = canonical_json({"id": external_id})
                row = ChargingSessionRow(
                    charger_id=charger.id, source="wallbox_cloud", external_id=external_id,
                    started_at=started, ended_at=started + timedelta(minutes=30),
                    energy_kwh=Decimal(5), discharged_energy_kwh=Decimal(0), raw_payload=text,
                    raw_sha256=sha256_hex(text), state="ok", first_seen_at=started,
                    last_seen_at=started,
                )  # fmt: skip
                session.add(row)
                session.flush()
                ids.append(row.id)
    finally:
        database.dispose()
    return ids


def test_sessions_lists_them(session_ids: list[int]) -> None:
    result = CliRunner().invoke(app, ["sessions"])
    assert result.exit_code == 0, result.output
    assert "│ ?   " in result.output  # the last hour of 9999 has no local time


def test_chart_of_such_a_session_says_there_is_none(session_ids: list[int], tmp_path: Path) -> None:
    for session_id in session_ids:
        target = tmp_path / f"{session_id}.svg"
        result = CliRunner().invoke(app, ["chart", str(session_id), "-o", str(target)])
        assert result.exit_code == 0, result.output
        assert "no chart" in target.read_text()
