"""Errors of the ERE core. All are permanent: retrying the same input gives the same answer.

ChargebookError
 └── EreError
      ├── InvalidEanError          an EAN failed a check (`failed_check` says which)
      ├── ParametersError          the parameter file is missing, malformed, or lacks a year
      ├── MandateConflictError     two service providers hold mandates for one EAN and year
      ├── MeterReadingsError       a SAP/connection meter CSV line is wrong (`line_number`)
      ├── SessionOrderError        sessions of one charger arrived out of start order
      └── SapReconciliationError   meter readings do not cover the requested period
"""

from __future__ import annotations

from chargebook.errors import ChargebookError


class EreError(ChargebookError):
    """Base of every error raised by `chargebook.ere`."""

    retryable = False


class InvalidEanError(EreError):
    """An EAN code failed validation; `failed_check` is `length`, `digits`, `prefix` or
    `check_digit`."""

    def __init__(self, ean: str, failed_check: str, detail: str) -> None:
        self.ean = ean
        self.failed_check = failed_check
        super().__init__(f"EAN {ean!r} is invalid ({failed_check}): {detail}")


class ParametersError(EreError):
    """The ERE parameter data is missing, malformed, or has no entry for a delivery year."""


class MandateConflictError(EreError):
    """More than one service provider holds a mandate for the same EAN in the same year."""

    def __init__(self, ean: str, year: int, provider_ids: tuple[str, ...]) -> None:
        self.ean = ean
        self.year = year
        self.provider_ids = provider_ids
        providers = ", ".join(provider_ids)
        super().__init__(
            f"EAN {ean} has mandates with {len(provider_ids)} service providers in {year} "
            f"({providers}); the scheme allows one per EAN per calendar year"
        )


class MeterReadingsError(EreError):
    """A meter-readings CSV could not be parsed; `line_number` is 1-based (header = 1)."""

    def __init__(self, line_number: int, reason: str) -> None:
        self.line_number = line_number
        self.reason = reason
        super().__init__(f"meter readings line {line_number}: {reason}")


class SessionOrderError(EreError):
    """Sessions of one charger must arrive ordered by start time (for the overlap check)."""


class SapReconciliationError(EreError):
    """Meter readings do not reach the start or end of the requested period."""
