"""MID per brand (issue 19): Easee, Zaptec and Peblar chargers in the metering catalog, and
`assess_brand`: a charger whose MID meter the API cannot prove is "unknown" with what resolves
it, never silently qualifying."""

from __future__ import annotations

import pytest

from chargebook.db.core.testing import example_charger
from chargebook.domain.models import ChargerSource, MidMeter
from chargebook.ere import MeteringVerdict, assess_brand, assess_wallbox
from chargebook.ere.catalog import MidCapability, lookup_model
from chargebook.ere.metering import MID_PROOF_FOLLOW_UP

NO_MID = MidMeter(enabled=False)


def brand(source: ChargerSource, model: str, *, serial: str = "X1", mid: MidMeter = NO_MID):  # type: ignore[no-untyped-def]
    return example_charger(
        "B-1", source=source, model=model, part_number=None, serial_number=serial, mid=mid
    )


@pytest.mark.parametrize(
    ("part", "model", "name", "capability"),
    [
        (None, "Easee Home", "Easee Home", MidCapability.ONLY_IF_REPORTED),
        (None, "Easee Charge", "Easee Charge", MidCapability.ONLY_IF_REPORTED),
        (None, "Easee One", "Easee One", MidCapability.ONLY_IF_REPORTED),
        ("ZAP000123", None, "Zaptec Go", MidCapability.YES),
        ("GPN123456", None, "Zaptec Go 2", MidCapability.YES),
        ("ZPR012345", None, "Zaptec Pro", MidCapability.YES),
        (None, "Peblar Home", "Peblar Home", MidCapability.YES),
        (None, "Peblar Home Plus", "Peblar Home Plus", MidCapability.YES),
        (None, "Peblar Business", "Peblar Business", MidCapability.YES),
    ],
)
def test_the_catalog_knows_the_brands_models(
    part: str | None, model: str | None, name: str, capability: MidCapability
) -> None:
    entry = lookup_model(part, model)
    assert entry is not None
    assert (entry.model_name, entry.has_mid) == (name, capability)


def test_an_easee_never_qualifies_on_its_own_word() -> None:
    assessment = assess_brand(brand(ChargerSource.EASEE_CLOUD, "Easee Home"))
    assert assessment.verdict is MeteringVerdict.UNKNOWN
    assert assessment.model_name == "Easee Home"
    assert "cannot tell" in assessment.explanation
    assert MID_PROOF_FOLLOW_UP in assessment.explanation


def test_a_zaptec_qualifies_when_the_api_proves_its_meter_and_is_unknown_otherwise() -> None:
    proven = MidMeter(enabled=True, serial_number="ZAP000123")
    qualifying = assess_brand(
        brand(ChargerSource.ZAPTEC_CLOUD, "Go", serial="ZAP000123", mid=proven)
    )
    assert qualifying.verdict is MeteringVerdict.QUALIFYING
    assert (qualifying.model_name, qualifying.mid_serial) == ("Zaptec Go", "ZAP000123")
    unproven = assess_brand(brand(ChargerSource.ZAPTEC_CLOUD, "Go", serial="ZAP000123"))
    assert unproven.verdict is MeteringVerdict.UNKNOWN
    assert "did not report" in unproven.explanation
    # Sessions booked, none with MID energy: the meter is doubted, not trusted.
    doubted = assess_brand(
        brand(ChargerSource.ZAPTEC_CLOUD, "Go", serial="ZAP000123", mid=proven),
        sessions_seen=4,
        sessions_with_mid_energy=0,
    )
    assert doubted.verdict is MeteringVerdict.UNKNOWN


def test_a_peblar_with_its_meter_reported_qualifies() -> None:
    meter = MidMeter(enabled=True, serial_number="MTR-42")
    assessment = assess_brand(brand(ChargerSource.PEBLAR_LOCAL, "Peblar Home Plus", mid=meter))
    assert assessment.verdict is MeteringVerdict.QUALIFYING
    missing = assess_brand(brand(ChargerSource.PEBLAR_LOCAL, "Peblar Home"))
    assert missing.verdict is MeteringVerdict.UNKNOWN


def test_an_unknown_model_is_unknown_and_the_wallbox_rules_are_unchanged() -> None:
    assert assess_brand(brand(ChargerSource.EASEE_CLOUD, "Mystery")).verdict is (
        MeteringVerdict.UNKNOWN
    )
    plus = example_charger(mid=NO_MID)
    assert assess_wallbox(plus).verdict is MeteringVerdict.NEEDS_UPGRADE
