"""An owner's ERE credits per quarter, and what a year of charging may earn.

Per quarter (Dutch local time, by each session's end):
- pending: eligible sessions of a quarter that is still running (registered after it closes);
- eligible: eligible sessions of a closed quarter, not in a registration batch yet;
- registered: EREs in finalized batches, not paid out yet;
- paid: EREs of statements whose payout was transferred.

EREs are rounded per EAN and quarter, as a batch line would be (`chargebook.ere.calculate_ere`).
Eligibility runs every rule in the database over the quarter's sessions of this customer's
linked chargers only (`ere.service.sql_path` with `customer_id`): the page costs a few thousand
session rows per quarter however large the book is. Where the SQL path does not apply
(`rules_path`: overlapping metering constructs) the Python rules stream the quarter instead.

`owner_credits` is what every door shows an owner (the web credits page today).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod, PeriodKind
from chargebook.domain.ere_book import BatchStatus, PayoutStatus, StoredBatch, StoredStatement
from chargebook.ere import (
    EarningsEstimate,
    ParametersError,
    ParameterSet,
    calculate_ere,
    estimate_earnings,
    period_bounds,
)
from chargebook.ere.periods import DUTCH_ZONE, period_of, quarter_of
from chargebook.ere.service.breakdown import EMPTY, Judged, QuarterBreakdown, breakdown
from chargebook.ere.service.context import stream_verdicts
from chargebook.ere.service.estimate import HIGH_PRICE_EUR_PER_ERE as HIGH_PRICE_EUR_PER_ERE
from chargebook.ere.service.estimate import LOW_PRICE_EUR_PER_ERE as LOW_PRICE_EUR_PER_ERE
from chargebook.ere.service.estimate import MandateEstimate, has_mandate, mandate_estimate
from chargebook.ere.service.rules_path import RulesPath, rules_path
from chargebook.ere.service.sql_path import invalid_mandates, micro_to_kwh, quarters_query


@dataclass(frozen=True, slots=True)
class QuarterCredits:
    period: DeliveryPeriod
    open: bool  # the quarter has not ended yet
    eligible_sessions: int
    eligible_energy_kwh: Decimal
    pending_ere: Decimal
    eligible_ere: Decimal
    registered_ere: Decimal
    paid_ere: Decimal
    paid_eur: Decimal
    awaiting_payout_eur: Decimal
    is_estimate: bool
    # Sessions and kWh per outcome and per reason held back, with the fixes (`breakdown.py`).
    breakdown: QuarterBreakdown = EMPTY


def recent_quarters(now: datetime, count: int) -> list[DeliveryPeriod]:
    """The current quarter and the `count - 1` before it, newest first."""
    period = quarter_of(now)
    found = [period]
    while len(found) < count:
        year, quarter = period.year, period.quarter or 1
        period = DeliveryPeriod(year - 1, 4) if quarter == 1 else DeliveryPeriod(year, quarter - 1)
        found.append(period)
    return found


@dataclass(frozen=True, slots=True)
class OwnerCredits:
    """What an owner sees of their EREs: recent quarters, statements, last year's estimate."""

    quarters: list[QuarterCredits]  # newest first
    statements: list[StoredStatement]  # the owner's own
    energy_kwh: Decimal  # plausible kWh of the last 365 days
    estimate: EarningsEstimate | None  # None without factors for this year
    totals: dict[str, Decimal]  # pending_ere, eligible_ere, registered_ere, paid_ere, paid_eur
    # Without a mandate for this year: what signing one would earn (`estimate.py`).
    mandate_estimate: MandateEstimate | None = None


def owner_credits(
    store: EreStore,
    owner_user_id: int,
    *,
    parameters: ParameterSet,
    now: datetime,
    shown_quarters: int = 4,
) -> OwnerCredits:
    """The owner's credits over the last `shown_quarters` quarters (their own statements
    only, whoever asks: an operator looking at their own page sees their own payouts)."""
    statements = store.statements.list(customer_id=owner_user_id)
    quarters = page_quarters(
        store,
        owner_user_id,
        recent_quarters(now, shown_quarters),
        statements,
        parameters=parameters,
        now=now,
    )
    start, end = last_year_window(now)
    energy = store.owner_energy_kwh(owner_user_id, start=start, end=end)
    unsigned = not has_mandate(store, owner_user_id, now.astimezone(DUTCH_ZONE).year)
    return OwnerCredits(
        quarters=quarters,
        statements=statements,
        energy_kwh=energy,
        estimate=yearly_estimate(energy, year=now.year, parameters=parameters),
        totals={
            name: sum((getattr(q, name) for q in quarters), Decimal(0))
            for name in ("pending_ere", "eligible_ere", "registered_ere", "paid_ere", "paid_eur")
        },
        mandate_estimate=(
            mandate_estimate(store, owner_user_id, parameters=parameters, now=now)
            if unsigned
            else None
        ),
    )


def quarter_credits(
    store: EreStore,
    customer_id: int,
    period: DeliveryPeriod,
    statements: list[StoredStatement],
    *,
    parameters: ParameterSet,
    now: datetime,
    path: RulesPath | None = None,
    invalid_mandate_ids: Sequence[int] | None = None,
) -> QuarterCredits:
    """One quarter of one customer (see the module docstring for the four states).

    `path`: the rules' path (None: `rules_path` chooses; tests force one to compare them).
    `invalid_mandate_ids`: `invalid_mandates(store, customer_id)`, computed once for a page
    of quarters (None: read here).
    """
    return page_quarters(
        store,
        customer_id,
        [period],
        statements,
        parameters=parameters,
        now=now,
        path=path,
        invalid_mandate_ids=invalid_mandate_ids,
    )[0]


def page_quarters(
    store: EreStore,
    customer_id: int,
    periods: Sequence[DeliveryPeriod],
    statements: list[StoredStatement],
    *,
    parameters: ParameterSet,
    now: datetime,
    path: RulesPath | None = None,
    invalid_mandate_ids: Sequence[int] | None = None,
) -> list[QuarterCredits]:
    """`quarter_credits` for each of `periods` (quarters), in their order. In SQL the
    consecutive quarters of a year share one statement (`quarters_query`), which judges each
    quarter exactly as a query of its own would."""
    if (path or rules_path(store)) is RulesPath.SQL:
        eligible = _eligible_in_sql(store, customer_id, periods, now, invalid_mandate_ids)
    else:
        eligible = {p: _eligible_streamed(store, customer_id, p, now) for p in periods}
    batches = store.batches.list()  # once for the page: a handful per quarter
    return [
        _quarter(
            store, customer_id, period, *eligible[period], statements, batches, parameters, now
        )
        for period in periods
    ]


def _quarter(
    store: EreStore,
    customer_id: int,
    period: DeliveryPeriod,
    per_ean: dict[str, Decimal],
    sessions: int,
    judged: list[Judged],
    statements: list[StoredStatement],
    batches: list[StoredBatch],
    parameters: ParameterSet,
    now: datetime,
) -> QuarterCredits:
    """A quarter's four states from its eligible kWh per EAN, its batches and statements."""
    customer = str(customer_id)
    estimate = False
    ere = Decimal(0)
    for energy in per_ean.values():
        try:
            amount = calculate_ere(energy, period.year, parameters)
        except ParametersError:
            continue  # no factors for the year yet: nothing to show
        ere += amount.ere
        estimate = estimate or amount.is_estimate
    registered = Decimal(0)
    for batch in batches:
        if batch.period == period and batch.status is BatchStatus.FINALIZED:
            lines = store.batches.lines(batch.id, customer_user_id=customer_id)
            registered += sum(
                (line.ere for line in lines if line.customer_id == customer), Decimal(0)
            )
    mine = [s for s in statements if s.period == period]
    paid = [s for s in mine if s.payout_status is PayoutStatus.PAID]
    paid_ere = sum((s.ere for s in paid), Decimal(0))
    start, end = period_bounds(period)
    is_open = now < end
    reasons = breakdown(
        period.year,
        judged,
        store.credits.registered(customer_id, start=start, end=end),
        store.credits.unlinked(customer_id, start=start, end=end),
    )
    return QuarterCredits(
        period=period,
        open=is_open,
        eligible_sessions=sessions,
        eligible_energy_kwh=sum(per_ean.values(), Decimal(0)),
        pending_ere=ere if is_open else Decimal(0),
        eligible_ere=Decimal(0) if is_open else ere,
        registered_ere=max(Decimal(0), registered - paid_ere),
        paid_ere=paid_ere,
        paid_eur=sum((s.payout_eur for s in paid), Decimal(0)),
        awaiting_payout_eur=sum(
            (s.payout_eur for s in mine if s.payout_status is PayoutStatus.PENDING), Decimal(0)
        ),
        is_estimate=estimate,
        breakdown=reasons,
    )


def runs_of_quarters(periods: Sequence[DeliveryPeriod]) -> list[list[DeliveryPeriod]]:
    """`periods` as runs of consecutive quarters of one year, each oldest first."""
    runs: list[list[DeliveryPeriod]] = []
    for period in sorted(set(periods), key=lambda p: (p.year, p.quarter or 0)):
        last = runs[-1][-1] if runs else None
        if (
            last is not None
            and last.year == period.year
            and last.quarter is not None
            and period.quarter == last.quarter + 1
        ):
            runs[-1].append(period)
        else:
            runs.append([period])
    return runs


def _eligible_in_sql(
    store: EreStore,
    customer_id: int,
    periods: Sequence[DeliveryPeriod],
    now: datetime,
    invalid_mandate_ids: Sequence[int] | None,
) -> dict[DeliveryPeriod, tuple[dict[str, Decimal], int, list[Judged]]]:
    """kWh per booking EAN and the count of the customer's eligible sessions per quarter, and
    the customer's verdict groups, in SQL: one statement per run of consecutive quarters of a
    year."""
    if invalid_mandate_ids is None:
        # The customer's own mandates are all its query joins (`invalid_mandates`).
        invalid_mandate_ids = invalid_mandates(store, customer_id)
    found: dict[DeliveryPeriod, tuple[dict[str, Decimal], int, list[Judged]]] = {}
    for run in runs_of_quarters(periods):
        query = quarters_query(
            store, run, now=now, customer_id=customer_id, invalid_mandate_ids=invalid_mandate_ids
        )
        micro: dict[DeliveryPeriod, dict[str, int]] = {p: defaultdict(int) for p in run}
        sessions = dict.fromkeys(run, 0)
        judged: dict[DeliveryPeriod, list[Judged]] = {p: [] for p in run}
        for group in store.eligibility_summary(query):
            if group.customer_id != customer_id:
                continue
            period = period_of(run[0].year, group.month, PeriodKind.QUARTER)
            judged[period].append(Judged(group.failures, group.sessions, group.net_micro_kwh))
            if group.first_reason is None:
                micro[period][group.booking_ean or ""] += group.net_micro_kwh
                sessions[period] += group.sessions
        for period in run:
            per_ean = {ean: micro_to_kwh(amount) for ean, amount in micro[period].items()}
            found[period] = per_ean, sessions[period], judged[period]
    return found


def _eligible_streamed(
    store: EreStore, customer_id: int, period: DeliveryPeriod, now: datetime
) -> tuple[dict[str, Decimal], int, list[Judged]]:
    """The same by the Python rules over every linked session of the quarter."""
    customer = str(customer_id)
    per_ean: dict[str, Decimal] = defaultdict(Decimal)
    sessions = 0
    judged: list[Judged] = []
    for verdict, _ in stream_verdicts(store, period, now=now):
        if verdict.customer_id != customer:
            continue
        net = int((verdict.net_energy_kwh * 1_000_000).to_integral_value())
        judged.append(Judged(tuple(code.value for code in verdict.failures), 1, net))
        if not verdict.failures:
            per_ean[verdict.booking_ean or ""] += verdict.net_energy_kwh
            sessions += 1
    return per_ean, sessions, judged


def yearly_estimate(
    energy_kwh_last_year: Decimal, *, year: int, parameters: ParameterSet
) -> EarningsEstimate | None:
    """What `energy_kwh_last_year` would earn in `year` (None without factors for the year)."""
    try:
        return estimate_earnings(
            energy_kwh_last_year,
            delivery_year=year,
            parameters=parameters,
            low_price_eur_per_ere=LOW_PRICE_EUR_PER_ERE,
            high_price_eur_per_ere=HIGH_PRICE_EUR_PER_ERE,
        )
    except ParametersError:
        return None


def last_year_window(now: datetime) -> tuple[datetime, datetime]:
    """[now - 365 days, now): the window the estimate's kWh come from."""
    return now - timedelta(days=365), now
