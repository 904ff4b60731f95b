"""Real Peblar payloads (tests/fixtures/real/peblar, see SOURCES.md there: python-peblar's
and Home Assistant core's test fixtures) parse with the right values."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from chargebook.domain.models import ChargerState
from chargebook.domain.plausibility import validate_session
from chargebook.errors import ApiPayloadError
from chargebook.peblar.history import MeterLog, MidEvidence, read_meter_log, session_records
from chargebook.peblar.states import car_connected, charger_state
from chargebook.peblar.wire import (
    read_api_token,
    read_ev_interface,
    read_health,
    read_meter,
    read_rest_system,
    read_system_information,
    read_time_zone,
)

RECORDED = Path(__file__).parents[1] / "fixtures" / "real" / "peblar"


def recorded(name: str) -> Any:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def test_every_recorded_file_has_a_test_and_a_source() -> None:
    names = {path.stem for path in RECORDED.glob("*.json")}
    sources = (RECORDED / "SOURCES.md").read_text(encoding="utf-8")
    assert all(f"`{name}.json`" in sources for name in names)
    assert names == {
        "python_peblar_meter",
        "python_peblar_ev_interface",
        "python_peblar_system",
        "python_peblar_system_information",
        "python_peblar_health",
        "python_peblar_api_token",
        "python_peblar_user_configuration",
        "ha_core_meter",
        "ha_core_ev_interface",
        "ha_core_system",
        "ha_core_system_information",
        "ha_core_meter_history",
    }


def test_python_peblar_meter_registers_are_wh() -> None:
    meter = read_meter(recorded("python_peblar_meter"))
    assert meter.energy_total_wh == 4_937_323  # 4,937.323 kWh
    assert meter.energy_session_wh == 34_918
    assert meter.power_total_w == 0
    assert meter.voltages_v == (227, 225, 228)


def test_ha_core_meter_with_phases_that_report_no_voltage() -> None:
    meter = read_meter(recorded("ha_core_meter"))
    assert meter.energy_total_wh == 880_321
    assert meter.voltages_v == (230, None, None)
    assert meter.currents_ma == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "state", "actual_ma", "source"),
    [
        ("python_peblar_ev_interface", ChargerState.WAITING, 11_399, "Dynamic load balancing"),
        ("ha_core_ev_interface", ChargerState.CHARGING, 6_000, "Current limiter"),
    ],
)
def test_ev_interface(name: str, state: ChargerState, actual_ma: int, source: str) -> None:
    ev = read_ev_interface(recorded(name))
    assert ev.limit_ma == 16_000
    assert ev.limit_actual_ma == actual_ma
    assert ev.limit_source == source
    assert not ev.force_1phase
    assert charger_state(ev.cp_state, limit_ma=ev.limit_ma) is state
    assert car_connected(ev.cp_state)


@pytest.mark.parametrize(
    ("name", "firmware", "serial", "uptime"),
    [
        ("python_peblar_system", "1.9.0+1+WL-1", "00-00-AAA-000", 3_514_985),
        ("ha_core_system", "1.6.1+1+WL-1", "23-45-A4O-MOF", 322_094),
    ],
)
def test_rest_system(name: str, firmware: str, serial: str, uptime: int) -> None:
    system = read_rest_system(recorded(name))
    assert (system.firmware, system.serial, system.uptime_s) == (firmware, serial, uptime)
    assert system.phase_count == 3
    assert system.error_codes == ()
    assert system.force_1phase_allowed is True


@pytest.mark.parametrize(
    ("name", "serial", "meter_firmware"),
    [
        ("python_peblar_system_information", "00-00-AAA-000", "3d8966"),
        ("ha_core_system_information", "23-45-A4O-MOF", "b9cbcd"),
    ],
)
def test_system_information_is_a_hint_not_proof(
    name: str, serial: str, meter_firmware: str
) -> None:
    info = read_system_information(recorded(name))
    assert info.serial == serial
    assert info.model_name == "WLAC1-H11R0WE0ICR00"
    assert info.vendor == "Peblar"
    assert info.max_current_a == 16
    assert info.phases == 3
    assert info.has_meter
    assert info.has_meter_display
    assert info.eichrecht_marking is False
    assert info.meter_firmware == meter_firmware
    evidence = MidEvidence(info.has_meter, info.has_meter_display, info.eichrecht_marking, None)
    assert evidence.verdict == "unknown"  # a meter with a display; MID only per its log


def test_health_token_and_user_configuration() -> None:
    assert read_health(recorded("python_peblar_health")) == "ReadWrite"
    assert read_api_token(recorded("python_peblar_api_token")) == "0" * 64
    assert read_time_zone(recorded("python_peblar_user_configuration")) == "Europe/Amsterdam"


def test_ha_core_meter_history() -> None:
    log = read_meter_log(recorded("ha_core_meter_history"))
    assert log.meta is not None
    assert log.meta.mid_certified is True
    assert log.meta.serial == "23-45-A4O-MOF"
    assert MidEvidence(True, True, False, log.meta.mid_certified).verdict == "mid"
    records = list(session_records(log, charger_id="23-45-A4O-MOF", serial="23-45-A4O-MOF"))
    # Session 1 is the one the charger marks corrupted; session 2 still runs (no end yet).
    [record] = records
    assert record.external_id == "23-45-A4O-MOF:1"
    assert record.session is None
    assert record.problem is not None
    assert "corrupted" in record.problem
    assert record.raw["Checksum"] == 42


def test_ha_core_meter_history_session_values() -> None:
    log = read_meter_log(recorded("ha_core_meter_history"))
    trusted = MeterLog(meta=log.meta, items=[(raw, False) for raw, _ in log.items])
    [record] = list(session_records(trusted, charger_id="c", serial="23-45-A4O-MOF"))
    session = record.session
    assert session is not None
    assert session.started_at == datetime(2026, 1, 22, 12, 0, tzinfo=UTC)
    assert session.ended_at == datetime(2026, 1, 22, 19, 0, tzinfo=UTC)
    assert session.duration_s == 7 * 3600
    assert session.energy_kwh == Decimal("7.5")  # (8,500,000 - 1,000,000) mWh
    assert session.mid_energy_kwh == Decimal("7.5")
    assert (session.meter_start_wh, session.meter_stop_wh) == (1_000, 8_500)
    assert validate_session(session, max_current_a=16, phases=3) is None


@pytest.mark.parametrize(
    "payload",
    [[], {"Session": "x"}, {"Session": [], "CorruptedSession": "x"}],
)
def test_a_broken_meter_log_is_a_payload_error(payload: Any) -> None:
    with pytest.raises(ApiPayloadError):
        read_meter_log(payload)


def test_no_sessions_is_an_empty_log() -> None:
    assert read_meter_log({"NoSessions": True}).items == []


@pytest.mark.parametrize(
    ("item", "problem"),
    [
        ("x", "expected an object"),
        ({"SessionNumber": "1"}, "SessionNumber"),
        (
            {
                "SessionNumber": 1,
                "SessionStartTime": 1,
                "SessionEndTime": 2,
                "SessionStartEnergymWh": 5,
                "SessionEndEnergymWh": 4,
            },
            "below the start",
        ),
        (
            {
                "SessionNumber": 1,
                "SessionStartTime": "x",
                "SessionEndTime": 2,
                "SessionStartEnergymWh": 5,
                "SessionEndEnergymWh": 6,
            },
            "Unix seconds",
        ),
    ],
)
def test_bad_items_become_records_with_a_problem(item: Any, problem: str) -> None:
    log = MeterLog(meta=None, items=[(item, False)])
    [record] = list(session_records(log, charger_id="c", serial="S"))
    assert record.session is None
    assert record.problem is not None
    assert problem in record.problem
