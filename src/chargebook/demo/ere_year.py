"""The demo's ERE year: one owner's year walked through the ERE service, stage by stage.

A newcomer to `chargebook demo` should see the ERE flow work: the owner's credits page and the
operator console filled with a connection, a mandate, a registered quarter, a statement and a
payout. Every stage calls the same `chargebook.ere.service` function the CLI, the web pages
and the worker call (never a raw insert), each in its own transaction like a CLI command, and
each is idempotent: a stage that finds its result in the book does nothing, so seeding the
same data dir twice adds nothing.

    seed_ere_year(database, clock, owner_email="owner@example.com", files=data_dir / "ere", box=box)

The stages, in order (`STAGES`): connection (the owner's Wallbox chargers behind one EAN),
metering (detection: a MID meter counts from its first MID-metered session), mandate (the
current year), price (for the first quarter), batch (the first quarter registered and
finalized), evidence (the batch's export and evidence pack as files), payout account (the
owner's demo IBAN), statement, SEPA run (the pain.001 file for the quarter's payouts, from
a demo operator account), payout (the run marked paid with a `DEMO-` reference).

Everything is demo data: a test EAN, simulated chargers, a payout no bank ever saw. The web
demo says so on every page (`chargebook.demo.web`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from chargebook.clock import Clock, in_zone
from chargebook.crypto import SecretBox
from chargebook.db import Database
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import Address, DeliveryPeriod
from chargebook.domain.ere_book import BatchStatus, PayoutStatus
from chargebook.domain.ere_payouts import PayoutRunStatus
from chargebook.domain.models import ChargerSource
from chargebook.ere import load_parameters
from chargebook.ere.calculator import DEFAULT_FEE_RATE
from chargebook.ere.periods import DUTCH_ZONE
from chargebook.ere.service import (
    add_connection,
    add_mandate,
    create_batch,
    detect_metering,
    export_batch,
    finalize_batch,
    link_charger,
    set_price,
)
from chargebook.ere.service.owner_setup import SERVICE_PROVIDER_ID
from chargebook.ere.service.payout_accounts import set_payout_account
from chargebook.ere.service.payout_runs import build_sepa_run, mark_run_paid
from chargebook.ere.service.sepa_file import SepaDebtor
from chargebook.ere.service.statement_files import state_period
from chargebook.errors import ChargebookError, NotFoundError

_LOGGER = logging.getLogger(__name__)

# A test EAN: valid by the GS1 check (`chargebook.ere.ean`), 871999... is no real connection.
DEMO_EAN = "871999000000000179"
DEMO_PARTY = "Demo Owner"
DEMO_ADDRESS = Address("Demostraat", "1", "9999 ZZ", "Demodorp")
# The operator's price per ERE for the demo quarter: the Joulo calculator's (ere-rules.md 4.1).
DEMO_PRICE_EUR_PER_ERE = Decimal("0.489")
DEMO_REFERENCE_PREFIX = "DEMO-"  # a payout reference that no bank issued
# Textbook example IBANs (valid check digits, no one's account): the owner's and the operator's.
DEMO_OWNER_IBAN = "NL02ABNA0123456789"
DEMO_OPERATOR = SepaDebtor(name="Demo ERE Operator", iban="NL91ABNA0417164300", bic="ABNANL2A")
DEMO_ACTOR = "demo"


@dataclass(frozen=True, slots=True)
class DemoYear:
    """What the stages work on: the owner, the year and its first quarter, the files' folder."""

    owner_email: str
    year: int
    files: Path
    box: SecretBox  # encrypts the owner's payout IBAN, as the web and CLI do

    @property
    def quarter(self) -> DeliveryPeriod:
        """The quarter taken all the way to a paid payout (the year's first)."""
        return DeliveryPeriod(self.year, 1)

    @property
    def first_day(self) -> date:
        return date(self.year, 1, 1)


def demo_year_of(now: datetime) -> int:
    """The ERE year the demo seeds: the current calendar year in Dutch local time."""
    local = in_zone(now, DUTCH_ZONE)
    assert local is not None
    return local.year


def history_days(now: datetime, days: int) -> int:
    """Days of simulated history the demo needs: at least back to 1 January of its ERE year
    (the mandate books the whole year), and at least `days` (the demo's `--days`)."""
    local = in_zone(now, DUTCH_ZONE)
    assert local is not None
    return max(days, (local.date() - date(local.year, 1, 1)).days + 1)


Stage = Callable[[EreStore, DemoYear], str]


def stage_connection(store: EreStore, year: DemoYear) -> str:
    """The owner's connection with every one of their Wallbox chargers behind it."""
    owner = store.users.get_by_email(year.owner_email)
    if owner is None:
        raise NotFoundError(f"no demo owner {year.owner_email}")
    chargers = [
        c.id
        for c in store.chargers.list()
        if c.owner_user_id == owner.id and c.charger.source is ChargerSource.WALLBOX_CLOUD
    ]
    try:
        existing = store.connections.get_by_ean(DEMO_EAN)
    except NotFoundError:
        existing = None
    if existing is None:
        add_connection(
            store,
            ean=DEMO_EAN,
            customer_email=year.owner_email,
            connected_party_name=DEMO_PARTY,
            address=DEMO_ADDRESS,
            charger_ids=chargers,
        )
        return f"connection {DEMO_EAN} with chargers {chargers}"
    missing = [c for c in chargers if c not in existing.charger_ids]
    for charger_id in missing:
        link_charger(store, ean=DEMO_EAN, charger_id=charger_id)
    return f"connection {DEMO_EAN}: linked {missing or 'nothing new'}"


def stage_metering(store: EreStore, year: DemoYear) -> str:
    """Detection for the connection's chargers, as the wizard runs it: the Copper SB's MID
    meter qualifies from its first MID-metered session. Detection leaves a charger that
    already has a construct as it is (running it again changes nothing)."""
    connection = store.connections.get_by_ean(DEMO_EAN)
    found = []
    for charger_id in connection.charger_ids:
        for outcome in detect_metering(store, now=store.clock.now(), charger_id=charger_id):
            found.append(f"{outcome.charger.charger.model}: {outcome.assessment.verdict.value}")
    return "metering " + ", ".join(found)


def stage_mandate(store: EreStore, year: DemoYear) -> str:
    """A complete mandate for the year, signed by the demo owner today."""
    mandates = store.mandates.list(ean=DEMO_EAN)
    if any(m.mandate.first_year <= year.year <= m.mandate.last_year for m in mandates):
        return f"mandate for {year.year}: present"
    today = in_zone(store.clock.now(), DUTCH_ZONE)
    assert today is not None
    added = add_mandate(
        store,
        ean=DEMO_EAN,
        service_provider_id=SERVICE_PROVIDER_ID,
        first_year=year.year,
        last_year=year.year,
        consent_grid_operator_data=True,
        consent_verifier_visit=True,
        signed_by_name=DEMO_PARTY,
        signed_on=today.date(),
    )
    return f"mandate {added.stored.id} for {year.year}"


def stage_price(store: EreStore, year: DemoYear) -> str:
    """The operator's price for the quarter, unless one is set (never overwritten)."""
    if year.quarter in store.statements.prices():
        return f"price for {year.quarter.label}: present"
    set_price(store, year.quarter, DEMO_PRICE_EUR_PER_ERE)
    return f"price for {year.quarter.label}: EUR {DEMO_PRICE_EUR_PER_ERE} per ERE"


def stage_batch(store: EreStore, year: DemoYear) -> str:
    """The quarter's eligible sessions registered in a batch, verified and finalized; an
    existing finalized batch of the quarter is kept, an existing draft finalized."""
    batches = store.batches.list(period=year.quarter)
    if any(b.status is BatchStatus.FINALIZED for b in batches):
        return f"batch for {year.quarter.label}: finalized already"
    draft = next((b for b in batches if b.status is BatchStatus.DRAFT), None)
    if draft is None:
        created = create_batch(
            store, year.quarter, parameters=load_parameters(), now=store.clock.now()
        )
        draft = created.batch
    done = finalize_batch(store, draft.id)
    return f"batch {done.id}: {done.session_count} sessions, {done.total_ere} ERE"


def _finalized_batch_id(store: EreStore, year: DemoYear) -> int:
    return next(
        b.id
        for b in store.batches.list(period=year.quarter)
        if b.status is BatchStatus.FINALIZED and b.corrects_batch_id is None
    )


def stage_evidence(store: EreStore, year: DemoYear) -> str:
    """The batch as the verifier gets it (CSV, JSON, manifest, an evidence pack per customer),
    written as `chargebook ere batch export` writes it (rewritten the same on a rerun)."""
    batch_id = _finalized_batch_id(store, year)
    done = export_batch(store, batch_id, year.files / f"batch-{batch_id}")
    return f"evidence pack {', '.join(p.name for p in done.evidence_paths)}"


def stage_statement(store: EreStore, year: DemoYear) -> str:
    """Statements for the quarter's finalized lines not stated yet, with their files."""
    stated = state_period(
        store, year.quarter, fee_rate=DEFAULT_FEE_RATE, output=year.files / "statements"
    )
    return f"{len(stated.created)} new statement(s) for {year.quarter.label}"


def _owner_id(store: EreStore, year: DemoYear) -> int:
    owner = store.users.get_by_email(year.owner_email)
    if owner is None:
        raise NotFoundError(f"no demo owner {year.owner_email}")
    return owner.id


def stage_payout_account(store: EreStore, year: DemoYear) -> str:
    """The owner's payout details (a textbook IBAN), unless they entered their own."""
    owner_id = _owner_id(store, year)
    if store.payout_accounts.get(owner_id) is not None:
        return "payout account: present"
    account = set_payout_account(
        store,
        year.box,
        user_id=owner_id,
        iban=DEMO_OWNER_IBAN,
        holder=DEMO_PARTY,
        actor=DEMO_ACTOR,
    )
    return f"payout account {account.iban_masked}"


def stage_sepa_run(store: EreStore, year: DemoYear) -> str:
    """The pain.001 file for the quarter's pending payouts that are in no run yet, written
    next to the statements (the operator would upload it to the bank)."""
    waiting = [
        s
        for s in store.statements.list(period=year.quarter, status=PayoutStatus.PENDING)
        if s.payout_run_id is None
    ]
    if not waiting:
        return f"SEPA run for {year.quarter.label}: nothing waiting"
    built = build_sepa_run(store, year.box, DEMO_OPERATOR, actor=DEMO_ACTOR, period=year.quarter)
    folder = year.files / "sepa"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"payout-run-{built.run.id}.xml").write_bytes(built.xml)
    return f"SEPA run {built.run.id}: {built.run.payout_count} payout(s), EUR {built.run.total_eur}"


def stage_payout(store: EreStore, year: DemoYear) -> str:
    """The quarter's open SEPA runs marked paid, with a reference saying it is demo money."""
    runs = [
        r
        for r in store.payout_runs.list()
        if r.status is PayoutRunStatus.OPEN and r.period == year.quarter
    ]
    for run in runs:
        reference = f"{DEMO_REFERENCE_PREFIX}{year.quarter.label}-run-{run.id} (no money moved)"
        mark_run_paid(store, run.id, reference, actor=DEMO_ACTOR)
    return f"{len(runs)} payout run(s) marked paid"


STAGES: tuple[tuple[str, Stage], ...] = (
    ("connection", stage_connection),
    ("metering", stage_metering),
    ("mandate", stage_mandate),
    ("price", stage_price),
    ("batch", stage_batch),
    ("evidence", stage_evidence),
    ("payout account", stage_payout_account),
    ("statement", stage_statement),
    ("sepa run", stage_sepa_run),
    ("payout", stage_payout),
)


@dataclass(frozen=True, slots=True)
class SeedReport:
    done: tuple[str, ...]  # one line per stage that ran
    stopped_at: str | None = None  # the stage that was refused, with the reason
    ok: bool = True


def seed_ere_year(
    database: Database,
    clock: Clock,
    *,
    owner_email: str,
    files: Path,
    box: SecretBox,
    stages: tuple[tuple[str, Stage], ...] = STAGES,
) -> SeedReport:
    """Run the stages in order, one transaction each. A stage the service refuses (e.g. no
    ERE parameters for a new year yet, or no session to register) or whose files cannot be
    written stops the seeding with its reason; the demo runs on without the rest."""
    year = DemoYear(owner_email, demo_year_of(clock.now()), files, box)
    done: list[str] = []
    for name, stage in stages:
        try:
            with database.transaction() as session:
                line = stage(EreStore(session, clock), year)
        except (ChargebookError, OSError) as error:
            # The demo must start even when its ERE year cannot be completed.
            reason = error.message if isinstance(error, ChargebookError) else str(error)
            _LOGGER.warning("demo ERE year stopped at %s: %s", name, reason)
            return SeedReport(tuple(done), f"{name}: {reason}", ok=False)
        _LOGGER.info("demo ERE year: %s", line)
        done.append(f"{name}: {line}")
    return SeedReport(tuple(done))
