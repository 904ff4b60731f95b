"""The eligibility report for a period: how many sessions pass, the kWh and estimated EREs
they would earn, and how many fail each rule (with a few example session ids per reason).

`eligibility_report` runs the rules in the database (`sql_path`, flat memory, no session row
through Python); `eligibility_report_streamed` runs the pure Python rules over a stream of the
sessions: the reference, and the fallback when the SQL path does not apply."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.ere import BookingPolicy, ParameterSet, ReasonCode, calculate_ere
from chargebook.ere.service.context import stream_verdicts
from chargebook.ere.service.rules_path import RulesPath, rules_path
from chargebook.ere.service.sql_path import micro_to_kwh, verdict_query

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
    """Run every rule on every session of a linked charger delivered in `period`, in the
    database (one grouped query, plus one for the examples when some sessions fail).

    Raises:
        ParametersError: no ERE parameters for the period's year (only with eligible kWh).
    """
    if rules_path(store) is RulesPath.PYTHON:
        return eligibility_report_streamed(
            store,
            period,
            parameters=parameters,
            now=now,
            policy=policy,
            service_provider_id=service_provider_id,
            progress=progress,
        )
    query = verdict_query(
        store, period, now=now, policy=policy, service_provider_id=service_provider_id
    )
    failures: Counter[ReasonCode] = Counter()
    first: Counter[ReasonCode] = Counter()
    per_line: dict[tuple[int, str], int] = defaultdict(int)
    evaluated = eligible = 0
    for group in store.eligibility_summary(query):
        evaluated += group.sessions
        if group.first_reason is None:
            eligible += group.sessions
            per_line[(group.customer_id, group.booking_ean)] += group.net_micro_kwh
            continue
        first[ReasonCode(group.first_reason)] += group.sessions
        for code in group.failures:
            failures[ReasonCode(code)] += group.sessions
    if progress is not None:
        progress(evaluated)
    examples = (
        {
            ReasonCode(reason): ids
            for reason, ids in store.failing_examples(query, EXAMPLES_PER_REASON).items()
        }
        if first
        else {}
    )
    energies = [micro_to_kwh(micro) for micro in per_line.values()]
    ere = Decimal(0)
    estimate = False
    for energy in energies:
        amount = calculate_ere(energy, period.year, parameters)
        ere += amount.ere
        estimate = estimate or amount.is_estimate
    return EligibilityReport(
        period=period,
        evaluated=evaluated,
        eligible=eligible,
        eligible_energy_kwh=sum(energies, Decimal(0)),
        estimated_ere=ere,
        is_estimate=estimate,
        failures=dict(failures),
        first_failures=dict(first),
        examples=examples,
    )


def eligibility_report_streamed(
    store: EreStore,
    period: DeliveryPeriod,
    *,
    parameters: ParameterSet,
    now: datetime,
    policy: BookingPolicy | None = None,
    service_provider_id: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> EligibilityReport:
    """`eligibility_report` by the pure Python rules over a stream of the sessions.

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
