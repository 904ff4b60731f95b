"""SAP (or dedicated-connection) meter readings: import from CSV and cross-check each quarter
the readings cover against the sessions of the chargers behind that meter (2 % tolerance)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from chargebook.db.ere.store import EreStore
from chargebook.domain.ere import DeliveryPeriod, MeteringKind
from chargebook.ere import (
    MeterReading,
    Reconciliation,
    SapReconciliationError,
    meter_quantity,
    parse_meter_readings,
    period_bounds,
    reconcile,
    validate_ean,
)
from chargebook.ere.periods import quarter_of
from chargebook.ere.sap import DEFAULT_TOLERANCE


@dataclass(frozen=True, slots=True)
class QuarterCheck:
    period: DeliveryPeriod
    session_count: int
    reconciliation: Reconciliation


@dataclass(frozen=True, slots=True)
class SapImport:
    ean: str
    readings_in_file: int
    readings_added: int
    charger_ids: tuple[int, ...]  # chargers metered by this EAN
    checks: tuple[QuarterCheck, ...]  # quarters the readings fully cover


def metered_chargers(store: EreStore, ean: str) -> list[int]:
    """Chargers whose construct history names `ean` as their SAP, or that have a
    dedicated-connection construct behind the connection with this EAN."""
    links = store.connections.charger_links()
    connection_eans = {stored.id: stored.connection.ean for stored in store.connections.list()}
    found: set[int] = set()
    for charger_id, constructs in store.metering.constructs_by_charger().items():
        for construct in constructs:
            if construct.kind is MeteringKind.SAP and construct.sap_ean == ean:
                found.add(charger_id)
            if (
                construct.kind is MeteringKind.DEDICATED_CONNECTION
                and connection_eans.get(links.get(charger_id, -1)) == ean
            ):
                found.add(charger_id)
    return sorted(found)


def import_sap_readings(
    store: EreStore, ean: str, csv_text: str, *, tolerance: Decimal = DEFAULT_TOLERANCE
) -> SapImport:
    """Store the CSV's readings for `ean` and cross-check every covered quarter.

    Raises:
        InvalidEanError: the EAN fails a check.
        MeterReadingsError: the CSV is malformed (line number and problem).
        ConflictError: a stored reading at the same time has another register value.
    """
    ean = validate_ean(ean)
    parsed = parse_meter_readings(csv_text)
    digest = hashlib.sha256(csv_text.encode("utf-8")).hexdigest()
    added = store.metering.import_readings(ean, [(r.at, r.register_kwh) for r in parsed], digest)
    readings = [MeterReading(at, kwh) for at, kwh in store.metering.readings(ean)]
    chargers = metered_chargers(store, ean)
    checks: list[QuarterCheck] = []
    for period in _quarters(readings):
        start, end = period_bounds(period)
        try:
            quantity = meter_quantity(readings, start, end)
        except SapReconciliationError:
            continue  # the readings do not reach both ends of this quarter
        count, energy = store.sessions_energy(chargers, ended_from=start, ended_until=end)
        checks.append(
            QuarterCheck(period, count, reconcile(quantity.energy_kwh, energy, tolerance))
        )
    store.audit.append(
        actor="ere",
        action="ere_sap.imported",
        entity_type="ere_meter",
        entity_id=ean,
        payload={"file_sha256": digest, "readings": len(parsed), "added": added},
    )
    return SapImport(ean, len(parsed), added, tuple(chargers), tuple(checks))


def _quarters(readings: list[MeterReading]) -> list[DeliveryPeriod]:
    if not readings:
        return []
    first, last = quarter_of(readings[0].at), quarter_of(readings[-1].at)
    periods: list[DeliveryPeriod] = []
    year, quarter = first.year, first.quarter or 1
    while (year, quarter) <= (last.year, last.quarter or 1):
        periods.append(DeliveryPeriod(year, quarter))
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return periods
