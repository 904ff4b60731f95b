"""The operator's year-end: the calendar of a booking year (`chargebook.ere.year_end`) and
what is due and what blocks it, for the console's year-end page and `chargebook ere
year-end` (both call `year_end` and show the same).

Blockers, each with its numbers:
- sessions waiting to be batched: eligible and not registered (the eligibility report);
- mandates missing: connections whose chargers have sessions in the year but no complete
  mandate of ours covering it;
- batches not finalized: drafts of the year's periods;
- evidence packs not built: finalized batches never exported since (`export_batch` records
  `ere_batch.evidence_built`);
- materiality: a finalized batch's figures differing by more than 2 % (`materiality.py`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.domain.ere_book import BatchStatus, StoredBatch
from chargebook.ere import ParametersError, ParameterSet, mandate_for_year, mandate_problems
from chargebook.ere.materiality import MaterialityCheck
from chargebook.ere.periods import period_bounds
from chargebook.ere.service.eligibility import eligibility_report
from chargebook.ere.service.materiality import EVIDENCE_BUILT, batch_materiality
from chargebook.ere.service.owner_setup import SERVICE_PROVIDER_ID
from chargebook.ere.year_end import YearEndCalendar, year_end_calendar


@dataclass(frozen=True, slots=True)
class Blocker:
    kind: str  # sessions_waiting, mandate_missing, batch_draft, evidence_missing, materiality
    message: str


@dataclass(frozen=True, slots=True)
class YearEnd:
    calendar: YearEndCalendar
    batches: tuple[StoredBatch, ...]  # the year's batches (year and quarters)
    waiting_sessions: int
    waiting_kwh: Decimal
    blockers: tuple[Blocker, ...]
    materiality: tuple[MaterialityCheck, ...] = field(default=())  # every check, finalized

    @property
    def ready(self) -> bool:
        """Nothing blocks the year-end."""
        return not self.blockers


def kwh(value: Decimal) -> str:
    """kWh without trailing zeros ("97.9", "100")."""
    return f"{value.normalize():f}"


def _year_batches(store: EreStore, year: int) -> list[StoredBatch]:
    return [b for b in store.batches.list() if b.period.year == year]


def _missing_mandates(store: EreStore, year: int) -> list[Blocker]:
    start, end = period_bounds(DeliveryPeriod(year))
    found = []
    for connection in store.connections.list():
        if not connection.charger_ids:
            continue
        count, energy = store.sessions_energy(
            list(connection.charger_ids), ended_from=start, ended_until=end
        )
        if not count:
            continue
        mandates = [stored.mandate for stored in store.mandates.list(ean=connection.connection.ean)]
        mandate = mandate_for_year(mandates, year, service_provider_id=SERVICE_PROVIDER_ID)
        if mandate is not None and not mandate_problems(mandate):
            continue
        why = "no mandate" if mandate is None else "an incomplete mandate"
        found.append(
            Blocker(
                "mandate_missing",
                f"{connection.customer_email}, EAN {connection.connection.ean}: {count} "
                f"sessions ({kwh(energy)} kWh) in {year} and {why} for {year}",
            )
        )
    return found


def year_end(
    store: EreStore, year: int, *, today: date, parameters: ParameterSet, now: datetime
) -> YearEnd:
    """The calendar of `year` on `today` and what blocks its year-end now."""
    calendar = year_end_calendar(year, today)
    blockers: list[Blocker] = []
    try:
        report = eligibility_report(store, DeliveryPeriod(year), parameters=parameters, now=now)
        waiting, waiting_kwh = report.eligible, report.eligible_energy_kwh
    except ParametersError as exc:
        waiting, waiting_kwh = 0, Decimal(0)
        blockers.append(Blocker("sessions_waiting", f"no ERE parameters for {year}: {exc}"))
    if waiting:
        blockers.append(
            Blocker(
                "sessions_waiting",
                f"{waiting} eligible sessions ({kwh(waiting_kwh)} kWh) wait to be batched",
            )
        )
    blockers += _missing_mandates(store, year)
    batches = _year_batches(store, year)
    checks: list[MaterialityCheck] = []
    for batch in batches:
        if batch.status is BatchStatus.DRAFT:
            blockers.append(
                Blocker(
                    "batch_draft",
                    f"batch {batch.id} ({batch.period.label}) is a draft: finalize or discard it",
                )
            )
            continue
        if not store.audit.list(entity_type="ere_batch", entity_id=batch.id, action=EVIDENCE_BUILT):
            blockers.append(
                Blocker(
                    "evidence_missing",
                    f"batch {batch.id} ({batch.period.label}): evidence packs not built "
                    "(export the batch)",
                )
            )
        for check in batch_materiality(store, batch.id):
            checks.append(check)
            if check.blocking:
                where = f"line {check.line_id} (EAN {check.ean})" if check.line_id else "batch"
                blockers.append(
                    Blocker(
                        "materiality",
                        f"batch {batch.id} {where}: {check.what}: {kwh(check.booked_kwh)} kWh "
                        f"against {kwh(check.reference_kwh)} kWh, {check.deviation_percent} "
                        f"(above {check.tolerance * 100:.0f} %)",
                    )
                )
    return YearEnd(calendar, tuple(batches), waiting, waiting_kwh, tuple(blockers), tuple(checks))
