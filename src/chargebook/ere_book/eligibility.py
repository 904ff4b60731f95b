"""The eligibility report for a period: how many sessions pass, the kWh and estimated EREs
they would earn, and how many fail each rule (with a few example session ids per reason)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from chargebook.db.ere_store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.ere import BookingPolicy, ParameterSet, ReasonCode, calculate_ere
from chargebook.ere_book.context import stream_verdicts

EXAMPLES_PER_REASON = 5


@dataclass(frozen=True, slots=True)
class EligibilityReport:
    period: DeliveryPeriod
    evaluated: int
    eligible: int
    eligible_energy_kwh: Decimal
    estimated_ere: Decimal  # per customer x EAN, rounded once each (as a batch would)
    is_estimate: bool
    failures: dict[ReasonCode, int]  # every failure counts (a session may fail several rules)
    first_failures: dict[ReasonCode, int]  # the first failure of each ineligible session
    examples: dict[ReasonCode, list[int]] = field(default_factory=dict)  # book session ids


def eligibility_report(
    store: EreStore,
    period: DeliveryPeriod,
    *,
    parameters: ParameterSet,
    now: datetime,
    policy: BookingPolicy | None = None,
    service_provider_id: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> EligibilityReport:
    """Run every rule on every session of a linked charger delivered in `period`.

    Raises:
        ParametersError: no ERE parameters for the period's year (only with eligible kWh).
    """
    failures: Counter[ReasonCode] = Counter()
    first: Counter[ReasonCode] = Counter()
    examples: dict[ReasonCode, list[int]] = defaultdict(list)
    per_line: dict[tuple[str, str], Decimal] = defaultdict(Decimal)
    evaluated = eligible = 0
    for verdict, _digest in stream_verdicts(
        store, period, now=now, policy=policy, service_provider_id=service_provider_id
    ):
        evaluated += 1
        if progress is not None and evaluated % 10_000 == 0:
            progress(evaluated)
        if not verdict.failures:
            eligible += 1
            per_line[(verdict.customer_id or "", verdict.booking_ean or "")] += (
                verdict.net_energy_kwh
            )
            continue
        failures.update(verdict.failures)
        first[verdict.failures[0]] += 1
        bucket = examples[verdict.failures[0]]
        if len(bucket) < EXAMPLES_PER_REASON:
            bucket.append(int(verdict.session_id))
    if progress is not None:
        progress(evaluated)
    ere = Decimal(0)
    estimate = False
    for energy in per_line.values():
        amount = calculate_ere(energy, period.year, parameters)
        ere += amount.ere
        estimate = estimate or amount.is_estimate
    return EligibilityReport(
        period=period,
        evaluated=evaluated,
        eligible=eligible,
        eligible_energy_kwh=sum(per_line.values(), Decimal(0)),
        estimated_ere=ere,
        is_estimate=estimate,
        failures=dict(failures),
        first_failures=dict(first),
        examples=dict(examples),
    )
