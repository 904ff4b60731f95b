"""The end-of-soak checks, each a named verdict with the numbers behind it.

- wallbox book: every session the simulator has ended is in the book exactly once, byte for
  byte (raw sha256), the malformed ones quarantined, nothing else;
- ocpp book: every transaction the charge points completed is closed in the book with the
  same meter readings and has exactly one session with that energy; the book holds no
  transaction the charge points did not complete, except starts whose answer never reached
  the charge point (counted by the fleet) superseded later;
- jobs: no job left `doing` once the workers stopped, none `failed` or `aborted` except stalled
  ones the stalled-job retry superseded with a newer waiting job (logged by the workers).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, text

from chargebook.db import Database
from chargebook.db.book.tables import ChargerRow, ChargingSessionRow
from chargebook.db.ocpp.tables import OcppTransactionRow

SUPERSEDED_LOG = re.compile(r"job \S+\[(\d+)\] of a dead worker: superseded")


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def wallbox_book(database: Database, truth: dict[str, str], bad: set[str]) -> Check:
    with database.session() as session:
        rows = session.execute(
            select(
                ChargingSessionRow.external_id,
                ChargingSessionRow.raw_sha256,
                ChargingSessionRow.state,
            ).where(ChargingSessionRow.source == "wallbox_cloud")
        ).all()
    book = {external_id: sha for external_id, sha, _ in rows}
    quarantined = {external_id for external_id, _, state in rows if state == "quarantined"}
    missing = truth.keys() - book.keys()
    extra = book.keys() - truth.keys()
    changed = [k for k in truth.keys() & book.keys() if truth[k] != book[k]]
    twice = len(rows) - len(book)
    ok = not (missing or extra or changed or twice) and quarantined == bad
    detail = (
        f"{len(truth)} sessions in the cloud, {len(rows)} rows in the book; missing "
        f"{len(missing)}, extra {len(extra)}, different {len(changed)}, twice {twice}; "
        f"quarantined {len(quarantined)} of {len(bad)} malformed"
    )
    return Check("wallbox sessions in the book exactly once", ok, detail)


def wallbox_converged(database: Database, truth: dict[str, str]) -> bool:
    """Whether the book holds exactly the cloud's sessions (the count first: it is cheap)."""
    with database.session() as session:
        count = session.scalar(
            select(func.count()).where(ChargingSessionRow.source == "wallbox_cloud")
        )
        if count != len(truth):
            return False
        rows = session.execute(
            select(ChargingSessionRow.external_id, ChargingSessionRow.raw_sha256).where(
                ChargingSessionRow.source == "wallbox_cloud"
            )
        ).all()
    return dict(rows) == truth


def ocpp_book(
    database: Database,
    completed: dict[str, tuple[int, int]],
    failed_starts: int,
    left_over: int = 0,
) -> Check:
    """`left_over`: transactions still open or calls still buffered in the charge points."""
    with database.session() as session:
        transactions = session.execute(
            select(
                ChargerRow.external_id,
                OcppTransactionRow.id,
                OcppTransactionRow.meter_start_wh,
                OcppTransactionRow.meter_stop_wh,
                OcppTransactionRow.is_open,
                OcppTransactionRow.stop_reason,
            ).join(ChargerRow, ChargerRow.id == OcppTransactionRow.charger_id)
        ).all()
        sessions = session.execute(
            select(
                ChargingSessionRow.external_id,
                ChargingSessionRow.state,
                ChargingSessionRow.energy_kwh,
            ).where(ChargingSessionRow.source == "ocpp")
        ).all()
    closed = {
        f"{cp}:{tid}": (start, stop)
        for cp, tid, start, stop, is_open, reason in transactions
        if not is_open and stop is not None
    }
    orphans = [f"{cp}:{tid}" for cp, tid, *_ in transactions if f"{cp}:{tid}" not in completed]
    per_session: dict[str, list[tuple[str, Any]]] = {}
    for external_id, state, energy_kwh in sessions:
        per_session.setdefault(external_id, []).append((state, energy_kwh))
    missing = [k for k in completed if closed.get(k) != completed[k]]
    wrong_session = [
        k
        for k, (start, stop) in completed.items()
        if per_session.get(k) != [("ok", Decimal(stop - start) / 1000)]
    ]
    # An orphan is a start the charge point never heard answered: at most one per failed start.
    ok = (
        bool(completed)
        and not missing
        and not wrong_session
        and len(orphans) <= failed_starts
        and not left_over
    )
    examples = [
        f"{k}: sim {completed[k]}, book {closed.get(k)} {per_session.get(k)}"
        for k in sorted({*missing, *wrong_session})[:3]
    ] + [f"orphan {k}: {per_session.get(k)}" for k in orphans[:3]]
    detail = (
        f"{len(completed)} transactions completed by the charge points, {len(transactions)} in "
        f"the book; missing or different {len(missing)}, session wrong or doubled "
        f"{len(wrong_session)}; orphaned starts {len(orphans)} (failed starts {failed_starts})"
        f"; left open or buffered {left_over}" + (f"; e.g. {examples}" if examples else "")
    )
    return Check("ocpp transactions match the charge points", ok, detail)


def superseded_job_ids(log_dir: Path) -> set[int]:
    """Ids of stalled jobs the workers marked failed because a newer job does their work."""
    found: set[int] = set()
    for log in log_dir.glob("worker-*.log"):
        found.update(int(m) for m in SUPERSEDED_LOG.findall(log.read_text(errors="replace")))
    return found


def jobs(database: Database, log_dir: Path) -> Check:
    """No job `doing` (the workers have stopped), none `failed`, and every `aborted` one a
    stalled job the workers logged as superseded by a newer waiting job of the same lock."""
    with database.session() as session:
        rows = session.execute(
            text("SELECT id, task_name, status::text FROM procrastinate_jobs")
        ).all()
    superseded = superseded_job_ids(log_dir)
    doing = [row for row in rows if row[2] == "doing"]
    failed = [row for row in rows if row[2] == "failed" and row[0] not in superseded]
    aborted = [row for row in rows if row[2] == "aborted" and row[0] not in superseded]
    todo = sum(1 for row in rows if row[2] == "todo")
    ok = not doing and not failed and not aborted
    names = sorted({row[1] for row in [*doing, *failed, *aborted]})
    detail = (
        f"doing {len(doing)}, failed {len(failed)}, aborted {len(aborted)} (stalled jobs "
        f"superseded by a newer one: {len(superseded)}, not counted), waiting {todo}"
        + (f"; tasks {names}" if names else "")
    )
    return Check("no job stuck or failed", ok, detail)
