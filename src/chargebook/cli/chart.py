"""`chargebook chart SESSION_ID -o FILE` and `chargebook chart --monthly -o FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chargebook.charts import ChartError, render_monthly_chart, render_session_chart
from chargebook.cli import params
from chargebook.cli.errors import cli_errors
from chargebook.cli.refs import resolve_charger, resolve_session
from chargebook.clock import SystemClock
from chargebook.db import (
    ChargerRepository,
    Database,
    SampleRepository,
    SessionRepository,
    open_database,
)
from chargebook.settings import load_settings

DEFAULT_ZONE = "Europe/Amsterdam"


def chart(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write (.png or .svg).")],
    session_ref: str | None = typer.Argument(
        None,
        callback=params.reference,
        help="The session's id from `chargebook sessions` (or its source's session id).",
    ),
    monthly: bool = typer.Option(False, "--monthly", help="Energy per month instead."),
    charger_ref: str | None = typer.Option(
        None,
        "--charger",
        callback=params.reference,
        help="Monthly: one charger only (its id from `chargebook chargers list`).",
    ),
    time_zone: str = typer.Option(
        DEFAULT_ZONE, "--tz", callback=params.time_zone, help="Monthly: months of this zone."
    ),
) -> None:
    """Draw a session's power and energy over time, or the energy charged per month."""
    with cli_errors():
        if monthly == (session_ref is not None):
            raise ChartError("give either a SESSION_ID or --monthly")
        database = open_database(load_settings())
        try:
            if session_ref is not None:
                with database.session() as session:
                    session_id = resolve_session(session, session_ref).id
                write_session_chart(database, session_id, output)
            else:
                with database.session() as session:
                    charger_id = resolve_charger(session, charger_ref).id if charger_ref else None
                    rows = SessionRepository(session).energy_by_month(
                        time_zone=time_zone, charger_id=charger_id
                    )
                render_monthly_chart(rows, output)
        finally:
            database.dispose()
    typer.echo(f"wrote {output}")


def write_session_chart(database: Database, session_id: int, output: Path) -> Path:
    """Draw session `session_id` from the book into `output` (PNG or SVG by suffix)."""
    with database.session() as session:
        stored = SessionRepository(session).get(session_id)
        charger = ChargerRepository(session, SystemClock()).get(stored.charger_id).charger
        samples = SampleRepository(session)
        points = samples.list_for_session(session_id)
        if not points and stored.started_at is not None and stored.ended_at is not None:
            # Not linked yet: the charger's samples inside the session's window are the same.
            points = samples.list_for_charger(
                stored.charger_id, start=stored.started_at, end=stored.ended_at
            )
    return render_session_chart(points, stored, output, time_zone=charger.time_zone or DEFAULT_ZONE)
