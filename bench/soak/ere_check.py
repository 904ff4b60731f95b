"""ERE under a kill: the book's synced chargers get connections, mandates and metering, then a
registration batch is built with `chargebook.ere.service.create_batch` in child processes: the
first is SIGKILLed after registering, before its commit, while a second waits for the
registration lock; then two more run at the same time. No session may end up registered
twice, and the registered ones must be exactly those the eligibility report called eligible
before the first build.

    python -m bench.soak.ere_check DATABASE_URL PERIOD NOW [pause]   (one build)
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select

from bench.soak.workers import popen_child
from chargebook.clock import FixedClock
from chargebook.db import Database
from chargebook.db.accounts.tables import UserRow, WallboxAccountRow
from chargebook.db.book.tables import ChargerRow
from chargebook.db.ere.store import EreStore
from chargebook.db.ere.tables import EreBatchRow, EreBatchSessionRow
from chargebook.domain.ere import Address, DeliveryPeriod, MeteringKind
from chargebook.ere import gs1_check_digit, load_parameters
from chargebook.ere.service import add_connection, add_mandate, eligibility_report
from chargebook.ere.service.metering import record_construct
from chargebook.ere.service.metering_evidence import MeteringEvidence


@dataclass(frozen=True)
class EreOutcome:
    eligible_before: int
    registered: int
    distinct_registered: int
    batches: int
    batch_counts_match: bool
    builds: list[str]  # what each build process said (or "killed")
    ineligible: dict[str, int]  # sessions per first failing rule

    @property
    def ok(self) -> bool:
        return (
            self.eligible_before > 0
            and self.registered == self.distinct_registered == self.eligible_before
            and self.batch_counts_match
        )


def _ean(n: int) -> str:
    body = f"8719{n:013d}"  # 871: Dutch connections
    return body + str(gs1_check_digit(body))


def set_up(database: Database, now: datetime, since: datetime) -> int:
    """One connection and mandate per charger owner, a MID construct per MID-capable charger;
    the number of owners set up."""
    clock = FixedClock(now)
    with database.transaction() as session:
        store = EreStore(session, clock)
        # Synced chargers belong to the user of their Wallbox account.
        links = session.execute(
            select(UserRow.id, UserRow.email, ChargerRow.id, ChargerRow.model)
            .join(WallboxAccountRow, WallboxAccountRow.owner_user_id == UserRow.id)
            .join(ChargerRow, ChargerRow.account_id == WallboxAccountRow.id)
            .where(ChargerRow.source == "wallbox_cloud")
            .order_by(UserRow.id, ChargerRow.id)
        ).all()
        owners: dict[tuple[int, str], list[int]] = {}
        for user_id, email, charger_id, model in links:
            owners.setdefault((user_id, email), []).append(charger_id)
            if "Copper" in model:
                # The simulated cloud reports no MID serial: the operator read it off the label.
                record_construct(
                    store,
                    charger_id,
                    kind=MeteringKind.INTEGRATED_MID,
                    valid_from=since,
                    mid_serial=f"SOAK-MID-{charger_id}",
                    explanation="soak: MID serial read off the label",
                    evidence=MeteringEvidence(reference="soak: photo of the label"),
                )
        for n, ((_, email), charger_ids) in enumerate(owners.items(), start=1):
            ean = _ean(n)
            add_connection(
                store,
                ean=ean,
                customer_email=email,
                connected_party_name=f"Soak customer {n}",
                address=Address("Soakstraat", str(n), "1234 AB", "Utrecht"),
                charger_ids=list(charger_ids),
            )
            add_mandate(
                store,
                ean=ean,
                service_provider_id="chargebook",
                first_year=since.year,
                last_year=now.year,
                consent_grid_operator_data=True,
                consent_verifier_visit=True,
                signed_by_name=f"Soak customer {n}",
                signed_on=date(since.year, 1, 2),
            )
    return len(owners)


def eligibility(
    database: Database, period: DeliveryPeriod, now: datetime
) -> tuple[int, dict[str, int]]:
    """(eligible sessions, ineligible ones per first failing rule) in `period`."""
    with database.transaction() as session:
        report = eligibility_report(
            EreStore(session, FixedClock(now)), period, parameters=load_parameters(), now=now
        )
    return report.eligible, {str(code): n for code, n in report.first_failures.items()}


def _build_command(url: str, period: DeliveryPeriod, now: datetime) -> list[str]:
    return [sys.executable, "-m", "bench.soak.ere_check", url, period.label, now.isoformat()]


def build_under_kill(
    database: Database, url: str, period: DeliveryPeriod, now: datetime
) -> EreOutcome:
    """The kill/concurrency sequence of the module docstring; then the checks' numbers.

    Build A registers and then pauses before its commit (holding the registration lock);
    build B starts and waits for the lock; A is SIGKILLed; B must then register everything.
    Builds C and D run at the same time afterwards and must find nothing left.
    """
    eligible, ineligible = eligibility(database, period, now)
    command = _build_command(url, period, now)
    pipe = {"stdout": subprocess.PIPE, "stderr": subprocess.STDOUT}
    builds: list[str] = []
    first = popen_child([*command, "pause"], **pipe)
    assert first.stdout is not None
    said = first.stdout.readline().decode().strip()  # "paused before commit" (or an error)
    second = popen_child(command, **pipe)
    time.sleep(1.0)  # B is inside create_batch, waiting for A's lock
    if first.poll() is None:
        first.kill()
        builds.append(f"killed after: {said}")
    else:
        builds.append(f"ended early: {said} {_said(first)}")
    first.wait(timeout=60)
    second.wait(timeout=300)
    builds.append(_said(second))
    pair = [popen_child(command, **pipe) for _ in "cd"]
    for process in pair:
        process.wait(timeout=300)
        builds.append(_said(process))
    with database.session() as session:
        registered = session.scalar(select(func.count()).select_from(EreBatchSessionRow)) or 0
        distinct = (
            session.scalar(select(func.count(func.distinct(EreBatchSessionRow.session_id)))) or 0
        )
        per_batch = dict(
            session.execute(
                select(EreBatchSessionRow.batch_id, func.count()).group_by(
                    EreBatchSessionRow.batch_id
                )
            ).all()
        )
        batches = session.execute(select(EreBatchRow.id, EreBatchRow.session_count)).all()
    match = all(per_batch.get(batch_id, 0) == count for batch_id, count in batches)
    return EreOutcome(eligible, registered, distinct, len(batches), match, builds, ineligible)


def _said(process: subprocess.Popen[bytes]) -> str:
    out = (process.stdout.read() if process.stdout else b"").decode(errors="replace").strip()
    return out.splitlines()[-1] if out else f"exit {process.returncode}"


def _build_once(url: str, period_label: str, now_text: str, pause: bool) -> None:
    from chargebook.db.core.engine import create_book_engine
    from chargebook.domain.ere_book import parse_period
    from chargebook.ere.service import create_batch
    from chargebook.ere.service.errors import NothingToRegisterError

    now = datetime.fromisoformat(now_text)
    database = Database(create_book_engine(url))
    try:
        with database.transaction() as session:
            created: Any = create_batch(
                EreStore(session, FixedClock(now)),
                parse_period(period_label),
                parameters=load_parameters(),
                now=now,
            )
            if pause:  # registered, not committed: the harness kills us here
                print(f"paused before commit ({created.batch.session_count} sessions)", flush=True)
                time.sleep(600)
        print(f"batch {created.batch.id}: {created.batch.session_count} sessions")
    except NothingToRegisterError:
        print("nothing to register")
    finally:
        database.dispose()


if __name__ == "__main__":
    _build_once(sys.argv[1], sys.argv[2], sys.argv[3], pause=sys.argv[4:] == ["pause"])
