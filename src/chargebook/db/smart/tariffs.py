"""Owners' tariff periods in the book: rows in, `domain.tariffs` periods out.

The caller owns the transaction (add and flush only).
"""

from __future__ import annotations

from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from chargebook.clock import ensure_utc
from chargebook.db.smart.tables import OwnerTariffRow
from chargebook.domain.tariffs import (
    DayNightTariff,
    DynamicTariff,
    FixedTariff,
    LowHours,
    Tariff,
    TariffKind,
    TariffPeriod,
)


def _tariff(row: OwnerTariffRow) -> Tariff:
    # The table's check constraint guarantees the figures of the row's kind are there.
    kind = TariffKind(row.kind)
    if kind is TariffKind.FIXED:
        assert row.price_eur_per_kwh is not None
        return FixedTariff(row.price_eur_per_kwh)
    if kind is TariffKind.DYNAMIC:
        assert row.supplier_surcharge_eur_per_kwh is not None
        assert row.energy_tax_eur_per_kwh is not None
        assert row.vat_rate is not None
        return DynamicTariff(
            row.supplier_surcharge_eur_per_kwh, row.energy_tax_eur_per_kwh, row.vat_rate
        )
    assert row.normal_eur_per_kwh is not None
    assert row.low_eur_per_kwh is not None
    hours = LowHours(
        time.fromisoformat(row.low_from or "23:00"),
        time.fromisoformat(row.low_until or "07:00"),
        weekends=bool(row.low_weekends) if row.low_weekends is not None else True,
        holidays=bool(row.low_holidays) if row.low_holidays is not None else True,
    )
    return DayNightTariff(row.normal_eur_per_kwh, row.low_eur_per_kwh, hours)


def _fill(row: OwnerTariffRow, tariff: Tariff) -> None:
    row.kind = tariff.kind.value
    row.price_eur_per_kwh = row.supplier_surcharge_eur_per_kwh = None
    row.energy_tax_eur_per_kwh = row.vat_rate = None
    row.normal_eur_per_kwh = row.low_eur_per_kwh = None
    row.low_from = row.low_until = None
    row.low_weekends = row.low_holidays = None
    if isinstance(tariff, FixedTariff):
        row.price_eur_per_kwh = tariff.price_eur_per_kwh
    elif isinstance(tariff, DynamicTariff):
        row.supplier_surcharge_eur_per_kwh = tariff.supplier_surcharge_eur_per_kwh
        row.energy_tax_eur_per_kwh = tariff.energy_tax_eur_per_kwh
        row.vat_rate = tariff.vat_rate
    else:
        row.normal_eur_per_kwh = tariff.normal_eur_per_kwh
        row.low_eur_per_kwh = tariff.low_eur_per_kwh
        row.low_from = f"{tariff.low_hours.start:%H:%M}"
        row.low_until = f"{tariff.low_hours.end:%H:%M}"
        row.low_weekends = tariff.low_hours.weekends
        row.low_holidays = tariff.low_hours.holidays


class TariffRepository:
    """An owner's tariff periods; one period per (owner, start): setting it again replaces it."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def periods(self, user_id: int) -> list[TariffPeriod]:
        """The owner's periods, oldest first."""
        rows = self._session.scalars(
            select(OwnerTariffRow)
            .where(OwnerTariffRow.user_id == user_id)
            .order_by(OwnerTariffRow.valid_from)
        )
        return [TariffPeriod(row.valid_from, _tariff(row)) for row in rows]

    def put(
        self, user_id: int, valid_from: datetime, tariff: Tariff, *, now: datetime
    ) -> TariffPeriod:
        """Store `tariff` from `valid_from` on (replacing a period that starts then)."""
        valid_from = ensure_utc(valid_from)
        row = self._session.scalars(
            select(OwnerTariffRow).where(
                OwnerTariffRow.user_id == user_id, OwnerTariffRow.valid_from == valid_from
            )
        ).one_or_none()
        if row is None:
            row = OwnerTariffRow(user_id=user_id, valid_from=valid_from)
            self._session.add(row)
        _fill(row, tariff)
        row.created_at = now
        self._session.flush()
        return TariffPeriod(valid_from, _tariff(row))
