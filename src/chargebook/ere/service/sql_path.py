"""The set-based path: the period's eligibility rules as one SQL query
(`chargebook.db.ere.eligibility`), parameterised here from the book and the policy.

The pure Python rules (`chargebook.ere.evaluate_sessions`, streamed by `context.py`) remain
the reference and explain single sessions; the services use this path for whole periods,
where it keeps every session row inside the database. Whether it applies is decided in
`rules_path.py` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time
from decimal import Decimal

from chargebook.db.ere.eligibility import VerdictQuery
from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod
from chargebook.ere import BookingPolicy, mandate_problems, period_bounds
from chargebook.ere.periods import quarter_months
from chargebook.ere.service.context import DEFAULT_MAX_CURRENT_A, OVERLAP_MARGIN

# The same slack as `EligibilityContext.max_power_slack`'s default.
MAX_POWER_SLACK = Decimal("0.02")
_ONE = Decimal(1)


def micro_to_kwh(micro_kwh: int) -> Decimal:
    """An exact micro-kWh integer from the query as kWh, without trailing zeros (10, 10.5)."""
    kwh = Decimal(int(micro_kwh)).scaleb(-6).normalize()
    return kwh.quantize(_ONE) if kwh.as_tuple().exponent > 0 else kwh  # type: ignore[operator]


def invalid_mandates(store: EreStore, customer_id: int | None = None) -> list[int]:
    """Ids of the mandates `chargebook.ere.mandate_problems` finds incomplete: every mandate
    (a few hundred rows), or `customer_id`'s only, which is all a query for that customer
    needs (its mandate join keeps to the customer's own mandates)."""
    mandates = store.mandates.list(customer_user_id=customer_id)
    return [stored.id for stored in mandates if mandate_problems(stored.mandate)]


def verdict_query(
    store: EreStore,
    period: DeliveryPeriod,
    *,
    now: datetime,
    policy: BookingPolicy | None = None,
    service_provider_id: str | None = None,
    customer_id: int | None = None,
    invalid_mandate_ids: Sequence[int] | None = None,
) -> VerdictQuery:
    """The query's parameters for `period`: UTC month starts (local calendar), the overlap
    scan margin, the deadline verdict and the ids of incomplete mandates (judged by
    `chargebook.ere.mandate_problems`, a few rows); `customer_id` limits it to that
    customer's chargers. `invalid_mandate_ids`: `invalid_mandates(store)` computed once by a
    caller that builds several queries (None: computed here)."""
    policy = policy or BookingPolicy()
    start, end = period_bounds(period, policy.zone)
    months = range(1, 13) if period.quarter is None else quarter_months(period.quarter)
    month_starts = [
        (
            datetime.combine(date(period.year, m, 1), time(0), tzinfo=policy.zone).astimezone(UTC),
            m,
        )
        for m in months
    ]
    assert month_starts[0][0] == start
    invalid = invalid_mandates(store) if invalid_mandate_ids is None else list(invalid_mandate_ids)
    return VerdictQuery(
        year=period.year,
        month_starts=month_starts,
        ended_until=end,
        scan_from=start - OVERLAP_MARGIN,
        year_open=policy.is_open(period.year, now),
        invalid_mandate_ids=invalid,
        service_provider_id=service_provider_id,
        default_max_current_a=DEFAULT_MAX_CURRENT_A,
        slack=MAX_POWER_SLACK,
        customer_id=customer_id,
    )


def quarters_query(
    store: EreStore,
    quarters: Sequence[DeliveryPeriod],
    *,
    now: datetime,
    customer_id: int | None = None,
    invalid_mandate_ids: Sequence[int] | None = None,
) -> VerdictQuery:
    """One query for consecutive quarters of one year, oldest first: each quarter judged as
    `verdict_query` would judge it alone (the overlap rule within the quarter and its margin,
    `VerdictQuery.part_starts`); a verdict's quarter follows from its month.

    Raises:
        ValueError: the quarters are not consecutive quarters of one year.
    """
    numbers = [q.quarter for q in quarters]
    first = quarters[0] if quarters else None
    if (
        first is None
        or first.quarter is None
        or any(q.year != first.year for q in quarters)
        or numbers != list(range(first.quarter, first.quarter + len(quarters)))
    ):
        raise ValueError(f"not consecutive quarters of one year: {list(quarters)}")
    invalid = invalid_mandates(store) if invalid_mandate_ids is None else list(invalid_mandate_ids)
    parts = [
        verdict_query(store, q, now=now, customer_id=customer_id, invalid_mandate_ids=invalid)
        for q in quarters
    ]
    return replace(
        parts[0],
        month_starts=[month for part in parts for month in part.month_starts],
        ended_until=parts[-1].ended_until,
        part_starts=[part.month_starts[0][0] for part in parts[1:]],
    )
