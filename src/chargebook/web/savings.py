"""What smart charging saved: the savings ledger (one row per plugged-in period) summed per
local day and per month for the viewer's chargers (an operator sees every charger, like the
rest of the book).

A period counts on the local day it was plugged in (the evening a car arrives), in the
charger's time zone; money is at the owner's tariff in force when the car charged (the smart
runtime's prices are priced at it, `chargebook.tariffs`; EUR, 4 decimals as stored); the saving
is the cost of charging the same energy at once minus what it actually cost.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from chargebook.book.service import BookService, charger_zone
from chargebook.clock import Clock
from chargebook.db import SqlSession
from chargebook.db.smart.repository import SmartSavingRepository
from chargebook.domain.access import Viewer
from chargebook.domain.smart import SessionSaving

_CENTS = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class SavingsRow:
    """The sums of one day ("2026-03-09") or month ("2026-03")."""

    period: str
    sessions: int
    energy_kwh: Decimal
    actual_cost_eur: Decimal
    charge_now_cost_eur: Decimal
    incomplete: int  # periods with quarters that had no price

    @property
    def saving_eur(self) -> Decimal:
        return self.charge_now_cost_eur - self.actual_cost_eur

    @property
    def saving_pct(self) -> float | None:
        if self.charge_now_cost_eur <= 0:
            return None
        return float(self.saving_eur / self.charge_now_cost_eur * 100)

    def to_json(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "sessions": self.sessions,
            "energy_kwh": str(self.energy_kwh.quantize(_CENTS)),
            "actual_cost_eur": str(self.actual_cost_eur.quantize(_CENTS)),
            "charge_now_cost_eur": str(self.charge_now_cost_eur.quantize(_CENTS)),
            "saving_eur": str(self.saving_eur.quantize(_CENTS)),
        }


@dataclass(frozen=True, slots=True)
class SavingsHistory:
    """Per day (newest first), per month (newest first) and the total."""

    days: list[SavingsRow]
    months: list[SavingsRow]
    total: SavingsRow

    def chart_json(self) -> dict[str, Any]:
        """Oldest first, for the chart."""
        return {
            "days": [row.to_json() for row in reversed(self.days)],
            "months": [row.to_json() for row in reversed(self.months)],
        }


def _sum(period: str, items: Iterable[SessionSaving]) -> SavingsRow:
    rows = list(items)
    return SavingsRow(
        period=period,
        sessions=len(rows),
        energy_kwh=sum((r.energy_kwh for r in rows), Decimal(0)),
        actual_cost_eur=sum((r.actual_cost_eur for r in rows), Decimal(0)),
        charge_now_cost_eur=sum((r.charge_now_cost_eur for r in rows), Decimal(0)),
        incomplete=sum(1 for r in rows if not r.cost_complete),
    )


def savings_history(session: SqlSession, viewer: Viewer, clock: Clock) -> SavingsHistory:
    """The viewer's savings, grouped by local plug-in day and month."""
    dated: list[tuple[date, SessionSaving]] = []
    repository = SmartSavingRepository(session, clock)
    for charger in BookService(session, viewer).list_chargers():
        zone = ZoneInfo(charger_zone(charger))
        for saving in repository.list(charger.id, charger.charger.external_id):
            dated.append((saving.plugged_in_at.astimezone(zone).date(), saving))
    by_day: dict[str, list[SessionSaving]] = {}
    by_month: dict[str, list[SessionSaving]] = {}
    for day, saving in dated:
        by_day.setdefault(day.isoformat(), []).append(saving)
        by_month.setdefault(day.strftime("%Y-%m"), []).append(saving)
    return SavingsHistory(
        days=[_sum(key, by_day[key]) for key in sorted(by_day, reverse=True)],
        months=[_sum(key, by_month[key]) for key in sorted(by_month, reverse=True)],
        total=_sum("total", (saving for _, saving in dated)),
    )
