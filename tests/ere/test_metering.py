from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from chargebook.domain.ere import MeteringConstruct, MeteringKind
from chargebook.domain.models import Charger, ChargerSource, ChargingSession, MidMeter
from chargebook.ere import (
    MODEL_CATALOG,
    FollowUp,
    MeteringVerdict,
    MidCapability,
    assess_ocpp_boot,
    assess_wallbox,
    construct_for,
    effective_constructs,
    is_mid_metered,
    lookup_model,
    registration_start,
)

from .factories import make_construct, make_session

NO_MID = MidMeter(enabled=False, serial_number="", status=0)
MID = MidMeter(enabled=True, serial_number="MID123", status=1)
MID_NO_SERIAL = MidMeter(enabled=True, serial_number="", status=1)


def charger(part_number: str | None, model: str, mid: MidMeter) -> Charger:
    return Charger(
        source=ChargerSource.WALLBOX_CLOUD,
        external_id="c1",
        name="Home",
        serial_number="123",
        part_number=part_number,
        model=model,
        firmware_version=None,
        max_current_a=32,
        time_zone="Europe/Amsterdam",
        mid=mid,
    )


@pytest.mark.parametrize(
    ("part_number", "model", "expected"),
    [
        pytest.param("PLP1-M-2-4-9-002-F", "", "Wallbox Pulsar Plus", id="pulsar-plus-eu"),
        pytest.param("pup1-u-1-5-n-002-a", "", "Wallbox Pulsar Plus", id="pulsar-plus-na-lower"),
        pytest.param("PUP3-0-0", "", "Wallbox Pulsar Pro", id="pulsar-pro-na"),
        pytest.param("QSP1-0-2-4-9-002-E", "", "Wallbox Quasar", id="quasar"),
        pytest.param(None, "Pulsar Pro", "Wallbox Pulsar Pro", id="name-pulsar-pro"),
        pytest.param(None, "Commander 2", "Wallbox Commander", id="name-commander-2"),
        pytest.param("XYZ1-0", "Copper SB", "Wallbox Copper SB", id="unknown-part-name-copper"),
        pytest.param("PLP1-0-2-3", "Copper SB", "Wallbox Pulsar Plus", id="part-number-wins"),
        pytest.param("ABC", "Mystery", None, id="unknown"),
    ],
)
def test_lookup_model(part_number: str | None, model: str, expected: str | None) -> None:
    entry = lookup_model(part_number, model)
    assert (entry.model_name if entry else None) == expected


def test_catalog_is_a_table_with_all_three_capabilities() -> None:
    assert {entry.has_mid for entry in MODEL_CATALOG} == set(MidCapability)


@pytest.mark.parametrize(
    ("part_number", "model", "mid", "sessions", "with_mid", "verdict"),
    [
        pytest.param("PLP1-M-2-4-9-002-F", "", NO_MID, 0, 0, "needs_upgrade", id="pulsar-plus"),
        pytest.param("PLP1-0-2-4", "", MID, 5, 5, "needs_upgrade", id="pulsar-plus-claims-mid"),
        pytest.param(None, "Pulsar Pro", NO_MID, 0, 0, "needs_upgrade", id="pulsar-pro"),
        pytest.param(None, "Commander 2", NO_MID, 0, 0, "needs_upgrade", id="consumer-commander"),
        pytest.param(None, "Commander 2", MID, 3, 3, "qualifying", id="commander-mid-reported"),
        pytest.param(None, "Copper SB", MID, 0, 0, "qualifying", id="copper-sb-mid-reported"),
        pytest.param(None, "Copper SB", NO_MID, 0, 0, "needs_upgrade", id="copper-sb-no-mid"),
        pytest.param(
            None, "Copper SB", MID_NO_SERIAL, 0, 0, "needs_upgrade", id="copper-no-serial"
        ),
        pytest.param(None, "Copper SB", MID, 4, 0, "unknown", id="copper-mid-but-no-mid-energy"),
        pytest.param("QSP1-0", "", MID, 1, 1, "qualifying", id="quasar-mid-reported"),
        pytest.param("1529455-02-D", "", NO_MID, 0, 0, "unknown", id="mid-model-serial-unknown"),
        pytest.param("1529455-02-D", "", MID, 1, 1, "qualifying", id="mid-model-with-serial"),
        pytest.param("ZZZ9", "Other", NO_MID, 0, 0, "unknown", id="unknown-model-no-mid"),
        pytest.param("ZZZ9", "Other", MID, 2, 2, "qualifying", id="unknown-model-mid-reported"),
    ],
)
def test_assess_wallbox(
    part_number: str | None,
    model: str,
    mid: MidMeter,
    sessions: int,
    with_mid: int,
    verdict: str,
) -> None:
    result = assess_wallbox(
        charger(part_number, model, mid), sessions_seen=sessions, sessions_with_mid_energy=with_mid
    )
    assert result.verdict == verdict
    assert result.explanation
    if result.verdict is MeteringVerdict.NEEDS_UPGRADE:
        assert result.follow_ups == (FollowUp.UPGRADE_QUOTE, FollowUp.SAP_GUIDANCE)
        assert result.suggested_kind is MeteringKind.NONE
    else:
        assert result.follow_ups == ()
    if result.verdict is MeteringVerdict.QUALIFYING:
        assert result.mid_serial == "MID123"
        assert "MID123" in result.explanation
        assert result.suggested_kind is MeteringKind.INTEGRATED_MID


@pytest.mark.parametrize(
    ("meter_type", "serial", "model", "verdict"),
    [
        pytest.param(
            "Internal NON compliant", None, "PUP1-U-1-6", "needs_upgrade", id="pulsar-boot"
        ),
        pytest.param(
            "internal non-compliant", "X", None, "needs_upgrade", id="non-compliant-lower"
        ),
        pytest.param("MID", "M-77", "Acme AC22", "qualifying", id="mid-with-serial"),
        pytest.param("EN 50470-3", "M-77", None, "qualifying", id="en50470-with-serial"),
        pytest.param("MID", None, None, "unknown", id="mid-without-serial"),
        pytest.param("MID", "M-77", "PLP1-0-2-3", "needs_upgrade", id="catalog-no-mid-wins"),
        pytest.param(None, None, None, "unknown", id="no-meter-type"),
        pytest.param("Shunt", "S1", None, "unknown", id="other-meter-type"),
    ],
)
def test_assess_ocpp_boot(
    meter_type: str | None, serial: str | None, model: str | None, verdict: str
) -> None:
    result = assess_ocpp_boot(
        meter_type=meter_type, meter_serial_number=serial, charge_point_model=model
    )
    assert result.verdict == verdict
    assert result.explanation


def test_construct_must_cover_whole_session_and_registration_starts_with_qualifying() -> None:
    switch = datetime(2026, 4, 1, tzinfo=UTC)
    none_before = make_construct(
        MeteringKind.NONE, valid_from=datetime(2025, 1, 1, tzinfo=UTC), valid_until=switch
    )
    mid_after = make_construct(valid_from=switch)
    constructs = (none_before, mid_after)
    assert registration_start(constructs) == switch
    assert registration_start((none_before,)) is None
    before = (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 1, 2, tzinfo=UTC))
    straddling = (datetime(2026, 3, 31, 23, tzinfo=UTC), datetime(2026, 4, 1, 1, tzinfo=UTC))
    after = (switch, datetime(2026, 4, 1, 2, tzinfo=UTC))
    assert construct_for(constructs, *before) is none_before
    assert construct_for(constructs, *straddling) is None
    assert construct_for(constructs, *after) is mid_after


# -- when metering qualifies ---------------------------------------------------------------

JAN = datetime(2026, 1, 3, 18, tzinfo=UTC)
DEC = datetime(2026, 12, 6, 23, tzinfo=UTC)


def _all_along(valid_from: datetime) -> MeteringConstruct:
    return replace(make_construct(valid_from=valid_from), from_first_mid_session=True)


@pytest.mark.parametrize(
    ("session", "metered"),
    [
        pytest.param(make_session(mid_energy_kwh="7.5"), True, id="mid-energy"),
        pytest.param(make_session(mid_energy_kwh="0"), False, id="zero-mid-energy"),
        pytest.param(make_session(mid_energy_kwh=None), False, id="no-mid-energy"),
        pytest.param(
            make_session(mid_energy_kwh=None, meter_start_wh=10, meter_stop_wh=9_000),
            True,
            id="register-moved",
        ),
        pytest.param(
            make_session(mid_energy_kwh=None, meter_start_wh=10, meter_stop_wh=10),
            False,
            id="register-still",
        ),
    ],
)
def test_a_mid_metered_session_carries_a_mid_quantity(
    session: ChargingSession, metered: bool
) -> None:
    assert is_mid_metered(session) is metered


def test_a_meter_there_all_along_counts_from_the_first_mid_session() -> None:
    # Detection looked in December; the first MID-metered session is in January.
    (construct,) = effective_constructs((_all_along(DEC),), JAN)
    assert construct.valid_from == JAN
    # Detection after the backfill recorded January itself: the same start.
    assert effective_constructs((_all_along(JAN),), JAN) == (construct,)


def test_a_later_first_session_or_none_leaves_the_recorded_start() -> None:
    assert effective_constructs((_all_along(JAN),), DEC)[0].valid_from == JAN
    assert effective_constructs((_all_along(DEC),), None)[0].valid_from == DEC


def test_an_unmarked_construct_keeps_its_date() -> None:
    # An upgrade or a SAP counts from the recorded date, whatever sessions came before.
    plain = make_construct(valid_from=DEC)
    assert effective_constructs((plain,), JAN) == (plain,)
