"""How one MeterValues payload becomes readings: contexts, locations, phases, units, duplicates
and same-timestamp elements (see `chargebook.central_system.readings`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from chargebook.central_system.readings import parse_meter_values
from chargebook.central_system.wire_spelling import spell_sampled_values

AT = "2026-03-10T18:00:00Z"
MOMENT = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
E = "Energy.Active.Import.Register"
P = "Power.Active.Import"
I = "Current.Import"  # noqa: E741 - the OCPP measurand's own letter


def sv(measurand: str, value: str, **fields: str) -> dict[str, Any]:
    return {"measurand": measurand, "value": value, **fields}


def one(*sampled: dict[str, Any], timestamp: str = AT) -> Any:
    readings = parse_meter_values([{"timestamp": timestamp, "sampled_value": list(sampled)}])
    assert len(readings) == 1
    return readings[0]


def test_contexts_are_never_added_up_and_begin_is_kept_as_evidence() -> None:
    reading = one(
        sv(E, "163630", context="Sample.Periodic", unit="Wh"),
        sv(E, "157440", context="Transaction.Begin", unit="Wh"),
    )
    assert reading.energy_register_wh == 163630.0  # was 321070: both contexts summed
    assert reading.begin_register_wh == 157440.0
    assert reading.extra["transaction_begin_register_wh"] == 157440.0


def test_a_transaction_begin_reading_alone_is_the_reading() -> None:
    reading = one(sv(E, "157440", context="Transaction.Begin"))
    assert reading.energy_register_wh == 157440.0
    assert reading.begin_register_wh is None


@pytest.mark.parametrize(
    ("first", "second", "expected"),
    [
        ("Transaction.End", "Sample.Periodic", 2000.0),
        ("Sample.Clock", "Trigger", 1000.0),
        ("Trigger", "Transaction.End", 1000.0),
    ],
)
def test_the_best_context_wins(first: str, second: str, expected: float) -> None:
    reading = one(sv(P, "1000", context=first), sv(P, "2000", context=second))
    assert reading.power_w == expected


def test_phases_are_summed_only_without_a_total() -> None:
    phases = [sv(P, v, phase=f"L{n}") for n, v in ((1, "3464"), (2, "3492"), (3, "3416"))]
    assert one(*phases).power_w == 10372.0
    assert one(*phases, sv(P, "10400")).power_w == 10400.0  # the total wins
    currents = [sv(I, v, phase=f"L{n}") for n, v in ((1, "15.21"), (2, "15.42"), (3, "15.15"))]
    assert one(*currents).current_a == 15.42  # the highest phase, not the sum


def test_neutral_and_line_to_line_values_are_not_phases() -> None:
    reading = one(
        sv(I, "16", phase="L1-N"),
        sv(I, "3", phase="N"),
        sv(P, "3680", phase="L1-N"),
        sv(P, "9999", phase="L1-L2"),
    )
    assert reading.current_a == 16.0
    assert reading.power_w == 3680.0


@pytest.mark.parametrize(
    ("measurand", "value", "unit", "field", "expected"),
    [
        (E, "1.625", "kWh", "energy_register_wh", 1625.0),
        (E, "1625", "wh", "energy_register_wh", 1625.0),
        (E, "1625", None, "energy_register_wh", 1625.0),
        (P, "3.43", "kW", "power_w", 3430.0),
        (P, "3430", "W", "power_w", 3430.0),
        (I, "16", "A", "current_a", 16.0),
        (E, "1625", "varh", "energy_register_wh", None),  # never guessed
        (P, "3430", "kWh", "power_w", None),
    ],
)
def test_units(
    measurand: str, value: str, unit: str | None, field: str, expected: float | None
) -> None:
    fields = {"unit": unit} if unit else {}
    assert getattr(one(sv(measurand, value, **fields)), field) == expected


def test_locations() -> None:
    assert one(sv(E, "5", location="Inlet"), sv(E, "7", location="Outlet")).energy_register_wh == 7
    assert one(sv(E, "2331816", location="Body")).energy_register_wh == 2331816
    assert one(sv(E, "60", location="EV")).energy_register_wh is None


def test_duplicates_in_one_context() -> None:
    # MicroOcpp sent a spurious 0 next to the real register (matth-x/MicroOcpp #128).
    reading = one(sv(E, "0"), sv(E, "1244"), sv(P, "100"), sv(P, "200"))
    assert reading.energy_register_wh == 1244.0
    assert reading.power_w == 200.0


def test_spaces_case_and_garbage() -> None:
    reading = one(
        sv(E, " 0.0"), sv("Current.import", "124"), sv(P, "NaN"), sv(P, "abc"), sv(P, "inf")
    )
    assert reading.energy_register_wh == 0.0
    assert reading.current_a == 124.0
    assert reading.power_w is None


def test_other_measurands_go_to_extra() -> None:
    reading = one(sv("Voltage", "230.0", phase="L1-N"), sv("SoC", "25", location="EV"))
    assert reading.extra == {"Voltage.L1-N": 230.0, "SoC": 25.0}


def test_elements_of_one_instant_are_merged() -> None:
    readings = parse_meter_values(
        [
            {"timestamp": AT, "sampled_value": [sv(E, "1000"), sv(P, "7000")]},
            {"timestamp": "2026-03-10T19:00:00+01:00", "sampled_value": [sv(E, "1001")]},
            {"timestamp": "2026-03-10T18:00:01Z", "sampled_value": [sv(P, "10")]},
        ]
    )
    assert [r.observed_at for r in readings] == [MOMENT, MOMENT.replace(second=1)]
    assert (readings[0].energy_register_wh, readings[0].power_w) == (1001.0, 7000.0)


def test_sampled_values_get_the_schema_spelling_before_validation() -> None:
    def payload(key: str) -> dict[str, Any]:
        values = [
            {"value": "124", "measurand": "Current.import", "unit": "a", "context": "trigger"},
            {"value": "50", "measurand": "Frequency", "unit": "Hz"},
            {"value": "30", "measurand": "Temperature", "unit": "Celsius"},
        ]
        return {key: [{"timestamp": AT, "sampledValue": values}]}

    for action, key in (("MeterValues", "meterValue"), ("StopTransaction", "transactionData")):
        spelled = spell_sampled_values(action, payload(key))
        assert spelled[key][0]["sampledValue"] == [
            {"value": "124", "measurand": "Current.Import", "unit": "A", "context": "Trigger"},
            {"value": "30", "measurand": "Temperature", "unit": "Celsius"},
        ]
    untouched = payload("meterValue")
    assert spell_sampled_values("DataTransfer", untouched) == payload("meterValue")


def test_spelling_leaves_malformed_payloads_to_the_schema() -> None:
    odd: dict[str, Any] = {
        "meterValue": [
            "not an element",
            {"timestamp": AT, "sampledValue": ["x", {"value": "1", "unit": ["Wh"]}]},
            {"timestamp": AT, "sampledValue": None},
        ]
    }
    assert spell_sampled_values("MeterValues", odd) == odd
    assert spell_sampled_values("MeterValues", ["not", "a", "dict"]) == ["not", "a", "dict"]
