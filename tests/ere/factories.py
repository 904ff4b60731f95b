"""Builders for ERE test data: valid EANs, sessions, links, mandates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from chargebook.domain.ere import CustomerKind, Mandate, MeteringConstruct, MeteringKind
from chargebook.domain.models import ChargerSource, ChargingSession
from chargebook.ere import ChargerLink, EligibilityContext, gs1_check_digit

T0 = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 6, 1, tzinfo=UTC)


def make_ean(body_tail: str = "00000000000001") -> str:
    """A valid Dutch EAN: 871 + 14 digits + our own check digit."""
    body = ("871" + body_tail)[:17].ljust(17, "0")
    return body + str(gs1_check_digit(body))


EAN = make_ean("68712000123456")
SAP_EAN = make_ean("99900000000007")


def make_session(
    sid: str = "s1",
    *,
    charger: str = "c1",
    start: datetime = datetime(2026, 3, 10, 18, 0, tzinfo=UTC),
    hours: float = 2.0,
    energy_kwh: str = "10",
    mid_energy_kwh: str | None = "10",
    discharged_kwh: str = "0",
    meter_start_wh: int | None = None,
    meter_stop_wh: int | None = None,
) -> ChargingSession:
    return ChargingSession(
        source=ChargerSource.WALLBOX_CLOUD,
        external_id=sid,
        charger_external_id=charger,
        started_at=start,
        ended_at=start + timedelta(hours=hours),
        energy_kwh=Decimal(energy_kwh),
        mid_energy_kwh=None if mid_energy_kwh is None else Decimal(mid_energy_kwh),
        discharged_energy_kwh=Decimal(discharged_kwh),
        meter_start_wh=meter_start_wh,
        meter_stop_wh=meter_stop_wh,
    )


def make_construct(
    kind: MeteringKind = MeteringKind.INTEGRATED_MID,
    *,
    charger: str = "c1",
    valid_from: datetime = T0,
    valid_until: datetime | None = None,
) -> MeteringConstruct:
    return MeteringConstruct(
        charger_external_id=charger,
        kind=kind,
        valid_from=valid_from,
        valid_until=valid_until,
        mid_serial="MID-1" if kind is not MeteringKind.NONE else None,
        sap_ean=SAP_EAN if kind is MeteringKind.SAP else None,
    )


def make_link(
    charger: str = "c1",
    *,
    ean: str = EAN,
    customer: str = "cust-1",
    max_power_kw: str = "11",
    constructs: tuple[MeteringConstruct, ...] | None = None,
    customer_kind: CustomerKind = CustomerKind.PRIVATE,
) -> ChargerLink:
    return ChargerLink(
        charger_external_id=charger,
        ean=ean,
        customer_id=customer,
        max_power_kw=Decimal(max_power_kw),
        constructs=constructs if constructs is not None else (make_construct(charger=charger),),
        customer_kind=customer_kind,
    )


def make_mandate(
    *,
    mandate_id: str = "m1",
    ean: str = EAN,
    customer: str = "cust-1",
    provider: str = "idv-1",
    first_year: int = 2026,
    last_year: int = 2026,
    grid_consent: bool = True,
    verifier_consent: bool = True,
    signed_by: str = "A. Owner",
    signed_on: date = date(2026, 2, 1),
) -> Mandate:
    return Mandate(
        mandate_id=mandate_id,
        customer_id=customer,
        ean=ean,
        service_provider_id=provider,
        first_year=first_year,
        last_year=last_year,
        consent_grid_operator_data=grid_consent,
        consent_verifier_visit=verifier_consent,
        signed_by_name=signed_by,
        signed_on=signed_on,
    )


def make_context(
    *,
    links: tuple[ChargerLink, ...] | None = None,
    mandates: tuple[Mandate, ...] | None = None,
    now: datetime = NOW,
    registered: frozenset[str] = frozenset(),
) -> EligibilityContext:
    links = links if links is not None else (make_link(),)
    mandates = mandates if mandates is not None else (make_mandate(),)
    by_ean: dict[str, list[Mandate]] = {}
    for mandate in mandates:
        by_ean.setdefault(mandate.ean, []).append(mandate)
    return EligibilityContext(
        chargers={link.charger_external_id: link for link in links},
        mandates_by_ean={ean: tuple(ms) for ean, ms in by_ean.items()},
        now=now,
        already_registered=registered,
    )
