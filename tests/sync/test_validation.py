"""Table tests of the quarantine rules and record checking."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from chargebook.domain.book import SessionState
from chargebook.domain.models import (
    Charger,
    ChargerSource,
    ChargingSession,
    MidMeter,
    SessionRecord,
)
from chargebook.sync.validation import (
    charger_limits,
    check_record,
    max_energy_kwh,
    raw_sha256,
    validate_session,
)

T0 = datetime(2026, 1, 5, 18, 0, tzinfo=UTC)


def session(
    *,
    hours: float = 2.0,
    energy: str = "10",
    mid: str | None = "0",
    discharged: str = "0",
) -> ChargingSession:
    return ChargingSession(
        source=ChargerSource.WALLBOX_CLOUD,
        external_id="1",
        charger_external_id="9",
        started_at=T0,
        ended_at=T0 + timedelta(hours=hours),
        energy_kwh=Decimal(energy),
        mid_energy_kwh=None if mid is None else Decimal(mid),
        discharged_energy_kwh=Decimal(discharged),
    )


@pytest.mark.parametrize(
    ("case", "kwargs", "max_current_a", "expected"),
    [
        ("plain session", {}, 32, None),
        ("zero energy", {"energy": "0"}, 32, None),
        ("negative energy", {"energy": "-0.5"}, 32, "negative energy"),
        ("negative mid energy", {"mid": "-1"}, 32, "negative mid_energy"),
        ("negative discharge", {"discharged": "-2"}, 32, "negative discharged_energy"),
        ("end before start", {"hours": -1.0, "energy": "0"}, 32, "end before start"),
        ("zero duration with energy", {"hours": 0.0, "energy": "1"}, 32, "energy above"),
        # 16 A x 230 V x 3 = 11.04 kW; 2 h = 22.08 kWh
        ("exactly at 16 A limit", {"energy": "22.08"}, 16, None),
        ("within rounding slack", {"energy": "22.09"}, 16, None),
        ("above 16 A limit", {"energy": "22.6"}, 16, "energy above the charger's maximum"),
        # unknown max current falls back to 48 A: 33.12 kW x 2 h = 66.24 kWh
        ("unknown max current, fine", {"energy": "60"}, None, None),
        ("unknown max current, too much", {"energy": "70"}, None, "energy above"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_validate_session(
    case: str, kwargs: dict[str, object], max_current_a: int | None, expected: str | None
) -> None:
    reason = validate_session(session(**kwargs), max_current_a=max_current_a)  # type: ignore[arg-type]
    if expected is None:
        assert reason is None, case
    else:
        assert reason is not None, case
        assert reason.startswith(expected), (case, reason)


def test_max_energy_uses_three_phases_at_230_volts() -> None:
    assert max_energy_kwh(T0, T0 + timedelta(hours=1), max_current_a=32) == Decimal("22.08")
    assert max_energy_kwh(T0, T0 - timedelta(hours=1), max_current_a=32) == 0


def test_hash_is_independent_of_key_order() -> None:
    assert raw_sha256({"a": 1, "b": [1, 2]}) == raw_sha256({"b": [1, 2], "a": 1})
    assert raw_sha256({"a": 1}) != raw_sha256({"a": 2})


@pytest.mark.parametrize(
    ("case", "record_kwargs", "state", "reason_start"),
    [
        ("good", {}, SessionState.OK, None),
        (
            "unparseable",
            {"session": None, "problem": "missing field: end"},
            SessionState.QUARANTINED,
            "missing field: end",
        ),
        ("unparseable, no reason", {"session": None}, SessionState.QUARANTINED, "the record"),
        ("no id", {"external_id": None}, SessionState.QUARANTINED, "missing field: id"),
        ("bad energy", {"session": session(energy="-1")}, SessionState.QUARANTINED, "negative"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_check_record(
    case: str, record_kwargs: dict[str, object], state: SessionState, reason_start: str | None
) -> None:
    raw = {"id": "1", "start": 1, "energy": 10}
    fields: dict[str, object] = {"external_id": "1", "session": session(), "problem": None}
    fields.update(record_kwargs)
    record = SessionRecord(
        source=ChargerSource.WALLBOX_CLOUD,
        charger_external_id="9",
        raw=raw,
        **fields,  # type: ignore[arg-type]
    )
    entry = check_record(record, max_current_a=32)
    assert entry.state is state, case
    assert entry.raw_sha256 == raw_sha256(raw)
    if reason_start is None:
        assert entry.reason is None
        assert entry.external_id == "1"
    else:
        assert entry.reason is not None
        assert entry.reason.startswith(reason_start)
    if record.external_id is None:
        # stable synthetic id: the same bad record is stored once
        assert entry.external_id == check_record(record, max_current_a=32).external_id
        assert entry.external_id.startswith("missing-id:")


@pytest.mark.parametrize(
    ("case", "model", "part_number", "configured_a", "expected"),
    [
        ("pulsar at 16 A: hardware is 32 A", "Pulsar Plus", None, 16, (32, 3)),
        ("unknown current", "Commander 2", None, None, (32, 3)),
        ("north american 48 A", "Pulsar Plus", "PUP1-U-1-5-N-002-A", 48, (48, 3)),
        ("quasar is single phase", "Quasar", None, 32, (32, 1)),
        ("quasar by part number", "Wallbox", "QSP1-0-2-4-9-002-E", 32, (32, 1)),
        ("quasar 2 is not", "Quasar 2", None, 48, (48, 3)),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_charger_limits(
    case: str,
    model: str,
    part_number: str | None,
    configured_a: int | None,
    expected: tuple[int, int],
) -> None:
    charger = Charger(
        source=ChargerSource.WALLBOX_CLOUD,
        external_id="1",
        name="c",
        serial_number=None,
        part_number=part_number,
        model=model,
        firmware_version=None,
        max_current_a=configured_a,
        time_zone=None,
        mid=MidMeter(enabled=False),
    )
    assert charger_limits(charger) == expected, case
