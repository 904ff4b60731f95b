"""Grid connections, which chargers sit behind them, and mandates per EAN and calendar year.

One service provider per EAN per year is enforced by `ere_mandate_years` (primary key
(ean, year)): a second mandate for a covered year fails in the database, whoever inserts it.
"""

from __future__ import annotations

import builtins
from collections import defaultdict
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from chargebook.clock import Clock
from chargebook.db.accounts.tables import UserRow
from chargebook.db.book.tables import ChargerRow
from chargebook.db.core.writes import flush_or_conflict
from chargebook.db.ere.tables import (
    EreChargerLinkRow,
    EreConnectionRow,
    EreMandateRow,
    EreMandateYearRow,
)
from chargebook.domain.ere import Address, CustomerKind, GridConnection, Mandate
from chargebook.domain.ere_book import StoredConnection, StoredMandate
from chargebook.errors import ConflictError, NotFoundError


class ConnectionRepository:
    """Reads and writes connections and charger links; adds and flushes, never commits."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def add(self, connection: GridConnection) -> StoredConnection:
        """Add a connection; `connection.customer_id` is the connected party's user id.

        Raises:
            NotFoundError: no such user.
            ConflictError: the EAN is already recorded.
        """
        user = self._session.get(UserRow, int(connection.customer_id))
        if user is None:
            raise NotFoundError(f"no user with id {connection.customer_id}")
        address = connection.address
        row = EreConnectionRow(
            ean=connection.ean,
            customer_user_id=user.id,
            connected_party_name=connection.connected_party_name,
            street=address.street,
            house_number=address.house_number,
            postal_code=address.postal_code,
            city=address.city,
            country_code=address.country_code,
            created_at=self._clock.now(),
            customer_kind=connection.customer_kind.value,
        )
        self._session.add(row)
        flush_or_conflict(self._session, f"EAN {connection.ean} is already recorded")
        return self._to_domain(row)

    def link_charger(self, connection_id: int, charger_id: int) -> None:
        """Record that a charger is installed behind a connection (one connection per charger).

        Raises:
            NotFoundError: no such connection or charger.
            ConflictError: the charger is linked to another connection.
        """
        if self._session.get(EreConnectionRow, connection_id) is None:
            raise NotFoundError(f"no connection with id {connection_id}")
        if self._session.get(ChargerRow, charger_id) is None:
            raise NotFoundError(f"no charger with id {charger_id}")
        existing = self._session.get(EreChargerLinkRow, charger_id)
        if existing is not None:
            if existing.connection_id == connection_id:
                return
            raise ConflictError(f"charger {charger_id} is linked to another connection")
        self._session.add(
            EreChargerLinkRow(
                charger_id=charger_id, connection_id=connection_id, linked_at=self._clock.now()
            )
        )
        flush_or_conflict(self._session, f"charger {charger_id} is already linked")

    def get_by_ean(self, ean: str) -> StoredConnection:
        """Raises: NotFoundError: no connection with this EAN."""
        row = self._session.scalars(
            select(EreConnectionRow).where(EreConnectionRow.ean == ean)
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no connection with EAN {ean}")
        return self._to_domain(row)

    def get(self, connection_id: int) -> StoredConnection:
        """Raises: NotFoundError: no such connection."""
        row = self._session.get(EreConnectionRow, connection_id)
        if row is None:
            raise NotFoundError(f"no connection with id {connection_id}")
        return self._to_domain(row)

    def list(self, *, customer_id: int | None = None) -> list[StoredConnection]:
        query = select(EreConnectionRow).order_by(EreConnectionRow.id)
        if customer_id is not None:
            query = query.where(EreConnectionRow.customer_user_id == customer_id)
        return [self._to_domain(row) for row in self._session.scalars(query)]

    def charger_links(self) -> dict[int, int]:
        """charger id -> connection id for every linked charger."""
        rows = self._session.execute(
            select(EreChargerLinkRow.charger_id, EreChargerLinkRow.connection_id)
        )
        return {charger_id: connection_id for charger_id, connection_id in rows}

    def set_customer_kind(self, ean: str, kind: CustomerKind) -> StoredConnection:
        """Record whether the connection's customer is private or business.

        Raises:
            NotFoundError: no connection with this EAN.
        """
        row = self._session.scalars(
            select(EreConnectionRow).where(EreConnectionRow.ean == ean)
        ).one_or_none()
        if row is None:
            raise NotFoundError(f"no connection with EAN {ean}")
        row.customer_kind = kind.value
        self._session.flush()
        return self._to_domain(row)

    def _to_domain(self, row: EreConnectionRow) -> StoredConnection:
        email = self._session.scalar(
            select(UserRow.email).where(UserRow.id == row.customer_user_id)
        )
        chargers = self._session.scalars(
            select(EreChargerLinkRow.charger_id)
            .where(EreChargerLinkRow.connection_id == row.id)
            .order_by(EreChargerLinkRow.charger_id)
        )
        return StoredConnection(
            id=row.id,
            connection=to_grid_connection(row),
            customer_email=email or "",
            charger_ids=tuple(chargers),
            created_at=row.created_at,
        )


def to_grid_connection(row: EreConnectionRow) -> GridConnection:
    return GridConnection(
        ean=row.ean,
        address=Address(
            street=row.street,
            house_number=row.house_number,
            postal_code=row.postal_code,
            city=row.city,
            country_code=row.country_code,
        ),
        customer_id=str(row.customer_user_id),
        connected_party_name=row.connected_party_name,
        customer_kind=CustomerKind(row.customer_kind or CustomerKind.PRIVATE.value),
    )


class MandateRepository:
    """Reads and writes mandates; adds and flushes, never commits."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self._session = session
        self._clock = clock

    def add(
        self,
        *,
        ean: str,
        service_provider_id: str,
        first_year: int,
        last_year: int,
        consent_grid_operator_data: bool,
        consent_verifier_visit: bool,
        signed_by_name: str,
        signed_on: date,
    ) -> StoredMandate:
        """Record a mandate for the connection with `ean`, from its connected party.

        Raises:
            NotFoundError: no connection with this EAN.
            ConflictError: a covered year already has a mandate (one provider per EAN-year).
            ValueError: the last year is before the first.
        """
        if last_year < first_year:
            raise ValueError("the last year is before the first year")
        connection = self._session.scalars(
            select(EreConnectionRow).where(EreConnectionRow.ean == ean)
        ).one_or_none()
        if connection is None:
            raise NotFoundError(f"no connection with EAN {ean}")
        row = EreMandateRow(
            connection_id=connection.id,
            customer_user_id=connection.customer_user_id,
            ean=ean,
            service_provider_id=service_provider_id,
            first_year=first_year,
            last_year=last_year,
            consent_grid_operator_data=consent_grid_operator_data,
            consent_verifier_visit=consent_verifier_visit,
            signed_by_name=signed_by_name,
            signed_on=signed_on,
            created_at=self._clock.now(),
        )
        self._session.add(row)
        self._session.flush()
        for year in range(first_year, last_year + 1):
            self._session.add(
                EreMandateYearRow(
                    ean=ean, year=year, mandate_id=row.id, service_provider_id=service_provider_id
                )
            )
        flush_or_conflict(
            self._session,
            f"EAN {ean} already has a mandate for a year in {first_year}-{last_year}: "
            "one service provider per EAN per calendar year",
        )
        return _mandate(row)

    def get(self, mandate_id: int) -> StoredMandate:
        """Raises: NotFoundError: no such mandate."""
        row = self._session.get(EreMandateRow, mandate_id)
        if row is None:
            raise NotFoundError(f"no mandate with id {mandate_id}")
        return _mandate(row)

    def list(
        self, *, ean: str | None = None, customer_user_id: int | None = None
    ) -> builtins.list[StoredMandate]:
        query = select(EreMandateRow).order_by(EreMandateRow.id)
        if ean is not None:
            query = query.where(EreMandateRow.ean == ean)
        if customer_user_id is not None:
            query = query.where(EreMandateRow.customer_user_id == customer_user_id)
        return [_mandate(row) for row in self._session.scalars(query)]

    def by_ean(self) -> dict[str, builtins.list[Mandate]]:
        """Every mandate grouped by EAN (for an eligibility context)."""
        grouped: dict[str, builtins.list[Mandate]] = defaultdict(list)
        for stored in self.list():
            grouped[stored.mandate.ean].append(stored.mandate)
        return dict(grouped)


def _mandate(row: EreMandateRow) -> StoredMandate:
    return StoredMandate(
        id=row.id,
        connection_id=row.connection_id,
        mandate=Mandate(
            mandate_id=str(row.id),
            customer_id=str(row.customer_user_id),
            ean=row.ean,
            service_provider_id=row.service_provider_id,
            first_year=row.first_year,
            last_year=row.last_year,
            consent_grid_operator_data=row.consent_grid_operator_data,
            consent_verifier_visit=row.consent_verifier_visit,
            signed_by_name=row.signed_by_name,
            signed_on=row.signed_on,
        ),
        created_at=row.created_at,
    )
