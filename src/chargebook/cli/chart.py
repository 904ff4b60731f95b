"""`chargebook chart SESSION_ID -o FILE` and `chargebook chart --monthly -o FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from chargebook.book.service import BOOK_ZONE, BookService
from chargebook.book.sessions import session_chart
from chargebook.charts import ChartError, render_monthly_chart, render_session_chart
from chargebook.cli import params
from chargebook.cli.errors import cli_errors
from chargebook.cli.refs import resolve_charger, resolve_session
from chargebook.db import Database, open_database
from chargebook.settings import load_settings

DEFAULT_ZONE = BOOK_ZONE.key


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
                    # The whole book (the operator holds it), as the API's energy per month.
                    rows = BookService(session, None).energy_by_month(
                        time_zone=time_zone, charger_id=charger_id
                    )
                render_monthly_chart(rows, output)
        finally:
            database.dispose()
    typer.echo(f"wrote {output}")


def write_session_chart(database: Database, session_id: int, output: Path) -> Path:
    """Draw session `session_id` from the book into `output` (PNG or SVG by suffix)."""
    with database.session() as session:
        chart = session_chart(session, None, session_id)  # the web's chart: the same answer
    return render_session_chart(chart.samples, chart.session, output, time_zone=chart.time_zone)
