"""Owners' tariffs: the default from the settings, an owner's schedule, and setting a tariff
from what a person typed (web form, API body, CLI options: one parser, one set of messages).

A tariff applies from the start of a Dutch local day (`valid_from`, today unless given), so
setting a new contract never re-prices what came before it. Before an owner's first period,
and for the CLI without an owner, the default tariff from the settings applies
(`CHARGEBOOK_TARIFF_*`; out of the box the dynamic formula chargebook always used).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from chargebook.clock import Clock
from chargebook.db import SqlSession
from chargebook.db.smart.tariffs import TariffRepository
from chargebook.domain.tariffs import (
    TARIFF_ZONE,
    DayNightTariff,
    DynamicTariff,
    FixedTariff,
    LowHours,
    Tariff,
    TariffKind,
    TariffPeriod,
    TariffSchedule,
)
from chargebook.errors import ChargebookError, ConfigurationError
from chargebook.settings import Settings

KIND_LABELS = {
    TariffKind.FIXED: "fixed price",
    TariffKind.DYNAMIC: "dynamic (market price)",
    TariffKind.DAY_NIGHT: "day/night (normal and low)",
}
_FIELDS = {
    "price": "the price per kWh",
    "surcharge": "the supplier surcharge",
    "energy_tax": "the energy tax",
    "vat_pct": "VAT",
    "normal": "the normal price",
    "low": "the low price",
    "low_from": "the start of low hours",
    "low_until": "the end of low hours",
    "valid_from": "the start date",
}


class TariffInputError(ChargebookError):
    """A tariff as typed is not acceptable; `field` names the value (web form, API, CLI)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def default_tariff(settings: Settings) -> Tariff:
    """The settings' tariff (CHARGEBOOK_TARIFF_*).

    Raises:
        ConfigurationError: a fixed or day/night default without its prices, or bad figures.
    """
    try:
        if settings.tariff_kind == "fixed":
            if settings.tariff_price_eur_per_kwh is None:
                raise ConfigurationError(
                    "CHARGEBOOK_TARIFF_KIND=fixed needs CHARGEBOOK_TARIFF_PRICE_EUR_PER_KWH"
                )
            return FixedTariff(settings.tariff_price_eur_per_kwh)
        if settings.tariff_kind == "day_night":
            normal, low = settings.tariff_normal_eur_per_kwh, settings.tariff_low_eur_per_kwh
            if normal is None or low is None:
                raise ConfigurationError(
                    "CHARGEBOOK_TARIFF_KIND=day_night needs CHARGEBOOK_TARIFF_NORMAL_EUR_PER_KWH"
                    " and CHARGEBOOK_TARIFF_LOW_EUR_PER_KWH"
                )
            hours = LowHours(
                settings.tariff_low_from,
                settings.tariff_low_until,
                weekends=settings.tariff_low_weekends,
                holidays=settings.tariff_low_holidays,
            )
            return DayNightTariff(normal, low, hours)
        return DynamicTariff(
            settings.tariff_supplier_surcharge_eur_per_kwh,
            settings.tariff_energy_tax_eur_per_kwh,
            settings.tariff_vat_rate,
        )
    except ValueError as exc:
        raise ConfigurationError(f"CHARGEBOOK_TARIFF_*: {exc}") from None


def owner_schedule(session: SqlSession, settings: Settings, user_id: int | None) -> TariffSchedule:
    """The owner's tariffs over time (None: nobody's, the default only)."""
    default = default_tariff(settings)
    if user_id is None:
        return TariffSchedule(default)
    periods = TariffRepository(session).periods(user_id)
    return TariffSchedule(default, tuple(periods))


def set_owner_tariff(
    session: SqlSession, clock: Clock, user_id: int, tariff: Tariff, valid_from: date | None = None
) -> TariffPeriod:
    """Store `tariff` for the owner from the start of `valid_from` (a Dutch local day; today
    when None) on; an earlier period keeps its own days. The caller commits."""
    day = valid_from or clock.now().astimezone(TARIFF_ZONE).date()
    start = datetime.combine(day, time(0), TARIFF_ZONE)
    return TariffRepository(session).put(user_id, start, tariff, now=clock.now())


def parse_tariff(values: Mapping[str, str | None]) -> Tariff:
    """A tariff from typed values: `kind` (fixed, dynamic, day_night) and its figures in EUR
    per kWh including VAT (`price`; `normal`, `low`, `low_from`, `low_until` "HH:MM",
    `low_weekends`, `low_holidays`), or for dynamic `surcharge` and `energy_tax` excluding VAT
    and `vat_pct` (21 = 21 %; each defaults to the Dutch 2026 figure when left out). A
    decimal comma is accepted.

    Raises:
        TariffInputError: naming the field and what is expected.
    """
    kind_text = (values.get("kind") or "").strip().lower().replace("/", "_").replace("-", "_")
    try:
        kind = TariffKind(kind_text)
    except ValueError:
        raise TariffInputError(
            "choose the kind of tariff: fixed, dynamic or day_night", field="kind"
        ) from None
    try:
        if kind is TariffKind.FIXED:
            return FixedTariff(_money(values, "price", required=True))
        if kind is TariffKind.DYNAMIC:
            default = DynamicTariff()
            vat = _decimal(values, "vat_pct")
            return DynamicTariff(
                _money(values, "surcharge")
                if _given(values, "surcharge")
                else default.supplier_surcharge_eur_per_kwh,
                _money(values, "energy_tax")
                if _given(values, "energy_tax")
                else default.energy_tax_eur_per_kwh,
                default.vat_rate if vat is None else vat / 100,
            )
        hours = LowHours(
            _time(values, "low_from", time(23, 0)),
            _time(values, "low_until", time(7, 0)),
            weekends=_flag(values, "low_weekends"),
            holidays=_flag(values, "low_holidays"),
        )
        return DayNightTariff(
            _money(values, "normal", required=True), _money(values, "low", required=True), hours
        )
    except TariffInputError:
        raise
    except ValueError as exc:  # the domain's range checks; their words name the value
        raise TariffInputError(str(exc), field=_field_of(str(exc))) from None


def parse_day(text: str | None) -> date | None:
    """A start date "YYYY-MM-DD" (None or empty: today)."""
    if text is None or not text.strip():
        return None
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise TariffInputError(
            f"{text.strip()!r} is not a date; write it as 2026-01-01", field="valid_from"
        ) from None
    if not 2000 <= day.year <= 2100:
        raise TariffInputError("the start date must be between 2000 and 2100", field="valid_from")
    return day


def _given(values: Mapping[str, str | None], name: str) -> bool:
    return bool((values.get(name) or "").strip())


def _decimal(values: Mapping[str, str | None], name: str) -> Decimal | None:
    text = (values.get(name) or "").strip().replace(",", ".").lstrip("€").strip()
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise TariffInputError(f"{_FIELDS[name]}: {text!r} is not a number", field=name) from None
    if not value.is_finite():
        raise TariffInputError(f"{_FIELDS[name]}: {text!r} is not a number", field=name)
    return value


def _money(values: Mapping[str, str | None], name: str, *, required: bool = False) -> Decimal:
    value = _decimal(values, name)
    if value is None:
        if required:
            raise TariffInputError(f"enter {_FIELDS[name]} in euros, e.g. 0.28", field=name)
        return Decimal(0)
    if abs(value) > 5:
        raise TariffInputError(
            f"{_FIELDS[name]} is in euros per kWh: {value} is too much (e.g. 0.28)", field=name
        )
    if value < 0 and name != "surcharge":
        raise TariffInputError(f"{_FIELDS[name]} cannot be negative", field=name)
    return value


def _time(values: Mapping[str, str | None], name: str, default: time) -> time:
    text = (values.get(name) or "").strip()
    if not text:
        return default
    try:
        moment = time.fromisoformat(text if len(text) > 2 else f"{int(text):02d}:00")
    except ValueError:
        raise TariffInputError(f"{_FIELDS[name]}: write a time like 23:00", field=name) from None
    if moment.second or moment.microsecond or moment.minute % 15:
        raise TariffInputError(f"{_FIELDS[name]}: on a quarter hour, like 23:00", field=name)
    return moment


def _flag(values: Mapping[str, str | None], name: str) -> bool:
    text = values.get(name)
    if text is None:
        return True  # the Dutch default: weekends and holidays are low
    return text.strip().lower() in ("1", "true", "on", "yes")


def _field_of(message: str) -> str | None:
    if message.startswith("VAT"):
        return "vat_pct"
    if message.startswith("low hours"):
        return "low_from"
    return None


def tariff_fields(tariff: Tariff) -> dict[str, str]:
    """The tariff's values as `parse_tariff` reads them (a form's prefill, the API's answer)."""
    if isinstance(tariff, FixedTariff):
        return {"kind": tariff.kind.value, "price": _money_text(tariff.price_eur_per_kwh)}
    if isinstance(tariff, DynamicTariff):
        return {
            "kind": tariff.kind.value,
            "surcharge": _money_text(tariff.supplier_surcharge_eur_per_kwh),
            "energy_tax": _money_text(tariff.energy_tax_eur_per_kwh),
            "vat_pct": _plain(tariff.vat_rate * 100),
        }
    hours = tariff.low_hours
    return {
        "kind": tariff.kind.value,
        "normal": _money_text(tariff.normal_eur_per_kwh),
        "low": _money_text(tariff.low_eur_per_kwh),
        "low_from": f"{hours.start:%H:%M}",
        "low_until": f"{hours.end:%H:%M}",
        "low_weekends": "true" if hours.weekends else "false",
        "low_holidays": "true" if hours.holidays else "false",
    }


def _money_text(value: Decimal) -> str:
    """0.30000000 -> "0.30", 0.09160000 -> "0.0916": cents at least, as people write it."""
    if value == value.quantize(Decimal("0.01")):
        return f"{value:.2f}"
    return _plain(value)


def _plain(value: Decimal) -> str:
    """0.28000000 -> "0.28"; 21.00 -> "21" (no exponent)."""
    return f"{value.normalize():f}"
