"""Smart charging's ports on the database; each call is its own short transaction.

- `DatabasePriceCache` is the `PriceCache` port: price slots per (source, slot start).
- `DatabaseSmartStore` is `RepeatingPlanStore` and `SavingsLog` for one charger source,
  addressing chargers by their external id as the controller does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.chargers import ChargerRepository
from chargebook.db.core.database import Database
from chargebook.db.smart.repository import (
    PriceSlotRepository,
    SmartPlanRepository,
    SmartSavingRepository,
)
from chargebook.domain.models import ChargerSource
from chargebook.domain.prices import PriceCurve, build_curve, floor_to_slot
from chargebook.domain.smart import RepeatingPlan, SessionSaving
from chargebook.errors import NotFoundError


class DatabasePriceCache:
    """Price curves in the `price_slots` table; `load` answers whatever slots are stored
    (a `CachedPriceSource` serves only complete curves and fetches the rest again)."""

    def __init__(self, database: Database, clock: Clock) -> None:
        self._database = database
        self._clock = clock

    async def load(self, source: str, start: datetime, end: datetime) -> PriceCurve | None:
        """The stored slots of `source` in `[start, end)` as a curve, or None if none.

        Raises:
            DatabaseUnavailableError: the database cannot be reached.
        """
        with self._database.session() as session:
            slots = PriceSlotRepository(session).window(source, floor_to_slot(start), end)
        if not slots:
            return None
        return build_curve(source, start, end, slots)

    async def save(self, curve: PriceCurve) -> None:
        """Store the curve's slots under its source (newer fetches replace older ones)."""
        with self._database.transaction() as session:
            PriceSlotRepository(session).upsert(curve.source, list(curve.slots), self._clock.now())


class DatabaseSmartStore:
    """Repeating plans and savings of chargers of one source, by external id."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        source: ChargerSource = ChargerSource.WALLBOX_CLOUD,
    ) -> None:
        self._database = database
        self._clock = clock
        self._source = source

    def repeating_plans(self, charger_id: str) -> list[RepeatingPlan]:
        """The charger's plans (active and paused); none for an unknown charger."""
        with self._database.session() as session:
            stored = ChargerRepository(session, self._clock).find(self._source, charger_id)
            if stored is None:
                return []
            return [plan for _, plan in SmartPlanRepository(session, self._clock).list(stored.id)]

    def record_saving(self, saving: SessionSaving) -> None:
        """Store one session's saving (idempotent per charger and plug-in time).

        Raises:
            NotFoundError: the charger is not in the book.
        """
        with self._database.transaction() as session:
            book_id = self._book_id(session, saving.charger_id)
            SmartSavingRepository(session, self._clock).record(book_id, saving)

    def savings(self, charger_id: str, *, since: datetime | None = None) -> list[SessionSaving]:
        """The charger's savings history, oldest first."""
        with self._database.session() as session:
            book_id = self._book_id(session, charger_id)
            return SmartSavingRepository(session, self._clock).list(
                book_id, charger_id, since=since
            )

    def _book_id(self, session: Session, charger_id: str) -> int:
        stored = ChargerRepository(session, self._clock).find(self._source, charger_id)
        if stored is None:
            raise NotFoundError(f"no {self._source.value} charger {charger_id} in the book")
        return stored.id
