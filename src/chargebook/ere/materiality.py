"""The verifier's 2 % quantitative materiality (ere-rules.md §6), applied before an evidence
pack leaves: each figure the pack books is compared with an independent figure for the same
energy, and a difference above 2 % of the reference blocks the year-end.

One comparison rule: `sap.reconcile` (|reference - booked| / reference > tolerance; a zero
reference with any booked energy is flagged). This module names the comparisons.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from chargebook.ere.sap import DEFAULT_TOLERANCE, reconcile


@dataclass(frozen=True, slots=True)
class MaterialityCheck:
    """One booked figure against its reference."""

    batch_id: int
    line_id: int | None  # None for a batch-wide comparison
    ean: str | None
    what: str  # what is compared, in words
    booked_kwh: Decimal
    reference_kwh: Decimal
    deviation: Decimal | None  # |reference - booked| / reference; None when reference is 0
    tolerance: Decimal
    blocking: bool

    @property
    def deviation_percent(self) -> str:
        """The deviation as "2.10 %" ("n/a" against a zero reference)."""
        if self.deviation is None:
            return "n/a"
        return f"{(self.deviation * 100).quantize(Decimal('0.01'))} %"


def check_figure(
    *,
    batch_id: int,
    line_id: int | None,
    ean: str | None,
    what: str,
    booked_kwh: Decimal,
    reference_kwh: Decimal,
    tolerance: Decimal = DEFAULT_TOLERANCE,
) -> MaterialityCheck:
    """Compare `booked_kwh` with `reference_kwh`; blocking above `tolerance` (default 2 %)."""
    result = reconcile(reference_kwh, booked_kwh, tolerance)
    return MaterialityCheck(
        batch_id=batch_id,
        line_id=line_id,
        ean=ean,
        what=what,
        booked_kwh=booked_kwh,
        reference_kwh=reference_kwh,
        deviation=result.difference_ratio,
        tolerance=tolerance,
        blocking=result.flagged,
    )
