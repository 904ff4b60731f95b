"""Vocabulary of the Dutch ERE scheme: metering constructs, grid connections, mandates.

These are the facts the operator records (historised, half-open validity); the decisions made
from them live in `chargebook.ere`. Datetimes are UTC-aware; calendar years are Dutch years.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class MeteringKind(StrEnum):
    """How the energy a charger delivers is measured for ERE purposes."""

    INTEGRATED_MID = "integrated_mid"  # MID meter built into the charger
    SAP = "sap"  # secondary allocation point: extra EAN + meter used only for charging
    DEDICATED_CONNECTION = "dedicated_connection"  # a grid connection used only for charging
    NONE = "none"  # nothing that qualifies

    @property
    def is_external(self) -> bool:
        """A meter outside the charger (a SAP's meter, the connection's meter): for a private
        customer it does not count (ere-rules §3.4)."""
        return self in (MeteringKind.SAP, MeteringKind.DEDICATED_CONNECTION)


class CustomerKind(StrEnum):
    """Who the connected party is: for a private customer only a MID meter built into the
    charger counts; a separate MID meter (SAP, dedicated connection) only for a business."""

    PRIVATE = "private"
    BUSINESS = "business"


@dataclass(frozen=True, slots=True)
class MeteringConstruct:
    """One charger's metering construct, valid in the half-open [valid_from, valid_until).

    `mid_serial` is the serial of the MID meter (inside the charger for `integrated_mid`, the
    SAP's meter for `sap`); `sap_ean` is the SAP's own EAN. `valid_until=None` means open-ended.
    `from_first_mid_session`: a MID meter that was there all along (detection): the construct
    counts from the charger's first MID-metered session if that is earlier than `valid_from`
    (`chargebook.ere.metering.effective_constructs`).
    """

    charger_external_id: str
    kind: MeteringKind
    valid_from: datetime
    valid_until: datetime | None = None
    mid_serial: str | None = None
    sap_ean: str | None = None
    from_first_mid_session: bool = False

    @property
    def qualifies(self) -> bool:
        """Whether this kind of construct can carry ERE bookings at all."""
        return self.kind is not MeteringKind.NONE

    def covers(self, start: datetime, end: datetime) -> bool:
        """Whether the whole interval [start, end) lies inside this construct's validity."""
        if start < self.valid_from:
            return False
        return self.valid_until is None or end <= self.valid_until


@dataclass(frozen=True, slots=True)
class Address:
    """A Dutch postal address of a grid connection."""

    street: str
    house_number: str
    postal_code: str
    city: str
    country_code: str = "NL"


@dataclass(frozen=True, slots=True)
class GridConnection:
    """A customer's grid connection; the customer is its connected party (aangeslotene)."""

    ean: str  # 18 digits, validated by chargebook.ere.ean.validate_ean
    address: Address
    customer_id: str
    connected_party_name: str
    customer_kind: CustomerKind = CustomerKind.PRIVATE


@dataclass(frozen=True, slots=True)
class Mandate:
    """A customer's mandate (machtiging) to one service provider for one EAN.

    Valid for the whole calendar years `first_year`..`last_year` (inclusive): the scheme allows
    no part-year mandates and no silent renewal.
    """

    mandate_id: str
    customer_id: str
    ean: str
    service_provider_id: str
    first_year: int
    last_year: int
    consent_grid_operator_data: bool  # NEa may request connection data from the grid operator
    consent_verifier_visit: bool  # the provider's verifier may inspect the charging location
    signed_by_name: str
    signed_on: date

    def covers_year(self, year: int) -> bool:
        """Whether calendar year `year` lies inside the mandate's years."""
        return self.first_year <= year <= self.last_year


class PeriodKind(StrEnum):
    """How deliveries are grouped into batch lines and statements."""

    QUARTER = "quarter"
    YEAR = "year"


@dataclass(frozen=True, slots=True)
class DeliveryPeriod:
    """A calendar year or one of its quarters (Dutch local time); `quarter=None` is the year."""

    year: int
    quarter: int | None = None

    @property
    def label(self) -> str:
        """`2026` or `2026-Q3`."""
        return str(self.year) if self.quarter is None else f"{self.year}-Q{self.quarter}"

    @property
    def sort_key(self) -> tuple[int, int]:
        """Year first, the whole year before its quarters."""
        return (self.year, self.quarter or 0)
