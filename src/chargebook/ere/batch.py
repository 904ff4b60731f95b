"""Registration batches: one line per customer, booking EAN and delivery period.

`BatchBuilder` aggregates incrementally (feed it a stream of eligibility results, or
pre-aggregated SQL rows through `add_quantity`); only the lines and, optionally, the session
ids stay in memory. Each line's EREs are rounded once from its total kWh (see
`chargebook.ere.calculator`); batch totals are sums of the lines.

Lines metered by a SAP or a dedicated connection book the meter's figure for the period, which
the caller supplies (`chargebook.ere.sap.meter_quantity`); the sessions' kWh are the
cross-check, flagged above the tolerance.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from chargebook.domain.ere import DeliveryPeriod, Mandate, MeteringKind, PeriodKind
from chargebook.ere.calculator import calculate_ere
from chargebook.ere.eligibility import SessionEligibility
from chargebook.ere.exceptions import EreError, SapReconciliationError
from chargebook.ere.parameters import ParameterSet
from chargebook.ere.periods import DUTCH_ZONE, period_bounds, quarter_of_month
from chargebook.ere.sap import DEFAULT_TOLERANCE, Reconciliation, reconcile

LineKey = tuple[str, str, DeliveryPeriod]  # customer id, booking EAN, period
_ZERO = Decimal(0)
_READINGS_KINDS = frozenset({MeteringKind.SAP, MeteringKind.DEDICATED_CONNECTION})


class DuplicateSessionError(EreError):
    """A session was offered to a batch twice; a session belongs to exactly one line."""


@dataclass(frozen=True, slots=True)
class BatchLine:
    """What a registration needs per customer and EAN: kWh, period, mandate, EREs."""

    customer_id: str
    ean: str
    period: DeliveryPeriod
    delivery_start: datetime  # UTC, inclusive
    delivery_end: datetime  # UTC, exclusive
    metering_kind: MeteringKind
    energy_kwh: Decimal  # booked: MID sessions' sum, or the SAP/connection meter figure
    sessions_energy_kwh: Decimal
    energy_kwh_by_month: tuple[tuple[str, Decimal], ...]  # ("2026-01", kWh) from sessions
    session_count: int
    session_ids: tuple[str, ...]  # sorted; empty when fed pre-aggregated
    mandate_id: str
    mandate_signed_on: date
    mandate_first_year: int
    mandate_last_year: int
    ere_exact: Decimal
    ere: Decimal  # rounded to 0.1 ERE, once, from energy_kwh
    is_estimate: bool
    reconciliation: Reconciliation | None = None


@dataclass(frozen=True, slots=True)
class Batch:
    period_kind: PeriodKind
    parameter_version: str
    lines: tuple[BatchLine, ...]
    total_energy_kwh: Decimal
    total_ere: Decimal
    session_count: int
    skipped_ineligible: int


@dataclass(slots=True)
class _Accumulator:
    mandate: Mandate
    metering_kind: MeteringKind
    energy_kwh: Decimal = Decimal(0)
    session_count: int = 0
    by_month: dict[tuple[int, int], Decimal] = field(default_factory=dict)
    session_ids: list[str] = field(default_factory=list)


class BatchBuilder:
    """Collects eligible quantities into batch lines; call `build` once at the end."""

    def __init__(
        self,
        *,
        period_kind: PeriodKind,
        parameters: ParameterSet,
        keep_session_ids: bool = True,
    ) -> None:
        self._period_kind = period_kind
        self._parameters = parameters
        self._keep_ids = keep_session_ids
        self._lines: dict[tuple[str, str, int, int], _Accumulator] = {}
        self._seen: set[str] = set()
        self._skipped = 0

    def add(self, result: SessionEligibility) -> bool:
        """Add one session's verdict; ineligible ones are counted and skipped.

        Returns:
            True when the session was added to a line.

        Raises:
            DuplicateSessionError: the session id was added before.
        """
        if result.failures or result.mandate is None or result.booking_ean is None:
            self._skipped += 1
            return False
        if self._keep_ids:
            if result.session_id in self._seen:
                raise DuplicateSessionError(f"session {result.session_id} added to a batch twice")
            self._seen.add(result.session_id)
        self._add(
            result.customer_id or "",
            result.booking_ean,
            result.delivery_year,
            result.delivery_month,
            result.net_energy_kwh,
            1,
            result.mandate,
            result.metering_kind or MeteringKind.INTEGRATED_MID,
            result.session_id if self._keep_ids else None,
        )
        return True

    def add_all(self, results: Iterable[SessionEligibility]) -> None:
        """`add` every result of a stream."""
        for result in results:
            self.add(result)

    def add_quantity(
        self,
        *,
        customer_id: str,
        ean: str,
        year: int,
        month: int,
        energy_kwh: Decimal,
        session_count: int,
        mandate: Mandate,
        metering_kind: MeteringKind = MeteringKind.INTEGRATED_MID,
    ) -> None:
        """Add a pre-aggregated quantity (e.g. an SQL `GROUP BY customer, ean, month` row of
        already eligible sessions)."""
        self._add(
            customer_id, ean, year, month, energy_kwh, session_count, mandate, metering_kind, None
        )

    def _add(
        self,
        customer_id: str,
        ean: str,
        year: int,
        month: int,
        energy_kwh: Decimal,
        count: int,
        mandate: Mandate,
        kind: MeteringKind,
        session_id: str | None,
    ) -> None:
        # Primitive keys hash fast; the DeliveryPeriod is made once per line in `build`.
        sub = 0 if self._period_kind is PeriodKind.YEAR else quarter_of_month(month)
        key = (customer_id, ean, year, sub)
        acc = self._lines.get(key)
        if acc is None:
            acc = self._lines[key] = _Accumulator(mandate, kind)
        elif kind in _READINGS_KINDS:
            acc.metering_kind = kind  # any meter-read session makes the line meter-read
        acc.energy_kwh += energy_kwh
        acc.session_count += count
        acc.by_month[(year, month)] = acc.by_month.get((year, month), _ZERO) + energy_kwh
        if session_id is not None:
            acc.session_ids.append(session_id)

    def build(
        self,
        *,
        meter_energy_kwh: Mapping[LineKey, Decimal] | None = None,
        tolerance: Decimal = DEFAULT_TOLERANCE,
    ) -> Batch:
        """Close the lines: compute EREs per line and the totals.

        Args:
            meter_energy_kwh: the meter figure per line key for SAP/dedicated-connection lines.
            tolerance: fraction above which meter and sessions disagree (flagged, not fatal).

        Raises:
            SapReconciliationError: a SAP/dedicated-connection line has no meter figure.
            ParametersError: a delivery year has no parameters.
        """
        meters = meter_energy_kwh or {}
        lines: list[BatchLine] = []
        for raw_key in sorted(self._lines):
            customer_id, ean, year, sub = raw_key
            acc = self._lines[raw_key]
            period = DeliveryPeriod(year, sub or None)
            key = (customer_id, ean, period)
            booked = acc.energy_kwh
            check: Reconciliation | None = None
            if acc.metering_kind in _READINGS_KINDS:
                if key not in meters:
                    raise SapReconciliationError(
                        f"line {customer_id}/{ean}/{period.label} is metered by "
                        f"{acc.metering_kind}: supply the meter's kWh for the period"
                    )
                booked = meters[key]
                check = reconcile(booked, acc.energy_kwh, tolerance)
            amount = calculate_ere(booked, period.year, self._parameters)
            start, end = period_bounds(period, DUTCH_ZONE)
            lines.append(
                BatchLine(
                    customer_id=customer_id,
                    ean=ean,
                    period=period,
                    delivery_start=start,
                    delivery_end=end,
                    metering_kind=acc.metering_kind,
                    energy_kwh=booked,
                    sessions_energy_kwh=acc.energy_kwh,
                    energy_kwh_by_month=tuple(
                        (f"{y:04d}-{m:02d}", kwh) for (y, m), kwh in sorted(acc.by_month.items())
                    ),
                    session_count=acc.session_count,
                    session_ids=tuple(sorted(acc.session_ids)),
                    mandate_id=acc.mandate.mandate_id,
                    mandate_signed_on=acc.mandate.signed_on,
                    mandate_first_year=acc.mandate.first_year,
                    mandate_last_year=acc.mandate.last_year,
                    ere_exact=amount.ere_exact,
                    ere=amount.ere,
                    is_estimate=amount.is_estimate,
                    reconciliation=check,
                )
            )
        return Batch(
            period_kind=self._period_kind,
            parameter_version=self._parameters.version,
            lines=tuple(lines),
            total_energy_kwh=sum((line.energy_kwh for line in lines), Decimal(0)),
            total_ere=sum((line.ere for line in lines), Decimal(0)),
            session_count=sum(line.session_count for line in lines),
            skipped_ineligible=self._skipped,
        )
