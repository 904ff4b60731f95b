"""One kind of id per thing (issue 18): every command that takes a charger or a session takes
the book id the listings show, still takes a source's id where it names one thing only, and
an unknown id is a message listing the valid ones, never a traceback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from typer.testing import CliRunner, Result

from chargebook.cli.app import app
from chargebook.clock import SystemClock
from chargebook.db import ChargerRepository, open_database
from chargebook.db.book.tables import ChargingSessionRow
from chargebook.db.core.canonical import canonical_json, sha256_hex
from chargebook.db.core.testing import example_charger
from chargebook.domain.models import ChargerSource
from chargebook.settings import load_settings

START = datetime(2026, 3, 1, 18, 0, tzinfo=UTC)


def seed_book() -> dict[str, int]:
    """Wallbox 73995 (book 1), OCPP CP-1 (book 2), Wallbox "1" (book 3, whose source id is
    another charger's book id) and two sessions: one on 73995, one on CP-1."""
    database = open_database(load_settings())
    ids: dict[str, int] = {}
    try:
        with database.transaction() as session:
            chargers = ChargerRepository(session, SystemClock())
            ids["73995"] = chargers.upsert(example_charger("73995", name="Garage")).id
            ids["CP-1"] = chargers.upsert(
                example_charger("CP-1", name="Drive", source=ChargerSource.OCPP)
            ).id
            ids["1"] = chargers.upsert(example_charger("1", name="Shed")).id
            for name, external, charger in (("wb", "555000111", "73995"), ("cp", "CP-1:7", "CP-1")):
                text = canonical_json({"id": external})
                row = ChargingSessionRow(
                    charger_id=ids[charger],
                    source="ocpp" if charger == "CP-1" else "wallbox_cloud",
                    external_id=external,
                    started_at=START,
                    ended_at=START + timedelta(hours=3),
                    energy_kwh=Decimal("12.345"),
                    discharged_energy_kwh=Decimal("0"),
                    raw_payload=text,
                    raw_sha256=sha256_hex(text),
                    state="ok",
                    first_seen_at=START,
                    last_seen_at=START,
                )
                session.add(row)
                session.flush()
                ids[name] = row.id
    finally:
        database.dispose()
    return ids


def run(*args: str) -> Result:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": "80"})
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"traceback: {result.exception!r}\n{result.output}")
    return result


def _plan(charger: str, *extra: str) -> Result:
    return run(
        "plan", "add", "--charger", charger, "--days", "daily", "--depart", "07:00",
        "--energy", "10", *extra,
    )  # fmt: skip


def test_the_sessions_listing_shows_the_ids_chart_takes(tmp_path: Path) -> None:
    ids = seed_book()
    listed = run("sessions")
    assert listed.exit_code == 0, listed.output
    first_column = {line.split("│")[1].strip() for line in listed.output.splitlines()
                    if line.count("│") > 2}  # fmt: skip
    assert {str(ids["wb"]), str(ids["cp"])} <= first_column
    assert "555000111" not in listed.output  # one kind of id: the book's
    out = run("chart", str(ids["wb"]), "-o", str(tmp_path / "a.png"))
    assert out.exit_code == 0, out.output
    # The source's session id still works: it names one session only.
    out = run("chart", "555000111", "-o", str(tmp_path / "b.png"))
    assert out.exit_code == 0, out.output


def test_an_unknown_session_says_where_the_ids_are(tmp_path: Path) -> None:
    seed_book()
    out = run("chart", "424242", "-o", str(tmp_path / "a.png"))
    assert out.exit_code == 1, out.output
    assert "no session '424242'" in out.output
    assert "chargebook sessions" in out.output


def test_plan_add_takes_the_book_id_and_the_source_id(tmp_path: Path) -> None:
    ids = seed_book()
    by_book = _plan(str(ids["CP-1"]))
    assert by_book.exit_code == 0, by_book.output
    by_source = _plan("CP-1")
    assert by_source.exit_code == 0, by_source.output
    by_serial = _plan("73995")
    assert by_serial.exit_code == 0, by_serial.output
    listed = run("plan", "list", "--charger", str(ids["CP-1"]))
    assert listed.exit_code == 0, listed.output
    assert listed.output.count("07:00") == 2  # both CP-1 plans, not the 73995 one


def test_an_unknown_charger_lists_the_valid_ones() -> None:
    seed_book()
    out = _plan("99999")
    assert out.exit_code == 1, out.output
    text = " ".join(out.output.split())  # the message may wrap at 80 columns
    assert "no charger '99999'" in text
    assert '1 (wallbox 73995 "Garage")' in text
    assert '2 (ocpp CP-1 "Drive")' in text


def test_a_reference_naming_two_chargers_is_refused_with_both(tmp_path: Path) -> None:
    ids = seed_book()
    # "1" is charger 1's book id and charger 3's Wallbox id: never guess.
    out = run("chart", "--monthly", "--charger", "1", "-o", str(tmp_path / "m.png"))
    assert out.exit_code == 8, out.output
    text = " ".join(out.output.split())
    assert "could mean" in text
    assert "73995" in text
    assert '3 (wallbox 1 "Shed")' in text
    # Charger 3 by its book id is one charger only.
    out = _plan("3")
    assert out.exit_code == 0, out.output
    assert ids["1"] == 3


def test_every_charger_taking_command_accepts_the_book_id(tmp_path: Path) -> None:
    ids = seed_book()
    book_id = str(ids["CP-1"])
    out = run("chart", "--monthly", "--charger", book_id, "-o", str(tmp_path / "m.png"))
    assert out.exit_code == 0, out.output
    out = run("plan", "savings", "--charger", book_id)
    assert out.exit_code == 0, out.output
    out = run("chargers", "transfer", "73995", "--to", "nobody@example.com")
    assert out.exit_code == 1
    assert "nobody@example.com" in out.output
    out = run("ere", "metering", "set", "--kind", "integrated_mid", "99999", "--from", "2026-01-01")
    assert out.exit_code == 1
    assert "no charger '99999'" in out.output
