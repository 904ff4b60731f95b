"""`/api/v1/me/tariff`: the token owner's own tariff and its periods.

Reading needs `chargers:read`, setting `chargers:write` (the tariff steers the chargers' smart
charging). The body's values are read by the same parser as the web form and the CLI
(`tariffs.service.parse_tariff`), so a refusal has the same words everywhere (422).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from chargebook.domain.access import ApiScope, Viewer
from chargebook.domain.tariffs import Tariff
from chargebook.tariffs.service import (
    TariffInputError,
    owner_schedule,
    parse_day,
    parse_tariff,
    set_owner_tariff,
    tariff_fields,
)
from chargebook.web.deps import Ctx, DbSession, require_scope
from chargebook.web.errors import InvalidInputError

router = APIRouter(prefix="/me/tariff", tags=["tariff"])

Reader = Annotated[Viewer, Depends(require_scope(ApiScope.CHARGERS_READ))]
Writer = Annotated[Viewer, Depends(require_scope(ApiScope.CHARGERS_WRITE))]
Price = Annotated[str | None, Field(None, max_length=20, examples=["0.28"])]


class TariffOut(BaseModel):
    """A tariff: its kind, its figures as strings (EUR/kWh; VAT in %) and in words."""

    kind: Literal["fixed", "dynamic", "day_night"]
    description: str = Field(examples=["fixed €0.28/kWh"])
    values: dict[str, str] = Field(examples=[{"kind": "fixed", "price": "0.28"}])

    @classmethod
    def of(cls, tariff: Tariff) -> TariffOut:
        return cls(
            kind=tariff.kind.value, description=tariff.describe(), values=tariff_fields(tariff)
        )


class TariffPeriodOut(BaseModel):
    valid_from: datetime
    tariff: TariffOut


class TariffScheduleOut(BaseModel):
    """The tariff in force now, whether it is the owner's own (false: the default), and the
    owner's periods, oldest first."""

    current: TariffOut
    own: bool
    default: TariffOut
    periods: list[TariffPeriodOut]


class TariffIn(BaseModel):
    """A tariff from a day on. `fixed`: `price`; `dynamic`: `surcharge`, `energy_tax` (EUR/kWh
    excl. VAT) and `vat_pct` (each defaults to the Dutch 2026 figure); `day_night`: `normal`,
    `low` and optionally `low_from`/`low_until` ("HH:MM", Dutch local time; default 23:00 and
    07:00), `low_weekends`, `low_holidays` (default true). `valid_from`: default today."""

    kind: Literal["fixed", "dynamic", "day_night"]
    price: Price = None
    surcharge: Price = None
    energy_tax: Price = None
    vat_pct: Price = None
    normal: Price = None
    low: Price = None
    low_from: Annotated[str | None, Field(None, max_length=5, examples=["23:00"])] = None
    low_until: Annotated[str | None, Field(None, max_length=5, examples=["07:00"])] = None
    low_weekends: bool = True
    low_holidays: bool = True
    valid_from: date | None = None


def _schedule_out(viewer: Viewer, context: Ctx, db: DbSession) -> TariffScheduleOut:
    schedule = owner_schedule(db, context.settings, viewer.user.id)
    return TariffScheduleOut(
        current=TariffOut.of(schedule.tariff_at(context.clock.now())),
        own=schedule.own,
        default=TariffOut.of(schedule.default),
        periods=[
            TariffPeriodOut(valid_from=p.valid_from, tariff=TariffOut.of(p.tariff))
            for p in schedule.periods
        ],
    )


@router.get("")
def get_tariff(viewer: Reader, context: Ctx, db: DbSession) -> TariffScheduleOut:
    """The caller's tariff now, the default, and their tariff periods."""
    return _schedule_out(viewer, context, db)


@router.put("")
def put_tariff(body: TariffIn, viewer: Writer, context: Ctx, db: DbSession) -> TariffScheduleOut:
    """Set the caller's tariff from `valid_from` (a Dutch local day; default today) on; a
    period starting that day is replaced, earlier days keep their tariff."""
    values = body.model_dump(exclude={"valid_from"})
    typed = {k: ("true" if v else "false") if isinstance(v, bool) else v for k, v in values.items()}
    try:
        tariff = parse_tariff(typed)
        day = parse_day(body.valid_from.isoformat() if body.valid_from else None)
    except TariffInputError as exc:
        raise InvalidInputError(exc.message, field=exc.field) from None
    set_owner_tariff(db, context.clock, viewer.user.id, tariff, day)
    return _schedule_out(viewer, context, db)
