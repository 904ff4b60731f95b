"""`chargebook sessions` (the book's sessions, newest first) and `chargebook sessions export`
(CSV or XLSX of the book, the very file the web's export gives).

The ids shown are the book's: `chart ID` and `--charger ID` take them (`cli/refs.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.table import Table

from chargebook.book.eres import session_eres
from chargebook.book.exports import sessions_csv, sessions_xlsx
from chargebook.book.service import BookService
from chargebook.book.sessions import SessionFilter, list_sessions
from chargebook.cli import params
from chargebook.cli.console import plain_console
from chargebook.cli.errors import cli_errors
from chargebook.cli.refs import resolve_charger
from chargebook.clock import SystemClock, in_zone
from chargebook.db import SqlSession, UserRepository, open_database
from chargebook.domain.access import Viewer
from chargebook.domain.book import SessionState
from chargebook.domain.display import DATE_TIME, duration_text, kwh_number, kwh_text
from chargebook.domain.models import ChargerSource
from chargebook.domain.stored import BookSession, SessionTotals
from chargebook.domain.users import User, UserRole
from chargebook.errors import ChargebookError, NotFoundError
from chargebook.settings import load_settings

LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
sessions_app = typer.Typer(name="sessions", help="The book's charging sessions: list and export.")


@sessions_app.callback(invoke_without_command=True)
def sessions(
    ctx: typer.Context,
    quarantined: bool = typer.Option(False, "--quarantined", help="Only quarantined sessions."),
    limit: int = typer.Option(
        50,
        "--limit",
        callback=params.whole_number("sessions", 1, 1_000_000),
        help="Most recent N sessions.",
    ),
) -> None:
    """List the book's sessions (newest first), or the quarantined ones with their reasons.
    `chargebook sessions export` writes them to a CSV or XLSX file."""
    if ctx.invoked_subcommand is not None:
        return
    with cli_errors():
        database = open_database(load_settings())
        try:
            with database.session() as session:
                state = SessionState.QUARANTINED if quarantined else None
                book = BookService(session, None)  # the whole book: the operator holds it
                rows = book.sessions(state=state, limit=limit)
                totals = book.session_totals(state=state)
        finally:
            database.dispose()
    title = f"{'Quarantined sessions' if quarantined else 'Sessions'} ({totals.count})"
    plain_console().print(book_sessions_table(rows, title))
    plain_console().print(totals_line(totals))


def totals_line(totals: SessionTotals) -> str:
    """The book's totals as one line: the same figures as the sessions page's totals."""
    return f"total: {totals.count} sessions, {kwh_text(totals.energy_kwh)}"


# Short enough for an 80-column terminal.
_SOURCE_LABELS = {ChargerSource.WALLBOX_CLOUD: "wallbox", ChargerSource.OCPP: "ocpp"}


def book_sessions_table(rows: Sequence[BookSession], title: str) -> Table:
    """Sessions of the book, one row each, times in Amsterdam (24-hour). "id" and "charger"
    are the book ids every other command takes (`chart ID`, `--charger ID`); ids and times
    are never cut."""
    # A quarantine reason is a sentence: it goes under the table, one line per session,
    # where it can wrap, so that the columns keep ids and times whole at 80 columns.
    reasons = [f"session {row.id}: {row.quarantine_reason}" for row in rows
               if row.quarantine_reason]  # fmt: skip
    table = Table(
        title=title,
        caption="\n".join(["times: Europe/Amsterdam", *reasons]),
        caption_justify="left",
    )
    table.add_column("id", no_wrap=True, justify="right")
    table.add_column("charger", no_wrap=True, justify="right")
    table.add_column("source", no_wrap=True)
    table.add_column("started", no_wrap=True)
    table.add_column("duration", no_wrap=True, justify="right")
    table.add_column("kWh", no_wrap=True, justify="right")
    table.add_column("state", no_wrap=True)
    for row in rows:
        local = in_zone(row.started_at, LOCAL_ZONE) if row.started_at else None
        table.add_row(
            str(row.id),
            str(row.charger_id),
            _SOURCE_LABELS.get(row.source, row.source.value),
            local.strftime(DATE_TIME) if local else "?",
            duration_text(row.duration_s),
            kwh_number(row.energy_kwh),
            row.state.value,
        )
    return table


class ExportFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


def _viewer(session: SqlSession, owner: str | None) -> Viewer:
    """Whose sessions: the owner's with `--owner`, else every owner's. Whoever runs the CLI
    holds the book's database and key, so without `--owner` they see what an operator sees."""
    if owner is None:
        everyone = User(0, "cli", UserRole.OPERATOR, datetime(2000, 1, 1, tzinfo=UTC))
        return Viewer(everyone)
    user = UserRepository(session, SystemClock()).get_by_email(owner.strip().lower())
    if user is None:
        raise NotFoundError(f"no chargebook user {owner!r} (see `chargebook users list`)")
    return Viewer(user)


@sessions_app.command("export")
def export(
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write (.csv or .xlsx).")],
    file_format: Annotated[
        ExportFormat | None,
        typer.Option("--format", help="csv or xlsx; default: from the file's suffix."),
    ] = None,
    first: str | None = typer.Option(
        None, "--from", callback=params.day_text, help="First local day, YYYY-MM-DD."
    ),
    last: str | None = typer.Option(
        None, "--to", callback=params.day_text, help="Last local day (inclusive), YYYY-MM-DD."
    ),
    charger: str | None = typer.Option(
        None, "--charger", callback=params.reference, help="Only this charger (its id)."
    ),
    owner: str | None = typer.Option(None, "--owner", help="Only this owner's (e-mail)."),
) -> None:
    """Write the book's sessions to CSV or XLSX: the file the web's export gives (local
    times, kWh, cost; the XLSX with a totals row)."""
    with cli_errors():
        chosen_format = file_format or _format_of(output)
        database = open_database(load_settings())
        try:
            with database.session() as session:
                viewer = _viewer(session, owner)
                charger_id = resolve_charger(session, charger).id if charger else None
                chosen = _filter(first, last, charger_id)
                listed = list_sessions(session, viewer, chosen, limit=None)
                eres = session_eres(session, SystemClock(), listed.sessions)
        finally:
            database.dispose()
        content: bytes = (
            sessions_csv(listed, eres).encode("utf-8")
            if chosen_format is ExportFormat.CSV
            else sessions_xlsx(listed, eres)
        )
        try:
            output.write_bytes(content)
        except OSError as exc:
            raise ChargebookError(f"cannot write {output}: {exc.strerror}") from None
    typer.echo(f"wrote {listed.count} sessions ({kwh_text(listed.energy_kwh)}) to {output}")


def _filter(first: str | None, last: str | None, charger_id: int | None) -> SessionFilter:
    """The export's filter from `--from`/`--to` (already YYYY-MM-DD) and a charger."""
    start = date.fromisoformat(first) if first else None
    end = date.fromisoformat(last) if last else None
    if start and end and end < start:
        raise typer.BadParameter(f"--to {last} is before --from {first}")
    return SessionFilter(start, end, charger_id)


def _format_of(output: Path) -> ExportFormat:
    suffix = output.suffix.lower().lstrip(".")
    try:
        return ExportFormat(suffix)
    except ValueError:
        raise typer.BadParameter(
            f"{output.name}: give --format csv or xlsx (or a .csv/.xlsx file name)"
        ) from None
