"""`chargebook ere metering|followups`: each charger's metering constructs (detected, or
recorded from a date with evidence) and the follow-ups for chargers that need an upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from chargebook.cli import params
from chargebook.cli.console import styled
from chargebook.cli.ere_common import console, ere_store, local, when_arg
from chargebook.cli.errors import handle_errors
from chargebook.cli.refs import charger_book_ids
from chargebook.domain.ere import MeteringKind
from chargebook.domain.ere_book import FollowUpStatus, StoredConstruct
from chargebook.ere.service import (
    EvidenceFile,
    MeteringEvidence,
    detect_metering,
    evidence_dir,
    metering_history,
    record_construct,
)
from chargebook.settings import load_settings

metering_app = typer.Typer(help="Metering constructs per charger.")
followups_app = typer.Typer(help="Follow-ups for chargers that need an upgrade.")


@metering_app.callback(invoke_without_command=True)
@handle_errors
def metering_list(ctx: typer.Context) -> None:
    """Every charger's current metering construct (subcommands: detect, set)."""
    if ctx.invoked_subcommand is not None:
        return
    with ere_store() as store:
        chargers = store.chargers.list()
        constructs = {c.id: metering_history(store, c.id) for c in chargers}
    table = Table(
        "charger", "model", "construct", "from", "until", "MID serial", "SAP EAN", "by", "evidence"
    )
    for charger in chargers:
        history = constructs[charger.id]
        if not history:
            table.add_row(str(charger.id), charger.charger.model, styled("none recorded", "dim"))
        for item in history:
            c = item.construct
            table.add_row(
                str(charger.id),
                charger.charger.model,
                c.kind.value,
                local(c.valid_from) + (" (first MID session)" if c.from_first_mid_session else ""),
                local(c.valid_until),
                c.mid_serial or "-",
                c.sap_ean or "-",
                item.recorded_by,
                _evidence(item),
            )
    console().print(table)


@metering_app.command("detect")
@handle_errors
def metering_detect(
    since: str | None = typer.Option(
        None, "--since", help="A first qualifying construct is in place from this date."
    ),
) -> None:
    """Assess every synced charger's metering and record the result."""
    with ere_store() as store:
        outcomes = detect_metering(store, now=store.clock.now(), since=when_arg(since))
    table = Table("charger", "verdict", "recorded", "follow-ups", "explanation")
    for o in outcomes:
        table.add_row(
            str(o.charger.id),
            o.assessment.verdict.label,
            o.construct.construct.kind.value if o.recorded and o.construct else "-",
            ", ".join(f.kind for f in o.follow_ups_created) or "-",
            o.assessment.explanation,
        )
    console().print(table)


@metering_app.command("set")
@handle_errors
def metering_set(
    kind: Annotated[MeteringKind, typer.Option("--kind")],
    charger: str = typer.Argument(
        ...,
        callback=params.reference,
        help="The charger's id (`chargebook chargers list`), or its id at the source.",
    ),
    valid_from: str = typer.Option(..., "--from", help="Date or date-time it is in place."),
    mid_serial: str | None = typer.Option(None, "--mid-serial"),
    sap_ean: str | None = typer.Option(None, "--sap-ean"),
    note: str = typer.Option("recorded by the operator", "--note"),
    evidence: str | None = typer.Option(
        None, "--evidence", help="Reference for the date, e.g. the installer's invoice number."
    ),
    evidence_file: Annotated[
        Path | None,
        typer.Option(
            "--evidence-file",
            exists=True,
            dir_okay=False,
            readable=True,
            help="The invoice or a photo of the meter; kept in the data dir.",
        ),
    ] = None,
) -> None:
    """Record a construct from the date it was in place (a MID charger installed or upgraded,
    a SAP), with evidence (--evidence and/or --evidence-file); it replaces what detection
    recorded from that date on."""
    start = when_arg(valid_from)
    assert start is not None
    (charger_id,) = charger_book_ids([charger])
    attached = (
        EvidenceFile(evidence_file.name, evidence_file.read_bytes()) if evidence_file else None
    )
    with ere_store() as store:
        stored = record_construct(
            store,
            charger_id,
            kind=kind,
            valid_from=start,
            mid_serial=mid_serial,
            sap_ean=sap_ean,
            explanation=note,
            evidence=MeteringEvidence(reference=evidence, file=attached),
            evidence_dir=evidence_dir(load_settings().data_dir),
        )
    console().print(
        f"charger {charger_id}: {stored.construct.kind.value} from {local(start)} "
        f"(evidence: {_evidence(stored)})"
    )


def _evidence(stored: StoredConstruct) -> str:
    parts = [stored.evidence_reference, stored.evidence_file_name]
    return "; ".join(p for p in parts if p) or "-"


@followups_app.callback(invoke_without_command=True)
@handle_errors
def followups_list(
    ctx: typer.Context,
    status: Annotated[FollowUpStatus | None, typer.Option("--status")] = None,
) -> None:
    """Follow-ups (upgrade quote, SAP guidance) and their status (subcommand: set)."""
    if ctx.invoked_subcommand is not None:
        return
    with ere_store() as store:
        rows = store.metering.list_follow_ups(status=status)
    table = Table("id", "charger", "kind", "status", "updated", "note", "why")
    for f in rows:
        table.add_row(
            str(f.id),
            str(f.charger_id),
            f.kind,
            f.status.value,
            local(f.updated_at),
            f.note or "",
            f.explanation,
        )
    console().print(table)


@followups_app.command("set")
@handle_errors
def followups_set(
    follow_up: Annotated[int, typer.Argument(callback=params.book_id, help="Follow-up id.")],
    status: Annotated[FollowUpStatus, typer.Argument()],
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Move a follow-up to open, in_progress or done."""
    with ere_store() as store:
        stored = store.metering.set_follow_up_status(follow_up, status, note)
    console().print(f"follow-up {stored.id}: {stored.status.value}")
