"""Charge points' upstream central systems (mirror mode): set, clear, read. Adds and flushes,
never commits; the password arrives and leaves encrypted (the caller holds the SecretBox)."""

from __future__ import annotations

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.book.tables import ChargerRow
from chargebook.db.ocpp.lookups import is_charge_point
from chargebook.db.ocpp.upstream_tables import OcppUpstreamRow
from chargebook.domain.models import ChargerSource
from chargebook.domain.ocpp_upstream import UpstreamConfig, UpstreamMode
from chargebook.errors import NotFoundError


class OcppUpstreamRepository:
    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def set(
        self,
        charge_point_id: str,
        *,
        url: str,
        mode: UpstreamMode,
        username: str,
        password_encrypted: str | None,
    ) -> None:
        """Set (or replace) the charger's upstream.

        Raises:
            NotFoundError: no OCPP charger with this charge point id.
        """
        charger_id = self._charger_id(charge_point_id)
        row = self._session.get(OcppUpstreamRow, charger_id)
        if row is None:
            row = OcppUpstreamRow(charger_id=charger_id)
            self._session.add(row)
        row.url = url
        row.mode = mode.value
        row.username = username
        row.password_encrypted = password_encrypted
        row.updated_at = self._clock.now()
        self._session.flush()

    def clear(self, charge_point_id: str) -> bool:
        """Remove the charger's upstream; False if it had none.

        Raises:
            NotFoundError: no OCPP charger with this charge point id.
        """
        row = self._session.get(OcppUpstreamRow, self._charger_id(charge_point_id))
        if row is None:
            return False
        self._session.delete(row)
        self._session.flush()
        return True

    def get(self, charge_point_id: str) -> UpstreamConfig | None:
        """The charger's upstream, or None (none set, or no such charger)."""
        found = self._session.execute(
            _select().where(is_charge_point(charge_point_id))
        ).one_or_none()
        return None if found is None else _config(found[0], found[1])

    def all(self) -> list[UpstreamConfig]:
        """Every charger's upstream, by charge point id."""
        rows = self._session.execute(_select().order_by(ChargerRow.external_id)).all()
        return [_config(row, charge_point_id) for row, charge_point_id in rows]

    def _charger_id(self, charge_point_id: str) -> int:
        charger_id = self._session.execute(
            select(ChargerRow.id).where(
                is_charge_point(charge_point_id),
            )
        ).scalar_one_or_none()
        if charger_id is None:
            raise NotFoundError(f"no OCPP charger {charge_point_id}")
        return charger_id


def _select() -> Select[OcppUpstreamRow, str]:
    return (
        select(OcppUpstreamRow, ChargerRow.external_id)
        .join(ChargerRow, ChargerRow.id == OcppUpstreamRow.charger_id)
        .where(ChargerRow.source == ChargerSource.OCPP.value)
    )


def _config(row: OcppUpstreamRow, charge_point_id: str) -> UpstreamConfig:
    return UpstreamConfig(
        charge_point_id=charge_point_id,
        url=row.url,
        mode=UpstreamMode(row.mode),
        username=row.username,
        password_encrypted=row.password_encrypted,
    )


def stored_upstream_password_count(session: Session) -> int:
    """How many upstream passwords the book holds encrypted (for the lost-key guard)."""
    count = session.execute(
        select(func.count()).where(OcppUpstreamRow.password_encrypted.is_not(None))
    ).scalar_one()
    return int(count)
