"""API schemas of `/api/v1`, built from domain objects (never from ORM rows).

Energy and money are exact decimals and travel as JSON strings ("7.500000"); instantaneous
power is a float; times are ISO 8601 in UTC.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from chargebook.domain.access import ApiScope, ApiToken, Viewer
from chargebook.domain.book import SessionSample, SessionState
from chargebook.domain.ere_book import PayoutStatus, StoredStatement
from chargebook.domain.ere_payouts import PayoutAccount
from chargebook.domain.models import ChargerSource, ChargerState
from chargebook.domain.stored import BookSession, MonthlyEnergy, StoredCharger
from chargebook.domain.users import UserRole
from chargebook.web.commands import ChargerCommand


class ErrorOut(BaseModel):
    """Every error: the error's class name and a message safe to show."""

    error: str
    detail: str | list[dict[str, object]]


class MeOut(BaseModel):
    id: int
    email: str
    role: UserRole
    scopes: list[ApiScope]

    @classmethod
    def of(cls, viewer: Viewer) -> MeOut:
        return cls(
            id=viewer.user.id,
            email=viewer.user.email,
            role=viewer.user.role,
            scopes=sorted(viewer.scopes),
        )


class MidOut(BaseModel):
    enabled: bool
    serial_number: str | None
    present: bool


class ChargerOut(BaseModel):
    id: int
    source: ChargerSource
    external_id: str
    name: str
    model: str
    serial_number: str | None
    part_number: str | None
    firmware_version: str | None
    max_current_a: int | None
    time_zone: str | None
    group_name: str | None
    mid: MidOut
    owner_user_id: int | None
    created_at: datetime
    updated_at: datetime
    # Set on an earlier owner's row of a transferred charger: their period ended then; it
    # keeps their sessions and takes no commands.
    owner_until: datetime | None = None

    @classmethod
    def of(cls, stored: StoredCharger) -> ChargerOut:
        charger = stored.charger
        return cls(
            id=stored.id,
            source=charger.source,
            external_id=charger.external_id,
            name=charger.name,
            model=charger.model,
            serial_number=charger.serial_number,
            part_number=charger.part_number,
            firmware_version=charger.firmware_version,
            max_current_a=charger.max_current_a,
            time_zone=charger.time_zone,
            group_name=charger.group_name,
            mid=MidOut(
                enabled=charger.mid.enabled,
                serial_number=charger.mid.serial_number,
                present=charger.mid.present,
            ),
            owner_user_id=stored.owner_user_id,
            created_at=stored.created_at,
            updated_at=stored.updated_at,
            owner_until=stored.owner_until,
        )


class LiveStatusOut(BaseModel):
    """The book's latest sample of the charger (the recorder's last reading)."""

    observed_at: datetime
    state: ChargerState
    status_code: int
    power_kw: float
    session_energy_kwh: float

    @classmethod
    def of(cls, sample: SessionSample) -> LiveStatusOut:
        return cls(
            observed_at=sample.observed_at,
            state=sample.state,
            status_code=sample.status_code,
            power_kw=sample.power_kw,
            session_energy_kwh=sample.energy_kwh,
        )


class ChargerDetailOut(ChargerOut):
    status: LiveStatusOut | None


class SessionOut(BaseModel):
    id: int
    charger_id: int
    source: ChargerSource
    external_id: str
    started_at: datetime | None
    ended_at: datetime | None
    duration_s: int | None
    energy_kwh: Decimal | None
    mid_energy_kwh: Decimal | None
    discharged_energy_kwh: Decimal | None
    cost: Decimal | None
    currency: str | None
    state: SessionState
    quarantine_reason: str | None
    raw_sha256: str
    # One session's answer only (null in lists): its cost at the owner's tariff, EUR, and
    # whether every quarter had a price (a dynamic tariff needs cached market prices).
    tariff_cost_eur: Decimal | None = None
    tariff_cost_complete: bool | None = None

    @classmethod
    def of(cls, session: BookSession) -> SessionOut:
        return cls(
            id=session.id,
            charger_id=session.charger_id,
            source=session.source,
            external_id=session.external_id,
            started_at=session.started_at,
            ended_at=session.ended_at,
            duration_s=session.duration_s,
            energy_kwh=session.energy_kwh,
            mid_energy_kwh=session.mid_energy_kwh,
            discharged_energy_kwh=session.discharged_energy_kwh,
            cost=session.cost,
            currency=session.currency,
            state=session.state,
            quarantine_reason=session.quarantine_reason,
            raw_sha256=session.raw_sha256,
        )


class SessionPageOut(BaseModel):
    """Newest first; pass `next_cursor` as `cursor` for the next page (null: no more)."""

    items: list[SessionOut]
    next_cursor: str | None


class MonthlyEnergyOut(BaseModel):
    month: date
    energy_kwh: Decimal
    session_count: int

    @classmethod
    def of(cls, month: MonthlyEnergy) -> MonthlyEnergyOut:
        return cls(
            month=month.month, energy_kwh=month.energy_kwh, session_count=month.session_count
        )


class CommandIn(BaseModel):
    """Arguments: `current_a` for `current`, `price_per_kwh` for `energy-price`."""

    current_a: int | None = Field(default=None, ge=0, le=1000)
    price_per_kwh: Decimal | None = Field(default=None, ge=0, le=1000, max_digits=12)


class CommandOut(BaseModel):
    charger_id: int
    command: ChargerCommand
    sent: bool = True


class TokenOut(BaseModel):
    id: int
    name: str
    token_prefix: str
    scopes: list[ApiScope]
    created_at: datetime
    revoked_at: datetime | None

    @classmethod
    def of(cls, token: ApiToken) -> TokenOut:
        return cls(
            id=token.id,
            name=token.name,
            token_prefix=token.token_prefix,
            scopes=sorted(token.scopes),
            created_at=token.created_at,
            revoked_at=token.revoked_at,
        )


class StatementOut(BaseModel):
    """An ERE statement: the EREs of a delivery period and what they pay out (EUR)."""

    id: int
    period: str
    sequence: int
    eans: list[str]
    energy_kwh: Decimal
    ere: Decimal
    is_estimate: bool
    price_eur_per_ere: Decimal
    fee_rate: Decimal
    gross_eur: Decimal
    fee_eur: Decimal
    payout_eur: Decimal
    payout_status: PayoutStatus
    paid_at: datetime | None
    created_at: datetime
    # Where the money goes, masked (country and last 4); None: no payout details yet.
    payout_iban_masked: str | None = None
    payout_holder: str | None = None

    @classmethod
    def of(cls, statement: StoredStatement) -> StatementOut:
        return cls(
            id=statement.id,
            period=statement.period.label,
            sequence=statement.sequence,
            eans=list(statement.eans),
            energy_kwh=statement.energy_kwh,
            ere=statement.ere,
            is_estimate=statement.is_estimate,
            price_eur_per_ere=statement.price_eur_per_ere,
            fee_rate=statement.fee_rate,
            gross_eur=statement.gross_eur,
            fee_eur=statement.fee_eur,
            payout_eur=statement.payout_eur,
            payout_status=statement.payout_status,
            paid_at=statement.paid_at,
            created_at=statement.created_at,
            payout_iban_masked=statement.payout_iban_masked,
            payout_holder=statement.payout_holder,
        )


class PayoutAccountOut(BaseModel):
    """Where the caller's ERE payouts go: the IBAN masked (the full IBAN is never answered)."""

    iban_masked: str | None
    holder: str | None
    bic: str | None
    updated_at: datetime | None

    @classmethod
    def of(cls, account: PayoutAccount | None) -> PayoutAccountOut:
        if account is None:
            return cls(iban_masked=None, holder=None, bic=None, updated_at=None)
        return cls(
            iban_masked=account.iban_masked,
            holder=account.holder,
            bic=account.bic,
            updated_at=account.updated_at,
        )
