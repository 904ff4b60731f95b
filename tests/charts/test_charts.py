"""Charts are written as valid PNG or SVG files, with or without samples, and from the CLI."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.charts import ChartError, render_monthly_chart, render_session_chart
from chargebook.cli.app import app
from chargebook.clock import FixedClock
from chargebook.db import ChargerRepository, SampleRepository, open_database
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import example_charger
from chargebook.domain import BookSession, ChargerSource, ChargerState, MonthlyEnergy
from chargebook.domain.book import SessionSample, SessionState
from chargebook.settings import load_settings

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START = datetime(2026, 3, 10, 17, 5, tzinfo=UTC)
END = START + timedelta(hours=2, minutes=40)


def _session(**changes: object) -> BookSession:
    facts: dict[str, object] = {
        "id": 42,
        "charger_id": 1,
        "source": ChargerSource.WALLBOX_CLOUD,
        "external_id": "s42",
        "started_at": START,
        "ended_at": END,
        "energy_kwh": Decimal("18.420"),
        "mid_energy_kwh": None,
        "discharged_energy_kwh": Decimal(0),
        "meter_start_wh": None,
        "meter_stop_wh": None,
        "cost": None,
        "currency": None,
        "state": SessionState.OK,
        "quarantine_reason": None,
        "raw_sha256": "0" * 64,
        "first_seen_at": END,
        "last_seen_at": END,
    }
    facts.update(changes)
    return BookSession(**facts)  # type: ignore[arg-type]


def _samples() -> list[SessionSample]:
    """A realistic curve: ramp-up, 7.4 kW plateau with a dip, taper towards full."""
    samples, energy = [], 0.0
    for minute in range(0, 161, 2):
        if minute < 4:
            power = 3.7 * minute / 4 + 1.0
        elif minute < 120:
            power = 7.4 - (2.0 if 60 <= minute < 70 else 0.0)
        else:
            power = max(0.4, 7.4 * math.exp(-(minute - 120) / 18))
        samples.append(
            SessionSample(
                source=ChargerSource.WALLBOX_CLOUD,
                charger_external_id="1",
                observed_at=START + timedelta(minutes=minute),
                power_kw=round(power, 2),
                energy_kwh=round(energy, 3),
                state=ChargerState.CHARGING,
                status_code=193,
            )
        )
        energy += power * 2 / 60
    return samples


def _is_png(path: Path) -> bool:
    return path.read_bytes()[:8] == PNG_SIGNATURE


def _svg_text(path: Path) -> str:
    root = ET.parse(path).getroot()  # noqa: S314 - our own file
    assert root.tag.endswith("svg")
    return " ".join(t for t in root.itertext())


def test_session_chart_with_samples_is_a_png(tmp_path: Path) -> None:
    path = render_session_chart(_samples(), _session(), tmp_path / "session.png")
    assert _is_png(path)
    assert path.stat().st_size > 20_000  # a drawn chart, not an empty canvas


def test_session_chart_as_svg_shows_local_time_and_facts(tmp_path: Path) -> None:
    text = _svg_text(render_session_chart(_samples(), _session(), tmp_path / "session.svg"))
    assert "Session 42" in text
    assert "18.42 kWh" in text
    assert "2 h 40 min" in text
    assert "Tue 10 Mar 2026 18:05" in text  # 17:05 UTC is 18:05 in Amsterdam (CET)


def test_session_chart_without_samples_says_it_shows_the_average(tmp_path: Path) -> None:
    text = _svg_text(render_session_chart([], _session(), tmp_path / "average.svg"))
    assert "no samples" in text
    assert "6.91 kW" in text  # 18.42 kWh over 2 h 40 min


def test_unknown_suffix_and_incomplete_session_are_chart_errors(tmp_path: Path) -> None:
    with pytest.raises(ChartError, match=r"\.png or \.svg"):
        render_session_chart([], _session(), tmp_path / "chart.jpg")
    with pytest.raises(ChartError, match="no start"):
        render_session_chart([], _session(started_at=None), tmp_path / "chart.png")


def test_monthly_chart_png_and_svg(tmp_path: Path) -> None:
    rows = [
        MonthlyEnergy(date(2025, month, 1), Decimal(100 + 17 * month), 8 + month)
        for month in range(1, 13)
    ]
    assert _is_png(render_monthly_chart(rows, tmp_path / "monthly.png"))
    text = _svg_text(render_monthly_chart(rows, tmp_path / "monthly.svg"))
    assert "Dec 2025" in text
    assert "2526.0 kWh in 174 sessions" in text
    empty = _svg_text(render_monthly_chart([], tmp_path / "empty.svg"))
    assert "no sessions" in empty


def test_cli_draws_a_session_and_the_months_from_the_book(
    tmp_path: Path, clock: FixedClock
) -> None:
    database = open_database(load_settings())
    with database.transaction() as session:
        charger_id = ChargerRepository(session, clock).upsert(example_charger("1")).id
        SampleRepository(session).add_many(_samples())
        raw = canonical_json({"id": "s42"})
        row = ChargingSessionRow(
            charger_id=charger_id,
            source="wallbox_cloud",
            external_id="s42",
            started_at=START,
            ended_at=END,
            energy_kwh=Decimal("18.42"),
            raw_payload=raw,
            raw_sha256=sha256_hex(raw),
            state="ok",
            first_seen_at=END,
            last_seen_at=END,
        )
        session.add(row)
        session.flush()
        session_id = row.id
    database.dispose()
    runner = CliRunner()
    result = runner.invoke(app, ["chart", str(session_id), "-o", str(tmp_path / "s.svg")])
    assert result.exit_code == 0, result.output
    # Unlinked samples inside [start, end): minutes 0..158, the sample at the end is excluded.
    assert "80 samples" in _svg_text(tmp_path / "s.svg")
    result = runner.invoke(app, ["chart", "--monthly", "-o", str(tmp_path / "m.png")])
    assert result.exit_code == 0, result.output
    assert _is_png(tmp_path / "m.png")
    missing = runner.invoke(app, ["chart", "999", "-o", str(tmp_path / "x.png")])
    assert missing.exit_code == 1
    assert "no session '999' in the book" in missing.output
    both = runner.invoke(app, ["chart", "1", "--monthly", "-o", str(tmp_path / "x.png")])
    assert both.exit_code != 0
