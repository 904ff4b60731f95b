"""The tariffs service on a real book (SQLite and PostgreSQL): typed values become a tariff
with one set of messages, periods keep their days, and a session's cost at the tariff never
changes when a later contract is set."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from chargebook.clock import FixedClock
from chargebook.db import Database, UserRepository
from chargebook.db.smart.repository import PriceSlotRepository
from chargebook.domain.book import SessionSample, SessionState
from chargebook.domain.models import ChargerSource, ChargerState
from chargebook.domain.prices import SLOT, PriceSlot
from chargebook.domain.stored import BookSession
from chargebook.domain.tariffs import (
    DayNightTariff,
    DynamicTariff,
    FixedTariff,
    LowHours,
)
from chargebook.errors import ConfigurationError
from chargebook.settings import Settings
from chargebook.tariffs.service import (
    TariffInputError,
    default_tariff,
    owner_schedule,
    parse_day,
    parse_tariff,
    set_owner_tariff,
    tariff_fields,
)
from chargebook.tariffs.session_cost import session_tariff_cost

AMS = ZoneInfo("Europe/Amsterdam")
SETTINGS = Settings()
NIGHT = {"kind": "day_night", "normal": "0.3", "low": "0.2"}
# A weekday evening session in March: 10 kWh, 22:00-01:00 local.
STARTED = datetime(2026, 3, 10, 22, 0, tzinfo=AMS).astimezone(UTC)
SESSION = BookSession(
    id=1, charger_id=1, source=ChargerSource.WALLBOX_CLOUD, external_id="s1",
    started_at=STARTED, ended_at=STARTED + timedelta(hours=3), energy_kwh=Decimal("10"),
    mid_energy_kwh=None, discharged_energy_kwh=Decimal(0), meter_start_wh=None,
    meter_stop_wh=None, cost=Decimal("2.50"), currency="EUR", state=SessionState.OK,
    quarantine_reason=None, raw_sha256="0" * 64, first_seen_at=STARTED, last_seen_at=STARTED,
)  # fmt: skip


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 12, 7, 12, 0, tzinfo=UTC))


def _owner(database: Database, clock: FixedClock) -> int:
    with database.transaction() as session:
        return UserRepository(session, clock).create(email="o@example.com", password_hash="x").id


@pytest.mark.parametrize(
    ("values", "tariff"),
    [
        ({"kind": "fixed", "price": "0,28"}, FixedTariff(Decimal("0.28"))),
        ({"kind": "Fixed", "price": " €0.28 "}, FixedTariff(Decimal("0.28"))),
        ({"kind": "dynamic"}, DynamicTariff()),
        (
            {"kind": "dynamic", "surcharge": "0.025", "energy_tax": "0.1", "vat_pct": "9"},
            DynamicTariff(Decimal("0.025"), Decimal("0.1"), Decimal("0.09")),
        ),
        (
            {"kind": "day/night", "normal": "0.30", "low": "0.22", "low_from": "21:00"},
            DayNightTariff(
                Decimal("0.30"), Decimal("0.22"),
                LowHours(start=datetime(2000, 1, 1, 21).time()),
            ),
        ),
        (
            {"kind": "day_night", "normal": "0.3", "low": "0.2", "low_weekends": "false"},
            DayNightTariff(Decimal("0.3"), Decimal("0.2"), LowHours(weekends=False)),
        ),
    ],
)  # fmt: skip
def test_typed_values_become_a_tariff(values: dict[str, str], tariff: object) -> None:
    parsed = parse_tariff(values)
    assert parsed == tariff
    assert parse_tariff(tariff_fields(parsed)) == parsed  # the form's prefill reads back


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"kind": "cheap"}, "kind", "fixed, dynamic or day_night"),
        ({"kind": "fixed"}, "price", "enter the price per kWh"),
        ({"kind": "fixed", "price": "abc"}, "price", "'abc' is not a number"),
        ({"kind": "fixed", "price": "28"}, "price", "too much"),
        ({"kind": "fixed", "price": "1e400"}, "price", "too much"),
        ({"kind": "fixed", "price": "nan"}, "price", "not a number"),
        ({"kind": "fixed", "price": "-0.1"}, "price", "cannot be negative"),
        ({"kind": "dynamic", "vat_pct": "210"}, "vat_pct", "VAT must be between 0 and 100"),
        ({"kind": "day_night", "normal": "0.3"}, "low", "enter the low price"),
        ({**NIGHT, "low_from": "25:00"}, "low_from", "like 23:00"),
        ({**NIGHT, "low_from": "23:07"}, "low_from", "quarter hour"),
        ({**NIGHT, "low_from": "07:00"}, "low_from", "different times"),
    ],
)  # fmt: skip
def test_bad_values_name_their_field(values: dict[str, str], field: str, words: str) -> None:
    with pytest.raises(TariffInputError, match=words) as caught:
        parse_tariff(values)
    assert caught.value.field == field


def test_start_dates() -> None:
    assert parse_day("") is None
    assert parse_day(None) is None
    assert parse_day("2026-01-01") == date(2026, 1, 1)
    for bad in ("01-01-2026", "0001-01-01", "2026-02-30"):
        with pytest.raises(TariffInputError) as caught:
            parse_day(bad)
        assert caught.value.field == "valid_from"


def test_the_default_comes_from_the_settings() -> None:
    assert default_tariff(Settings()) == DynamicTariff()
    fixed = Settings(tariff_kind="fixed", tariff_price_eur_per_kwh=Decimal("0.27"))
    assert default_tariff(fixed) == FixedTariff(Decimal("0.27"))
    with pytest.raises(ConfigurationError, match="CHARGEBOOK_TARIFF_PRICE_EUR_PER_KWH"):
        default_tariff(Settings(tariff_kind="fixed"))
    with pytest.raises(ConfigurationError, match="CHARGEBOOK_TARIFF_"):
        default_tariff(Settings(tariff_vat_rate=Decimal(21)))


def test_periods_are_kept_and_a_day_set_again_is_replaced(
    database: Database, clock: FixedClock
) -> None:
    owner = _owner(database, clock)
    with database.transaction() as session:
        assert not owner_schedule(session, SETTINGS, owner).own
        set_owner_tariff(session, clock, owner, FixedTariff(Decimal("0.25")), date(2026, 1, 1))
        set_owner_tariff(session, clock, owner, FixedTariff(Decimal("0.30")))  # today
        set_owner_tariff(session, clock, owner, DayNightTariff(Decimal("0.3"), Decimal("0.2")))
    with database.session() as session:
        schedule = owner_schedule(session, SETTINGS, owner)
    assert [p.valid_from for p in schedule.periods] == [
        datetime(2026, 1, 1, tzinfo=AMS), datetime(2026, 12, 7, tzinfo=AMS),
    ]  # fmt: skip
    assert schedule.tariff_at(STARTED) == FixedTariff(Decimal("0.25"))
    assert schedule.tariff_at(clock.now()) == DayNightTariff(Decimal("0.3"), Decimal("0.2"))
    assert schedule.tariff_at(datetime(2025, 6, 1, tzinfo=UTC)) == DynamicTariff()


def test_session_costs_do_not_change_with_a_later_contract(
    database: Database, clock: FixedClock
) -> None:
    owner = _owner(database, clock)
    with database.transaction() as session:
        set_owner_tariff(session, clock, owner, FixedTariff(Decimal("0.25")), date(2026, 1, 1))
    with database.session() as session:
        before = session_tariff_cost(session, SETTINGS, SESSION, owner)
    with database.transaction() as session:  # a new contract from today (7 December)
        set_owner_tariff(session, clock, owner, FixedTariff(Decimal("0.40")))
    with database.session() as session:
        after = session_tariff_cost(session, SETTINGS, SESSION, owner)
        december = replace(
            SESSION, started_at=clock.now(), ended_at=clock.now() + timedelta(hours=3)
        )
        now_cost = session_tariff_cost(session, SETTINGS, december, owner)
    assert before is not None
    assert after == before
    assert before.cost_eur == Decimal("2.5000")
    assert before.complete
    assert now_cost is not None
    assert now_cost.cost_eur == Decimal("4.0000")


def test_day_night_cost_follows_when_the_energy_was_drawn(
    database: Database, clock: FixedClock
) -> None:
    owner = _owner(database, clock)
    with database.transaction() as session:
        tariff = DayNightTariff(Decimal("0.30"), Decimal("0.20"))
        set_owner_tariff(session, clock, owner, tariff, date(2026, 1, 1))
    # Without samples the 10 kWh spread over 22:00-01:00: 1/3 normal, 2/3 low.
    # With samples showing all of it drawn 23:00-00:00, it is all low.
    samples = [
        _sample(STARTED + timedelta(hours=1), 0.0),
        _sample(STARTED + timedelta(hours=2), 10.0),
    ]
    with database.session() as session:
        spread = session_tariff_cost(session, SETTINGS, SESSION, owner)
        sampled = session_tariff_cost(session, SETTINGS, SESSION, owner, samples)
    assert spread is not None
    assert spread.cost_eur == Decimal("2.3333")
    assert sampled is not None
    assert sampled.cost_eur == Decimal("2.0000")


def test_dynamic_cost_uses_cached_market_prices(database: Database, clock: FixedClock) -> None:
    owner = _owner(database, clock)
    with database.session() as session:
        unknown = session_tariff_cost(session, SETTINGS, SESSION, owner)
    assert unknown is not None
    assert not unknown.complete
    slots = [PriceSlot(STARTED + i * SLOT, Decimal("0.10"), Decimal(9)) for i in range(12)]
    with database.transaction() as session:
        PriceSlotRepository(session).upsert("energyzero", slots, clock.now())
        set_owner_tariff(
            session, clock, owner, DynamicTariff(Decimal("0.02"), Decimal("0.08"), Decimal("0")),
            date(2026, 1, 1),
        )  # fmt: skip
    with database.session() as session:
        cost = session_tariff_cost(session, SETTINGS, SESSION, owner)
    # 10 kWh × (0.10 + 0.02 + 0.08): the cache's own all-in (9) is not what the owner pays.
    assert cost is not None
    assert cost.complete
    assert cost.cost_eur == Decimal("2.0000")


def _sample(moment: datetime, energy_kwh: float) -> SessionSample:
    return SessionSample(
        source=ChargerSource.WALLBOX_CLOUD, charger_external_id="1", observed_at=moment,
        power_kw=10.0, energy_kwh=energy_kwh, state=ChargerState.CHARGING, status_code=194,
    )  # fmt: skip


def test_the_table_refuses_a_tariff_without_its_figures(
    database: Database, clock: FixedClock
) -> None:
    from sqlalchemy.exc import IntegrityError

    from chargebook.db.smart.tables import OwnerTariffRow

    owner = _owner(database, clock)
    for kind in ("fixed", "dynamic", "day_night", "cheap"):
        with pytest.raises(IntegrityError), database.transaction() as session:
            session.add(
                OwnerTariffRow(
                    user_id=owner, valid_from=clock.now(), kind=kind, created_at=clock.now()
                )
            )
