"""Smart charging in the book: cached price slots, repeating plans and savings.

Rows in, domain dataclasses out; the caller owns the transaction (add and flush only).
"""

from __future__ import annotations

from datetime import datetime, time
from decimal import Decimal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chargebook.clock import Clock, ensure_utc
from chargebook.db.core.writes import dialect_insert
from chargebook.db.smart.tables import PriceSlotRow, SmartPlanRow, SmartSavingRow
from chargebook.domain.prices import PriceSlot, Strategy
from chargebook.domain.smart import RepeatingPlan, SessionSaving


class PriceSlotRepository:
    """Price slots per (source, slot start); a later fetch of a slot replaces the earlier."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def upsert(self, source: str, slots: list[PriceSlot], fetched_at: datetime) -> int:
        """Store `slots` under `source`; returns how many were written."""
        if not slots:
            return 0
        insert = dialect_insert(self._session)
        rows = [
            {
                "source": source,
                "slot_start": ensure_utc(slot.start),
                "market_eur_per_kwh": slot.market_eur_per_kwh,
                "all_in_eur_per_kwh": slot.all_in_eur_per_kwh,
                "fetched_at": fetched_at,
            }
            for slot in slots
        ]
        statement = insert(PriceSlotRow).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=["source", "slot_start"],
            set_={
                "market_eur_per_kwh": statement.excluded.market_eur_per_kwh,
                "all_in_eur_per_kwh": statement.excluded.all_in_eur_per_kwh,
                "fetched_at": statement.excluded.fetched_at,
            },
        )
        self._session.execute(statement)
        return len(rows)

    def window(self, source: str, start: datetime, end: datetime) -> list[PriceSlot]:
        """The stored slots of `source` starting in `[start, end)`, in time order."""
        rows = self._session.scalars(
            select(PriceSlotRow)
            .where(
                PriceSlotRow.source == source,
                PriceSlotRow.slot_start >= ensure_utc(start),
                PriceSlotRow.slot_start < ensure_utc(end),
            )
            .order_by(PriceSlotRow.slot_start)
        )
        return [
            PriceSlot(row.slot_start, row.market_eur_per_kwh, row.all_in_eur_per_kwh)
            for row in rows
        ]


class SmartPlanRepository:
    """Repeating weekday plans of chargers (by book charger id)."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def add(self, charger_id: int, plan: RepeatingPlan) -> RepeatingPlan:
        """Store `plan` for the charger; returns it with its new id."""
        row = SmartPlanRow(
            charger_id=charger_id,
            weekdays=",".join(str(d) for d in sorted(plan.weekdays)),
            departure=plan.departure.strftime("%H:%M"),
            time_zone=plan.time_zone,
            energy_kwh=Decimal(f"{plan.energy_kwh:.6f}") if plan.energy_kwh is not None else None,
            target_soc_pct=plan.target_soc_pct,
            capacity_kwh=plan.capacity_kwh,
            active=plan.active,
            created_at=self._clock.now(),
            strategy=plan.strategy.value,
            price_cap_eur_per_kwh=plan.price_cap_eur_per_kwh,
            min_block_minutes=plan.min_block_minutes,
        )
        self._session.add(row)
        self._session.flush()
        return _plan(row)

    def list(self, charger_id: int | None = None) -> list[tuple[int, RepeatingPlan]]:
        """(charger id, plan) pairs in plan-id order, of one charger or of all."""
        query = select(SmartPlanRow).order_by(SmartPlanRow.id)
        if charger_id is not None:
            query = query.where(SmartPlanRow.charger_id == charger_id)
        return [(row.charger_id, _plan(row)) for row in self._session.scalars(query)]

    def set_active(self, plan_id: int, active: bool) -> bool:
        """Switch a plan on or off (holidays); False when there is no such plan."""
        row = self._session.get(SmartPlanRow, plan_id)
        if row is None:
            return False
        row.active = active
        self._session.flush()
        return True

    def remove(self, plan_id: int) -> bool:
        """Delete a plan; False when there was none."""
        result = self._session.execute(delete(SmartPlanRow).where(SmartPlanRow.id == plan_id))
        return bool(getattr(result, "rowcount", 0))


class SmartSavingRepository:
    """The savings history; one row per (charger, plug-in time), a re-record replaces it."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def record(self, charger_id: int, saving: SessionSaving) -> None:
        insert = dialect_insert(self._session)
        values = {
            "charger_id": charger_id,
            "plugged_in_at": ensure_utc(saving.plugged_in_at),
            "unplugged_at": ensure_utc(saving.unplugged_at),
            "energy_kwh": saving.energy_kwh,
            "actual_cost_eur": saving.actual_cost_eur,
            "charge_now_cost_eur": saving.charge_now_cost_eur,
            "saving_eur": saving.saving_eur,
            "cost_complete": saving.cost_complete,
            "recorded_at": self._clock.now(),
        }
        statement = insert(SmartSavingRow).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["charger_id", "plugged_in_at"],
            set_={k: v for k, v in values.items() if k not in ("charger_id", "plugged_in_at")},
        )
        self._session.execute(statement)

    def list(
        self, charger_id: int, charger_external_id: str, *, since: datetime | None = None
    ) -> list[SessionSaving]:
        """The charger's savings, oldest first (optionally plugged in at or after `since`)."""
        query = (
            select(SmartSavingRow)
            .where(SmartSavingRow.charger_id == charger_id)
            .order_by(SmartSavingRow.plugged_in_at)
        )
        if since is not None:
            query = query.where(SmartSavingRow.plugged_in_at >= ensure_utc(since))
        return [
            SessionSaving(
                charger_id=charger_external_id,
                plugged_in_at=row.plugged_in_at,
                unplugged_at=row.unplugged_at,
                energy_kwh=row.energy_kwh,
                actual_cost_eur=row.actual_cost_eur,
                charge_now_cost_eur=row.charge_now_cost_eur,
                cost_complete=row.cost_complete,
            )
            for row in self._session.scalars(query)
        ]


def _plan(row: SmartPlanRow) -> RepeatingPlan:
    return RepeatingPlan(
        weekdays=frozenset(int(d) for d in row.weekdays.split(",") if d),
        departure=time.fromisoformat(row.departure),
        time_zone=row.time_zone,
        energy_kwh=float(row.energy_kwh) if row.energy_kwh is not None else None,
        target_soc_pct=row.target_soc_pct,
        capacity_kwh=row.capacity_kwh,
        active=row.active,
        id=row.id,
        strategy=Strategy(row.strategy),
        price_cap_eur_per_kwh=row.price_cap_eur_per_kwh,
        min_block_minutes=row.min_block_minutes,
    )
