"""The mirror's command policy, one table per OCPP version: the same rules under 1.6J and
2.0.1 names (ocpp-next.md §3.7 item 4)."""

from __future__ import annotations

import pytest

from chargebook.central_system.mirror.policy import (
    configured_settings,
    own_command_refusal,
    upstream_command_refusal,
)
from chargebook.domain.ocpp_upstream import UpstreamMode

UPSTREAM = UpstreamMode.UPSTREAM_PRIMARY
CHARGEBOOK = UpstreamMode.CHARGEBOOK_PRIMARY


def _set(*names: tuple[str, str]) -> dict[str, object]:
    return {"setVariableData": [
        {"component": {"name": c}, "variable": {"name": v}, "attributeValue": "secret-value-1"}
        for c, v in names
    ]}  # fmt: skip


@pytest.mark.parametrize(
    ("version", "action"),
    [("1.6", "RemoteStartTransaction"), ("2.0.1", "RequestStartTransaction"),
     ("2.0.1", "GetVariables"), ("2.0.1", "RequestStopTransaction")],
)  # fmt: skip
def test_the_upstream_may_start_stop_and_read_when_chargebook_is_primary(
    version: str, action: str
) -> None:
    assert upstream_command_refusal(version, CHARGEBOOK, action, {}) is None


@pytest.mark.parametrize(
    ("version", "action"),
    [("1.6", "Reset"), ("2.0.1", "Reset"), ("2.0.1", "SetNetworkProfile"),
     ("2.0.1", "SetChargingProfile"), ("2.0.1", "InstallCertificate"),
     ("2.0.1", "RemoteStartTransaction")],  # a 1.6 name means nothing to a 2.0.1 station
)  # fmt: skip
def test_other_upstream_commands_get_a_security_error(version: str, action: str) -> None:
    refusal = upstream_command_refusal(version, CHARGEBOOK, action, {})
    assert refusal is not None
    assert refusal.answer is None
    assert upstream_command_refusal(version, UPSTREAM, action, {}) is None


def test_set_variables_of_owned_variables_are_rejected_item_by_item() -> None:
    payload = _set(("AlignedDataCtrlr", "Interval"), ("DisplayCtrlr", "Brightness"))
    refusal = upstream_command_refusal("2.0.1", CHARGEBOOK, "SetVariables", payload)
    assert refusal is not None
    assert refusal.answer is not None
    results = refusal.answer["setVariableResult"]
    assert [r["attributeStatus"] for r in results] == ["Rejected", "Rejected"]
    assert [r["variable"]["name"] for r in results] == ["Interval", "Brightness"]
    assert "AlignedDataCtrlr.Interval" in results[1]["attributeStatusInfo"]["additionalInfo"]
    for component in ("SecurityCtrlr", "OCPPCommCtrlr", "SampledDataCtrlr"):
        variable = {"SecurityCtrlr": "Identity", "OCPPCommCtrlr": "NetworkConfigurationPriority",
                    "SampledDataCtrlr": "TxUpdatedMeasurands"}[component]  # fmt: skip
        assert (
            upstream_command_refusal(
                "2.0.1", CHARGEBOOK, "SetVariables", _set((component, variable))
            )
            is not None
        )
    harmless = _set(("DisplayCtrlr", "Brightness"), ("OCPPCommCtrlr", "MessageAttempts"))
    assert upstream_command_refusal("2.0.1", CHARGEBOOK, "SetVariables", harmless) is None


def test_1_6_keys_keep_their_rule() -> None:
    owned = {"key": "MeterValuesSampledData", "value": "Voltage"}
    refusal = upstream_command_refusal("1.6", CHARGEBOOK, "ChangeConfiguration", owned)
    assert refusal is not None
    assert refusal.answer == {"status": "Rejected"}
    assert (
        upstream_command_refusal(
            "1.6", CHARGEBOOK, "ChangeConfiguration", {"key": "LightIntensity", "value": "5"}
        )
        is None
    )


@pytest.mark.parametrize(
    ("version", "read", "write"),
    [("1.6", "GetConfiguration", "ChangeConfiguration"), ("2.0.1", "GetVariables", "SetVariables")],
)
def test_chargebook_only_reads_when_the_upstream_is_primary(
    version: str, read: str, write: str
) -> None:
    assert own_command_refusal(version, UPSTREAM, read, {}) is None
    assert "configuration conflict" in (own_command_refusal(version, UPSTREAM, write, {}) or "")
    assert own_command_refusal(version, UPSTREAM, "Reset", {}) is not None
    assert own_command_refusal(version, CHARGEBOOK, write, {}) is None


def test_the_log_names_variables_never_their_values() -> None:
    named = configured_settings(
        "2.0.1", "SetVariables", _set(("SecurityCtrlr", "BasicAuthPassword"))
    )
    assert named == "SecurityCtrlr.BasicAuthPassword"
    assert configured_settings("2.0.1", "Reset", {}) is None
