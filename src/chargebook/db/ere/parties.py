"""How each connection's connected party (aangeslotene) was verified: the table and its
repository. Rows are only added (a newer check supersedes an older one; the history stays as
audit evidence), so the latest row per connection is the current answer."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from chargebook.clock import Clock
from chargebook.db.core.base import Base
from chargebook.db.core.types import UTCDateTime
from chargebook.db.ere.tables import EreConnectionRow
from chargebook.domain.ere_party import PartyVerification, PartyVerificationMethod
from chargebook.errors import NotFoundError

PARTY_METHODS = "('energy_bill', 'grid_operator_letter', 'car_register', 'owner_declaration')"


class ErePartyVerificationRow(Base):
    """One verification of a connection's connected party."""

    __tablename__ = "ere_party_verifications"
    __table_args__ = (CheckConstraint(f"method IN {PARTY_METHODS}", name="method"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    connection_id: Mapped[int] = mapped_column(ForeignKey("ere_connections.id"), index=True)
    method: Mapped[str] = mapped_column(String(30))
    verified_by: Mapped[str] = mapped_column(String(200))
    verified_on: Mapped[date] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


class PartyVerificationRepository:
    """Adds and reads verifications; adds and flushes, never commits."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def add(
        self,
        connection_id: int,
        *,
        method: PartyVerificationMethod,
        verified_by: str,
        verified_on: date,
        note: str | None,
    ) -> PartyVerification:
        """Raises: NotFoundError: no such connection."""
        if self._session.get(EreConnectionRow, connection_id) is None:
            raise NotFoundError(f"no connection with id {connection_id}")
        row = ErePartyVerificationRow(
            connection_id=connection_id,
            method=method.value,
            verified_by=verified_by,
            verified_on=verified_on,
            note=note,
            recorded_at=self._clock.now(),
        )
        self._session.add(row)
        self._session.flush()
        return _verification(row)

    def history(self, connection_id: int) -> list[PartyVerification]:
        """Every verification of one connection, oldest first."""
        query = (
            select(ErePartyVerificationRow)
            .where(ErePartyVerificationRow.connection_id == connection_id)
            .order_by(ErePartyVerificationRow.id)
        )
        return [_verification(row) for row in self._session.scalars(query)]

    def latest(self) -> dict[int, PartyVerification]:
        """connection id -> its latest verification (connections never verified are absent)."""
        found: dict[int, PartyVerification] = {}
        query = select(ErePartyVerificationRow).order_by(ErePartyVerificationRow.id)
        for row in self._session.scalars(query):
            found[row.connection_id] = _verification(row)  # later rows replace earlier ones
        return found


def _verification(row: ErePartyVerificationRow) -> PartyVerification:
    return PartyVerification(
        id=row.id,
        connection_id=row.connection_id,
        method=PartyVerificationMethod(row.method),
        verified_by=row.verified_by,
        verified_on=row.verified_on,
        note=row.note,
        recorded_at=row.recorded_at,
    )
