"""Tables of smart charging: the day-ahead price cache (market prices; the all-in column is the
default tariff's, which no owner's figure reads), repeating weekday plans per charger, the
per-session savings history and owners' tariff periods. Imported by `chargebook.db.schema`,
so `Base.metadata` stays the whole schema.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Float,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from chargebook.db.core.base import Base, EnergyKwh, Money
from chargebook.db.core.types import ExactDecimal, UTCDateTime

# EUR/kWh with 8 decimals: market prices have 5, an all-in price after VAT a few more.
PricePerKwh = ExactDecimal(15, 8)


class PriceSlotRow(Base):
    """One 15-minute UTC slot of one price source (market and all-in EUR/kWh kept apart)."""

    __tablename__ = "price_slots"

    source: Mapped[str] = mapped_column(String(40), primary_key=True)
    slot_start: Mapped[datetime] = mapped_column(UTCDateTime(), primary_key=True)
    market_eur_per_kwh: Mapped[Decimal] = mapped_column(PricePerKwh)
    all_in_eur_per_kwh: Mapped[Decimal] = mapped_column(PricePerKwh)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime())


class SmartPlanRow(Base):
    """A repeating weekday plan: weekdays "0,1,4" (0 = Monday), departure "HH:MM" local."""

    __tablename__ = "smart_plans"
    __table_args__ = (
        CheckConstraint("(energy_kwh IS NULL) <> (target_soc_pct IS NULL)", name="one_goal"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    charger_id: Mapped[int] = mapped_column(
        ForeignKey("chargers.id", ondelete="CASCADE"), index=True
    )
    weekdays: Mapped[str] = mapped_column(String(20))
    departure: Mapped[str] = mapped_column(String(5))
    time_zone: Mapped[str] = mapped_column(String(64))
    energy_kwh: Mapped[Decimal | None] = mapped_column(EnergyKwh)
    target_soc_pct: Mapped[float | None] = mapped_column(Float)
    capacity_kwh: Mapped[float | None] = mapped_column(Float)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Migration 0007: how the plan charges (domain.prices.Strategy values).
    strategy: Mapped[str] = mapped_column(String(20), server_default="cheapest")
    price_cap_eur_per_kwh: Mapped[Decimal | None] = mapped_column(PricePerKwh)
    min_block_minutes: Mapped[int] = mapped_column(Integer, server_default="0")


class SmartSavingRow(Base):
    """What smart charging saved on one plugged-in period (EUR, all-in prices)."""

    __tablename__ = "smart_savings"
    __table_args__ = (UniqueConstraint("charger_id", "plugged_in_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    charger_id: Mapped[int] = mapped_column(ForeignKey("chargers.id", ondelete="CASCADE"))
    plugged_in_at: Mapped[datetime] = mapped_column(UTCDateTime())
    unplugged_at: Mapped[datetime] = mapped_column(UTCDateTime())
    energy_kwh: Mapped[Decimal] = mapped_column(EnergyKwh)
    actual_cost_eur: Mapped[Decimal] = mapped_column(Money)
    charge_now_cost_eur: Mapped[Decimal] = mapped_column(Money)
    saving_eur: Mapped[Decimal] = mapped_column(Money)
    cost_complete: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class OwnerTariffRow(Base):
    """One period of an owner's tariff: `kind` with its figures, from `valid_from` (UTC) on.

    Only the columns of its kind are set (the check says which); a later period ends it.
    """

    __tablename__ = "owner_tariffs"
    __table_args__ = (
        UniqueConstraint("user_id", "valid_from"),
        CheckConstraint("kind IN ('fixed', 'dynamic', 'day_night')", name="kind"),
        CheckConstraint(
            "(kind <> 'fixed' OR price_eur_per_kwh IS NOT NULL)"
            " AND (kind <> 'dynamic' OR (supplier_surcharge_eur_per_kwh IS NOT NULL"
            " AND energy_tax_eur_per_kwh IS NOT NULL AND vat_rate IS NOT NULL))"
            " AND (kind <> 'day_night' OR (normal_eur_per_kwh IS NOT NULL"
            " AND low_eur_per_kwh IS NOT NULL))",
            name="figures_of_kind",
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime())
    kind: Mapped[str] = mapped_column(String(20))
    price_eur_per_kwh: Mapped[Decimal | None] = mapped_column(PricePerKwh)
    supplier_surcharge_eur_per_kwh: Mapped[Decimal | None] = mapped_column(PricePerKwh)
    energy_tax_eur_per_kwh: Mapped[Decimal | None] = mapped_column(PricePerKwh)
    vat_rate: Mapped[Decimal | None] = mapped_column(PricePerKwh)
    normal_eur_per_kwh: Mapped[Decimal | None] = mapped_column(PricePerKwh)
    low_eur_per_kwh: Mapped[Decimal | None] = mapped_column(PricePerKwh)
    # Low hours "HH:MM" in Dutch local time (day/night only).
    low_from: Mapped[str | None] = mapped_column(String(5))
    low_until: Mapped[str | None] = mapped_column(String(5))
    low_weekends: Mapped[bool | None] = mapped_column(Boolean)
    low_holidays: Mapped[bool | None] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
