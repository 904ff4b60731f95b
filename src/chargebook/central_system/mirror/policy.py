"""Whose commands reach the charger, per mode and per OCPP version: the answer to "two backends
issuing commands" and "configuration fights" (ocpp-next.md §3.7 items 3-4; the ocpp-2w-proxy
author's ABB charger had both backends rewriting MeterValuesSampledData, ocpp-2w-proxy issue 3).

- Upstream primary: the upstream commands; every upstream command is forwarded. chargebook's
  own commands are limited to reading (GetConfiguration / GetVariables, TriggerMessage, ...):
  a pause, current limit or configuration change of its own would fight the owner's backend.
- chargebook primary: chargebook commands; the upstream may start and stop sessions, read the
  configuration and trigger messages. A configuration change (1.6 ChangeConfiguration, 2.0.1
  SetVariables) of a setting chargebook relies on is answered `Rejected` (a true answer: the
  charger did not change it), other settings pass; the rest (Reset, charging profiles,
  availability, firmware, local lists, network profiles, certificates, ...) get a CALLERROR
  SecurityError, as evcc's forwarder does in read-only mode.

The rules are the same for both versions; only the action and setting names differ, so each
version is one `VersionRules` row below and nothing else in the mirror knows the names.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from chargebook.domain.ocpp_upstream import UpstreamMode

V16 = "1.6"
V201 = "2.0.1"
# 2.0.1 SetVariableResult.attributeStatusInfo.reasonCode is at most 20 characters.
CONFLICT_REASON = "ConfigConflict"


@dataclass(frozen=True)
class VersionRules:
    read_only: frozenset[str]  # commands that only read (or make the charger report)
    upstream_allowed: frozenset[str]  # what the upstream may do when chargebook is primary
    configure_action: str  # the command that changes the charger's configuration
    owned_settings: Callable[[dict[str, Any]], list[str]]  # those of a configure payload
    rejected: Callable[[dict[str, Any], list[str]], dict[str, Any]]  # its Rejected answer


@dataclass(frozen=True)
class Refusal:
    """An upstream command chargebook answers itself: `answer` is a CALLRESULT payload (a
    truthful Rejected), or None for a CALLERROR `SecurityError`."""

    why: str
    answer: dict[str, Any] | None = None


# -- OCPP 1.6J ------------------------------------------------------------------------------

# Keys the book's readings and the connection depend on: one owner only.
CHARGEBOOK_KEYS = frozenset(
    {
        "MeterValueSampleInterval",
        "MeterValuesSampledData",
        "MeterValuesAlignedData",
        "ClockAlignedDataInterval",
        "StopTxnSampledData",
        "StopTxnAlignedData",
        "HeartbeatInterval",
        "WebSocketPingInterval",
        "AuthorizationKey",
        "SecurityProfile",
    }
)
_READ_ONLY_16 = frozenset(
    {"GetConfiguration", "TriggerMessage", "GetCompositeSchedule", "GetLocalListVersion"}
)


def _owned_keys_16(payload: dict[str, Any]) -> list[str]:
    key = payload.get("key")
    return [key] if key in CHARGEBOOK_KEYS else []


def _rejected_16(payload: dict[str, Any], owned: list[str]) -> dict[str, Any]:
    return {"status": "Rejected"}


# -- OCPP 2.0.1 (Part 2 Appendices §3.1 names the components and variables) ------------------

# Component -> variables the book's readings and the connection depend on; None: all of them
# (security: passwords, profiles, identity).
CHARGEBOOK_VARIABLES: dict[str, frozenset[str] | None] = {
    "SampledDataCtrlr": frozenset(
        {
            "TxUpdatedInterval",
            "TxUpdatedMeasurands",
            "TxStartedMeasurands",
            "TxEndedMeasurands",
            "TxEndedInterval",
        }
    ),
    "AlignedDataCtrlr": frozenset(
        {"Interval", "Measurands", "TxEndedMeasurands", "TxEndedInterval"}
    ),
    "OCPPCommCtrlr": frozenset(
        {
            "HeartbeatInterval",
            "WebSocketPingInterval",
            "NetworkConfigurationPriority",
            "NetworkProfileConnectionAttempts",
        }
    ),
    "SecurityCtrlr": None,
}
_READ_ONLY_201 = frozenset(
    {
        "GetVariables",
        "GetBaseReport",
        "GetReport",
        "TriggerMessage",
        "GetCompositeSchedule",
        "GetLocalListVersion",
        "GetTransactionStatus",
        "GetChargingProfiles",
    }
)


def _setting_name(item: Any) -> str:
    if not isinstance(item, dict):
        return "?"
    component, variable = item.get("component"), item.get("variable")
    component_name = component.get("name") if isinstance(component, dict) else None
    variable_name = variable.get("name") if isinstance(variable, dict) else None
    return f"{component_name}.{variable_name}"


def _is_owned_201(item: Any) -> bool:
    component, _, variable = _setting_name(item).partition(".")
    if component not in CHARGEBOOK_VARIABLES:
        return False
    owned = CHARGEBOOK_VARIABLES[component]
    return owned is None or variable in owned


def _owned_variables_201(payload: dict[str, Any]) -> list[str]:
    items = payload.get("setVariableData")
    if not isinstance(items, list):
        return []
    return [_setting_name(item) for item in items if _is_owned_201(item)]


def _rejected_201(payload: dict[str, Any], owned: list[str]) -> dict[str, Any]:
    """Every item Rejected: the station changed nothing (a request naming one owned variable
    is not split; its other items are named as not applied)."""
    results = []
    for item in payload.get("setVariableData") or []:
        if not isinstance(item, dict):
            continue
        mine = _is_owned_201(item)
        result: dict[str, Any] = {
            "attributeStatus": "Rejected",
            "component": item.get("component"),
            "variable": item.get("variable"),
            "attributeStatusInfo": {
                "reasonCode": CONFLICT_REASON,
                "additionalInfo": (
                    "chargebook owns this variable"
                    if mine
                    else f"not applied: the request also names {', '.join(owned)}"
                )[:512],  # the schema's maxLength
            },
        }
        if "attributeType" in item:
            result["attributeType"] = item["attributeType"]
        results.append(result)
    return {"setVariableResult": results}


RULES: dict[str, VersionRules] = {
    V16: VersionRules(
        read_only=_READ_ONLY_16,
        upstream_allowed=_READ_ONLY_16
        | {
            "RemoteStartTransaction",
            "RemoteStopTransaction",
            "ChangeConfiguration",
            "DataTransfer",
        },
        configure_action="ChangeConfiguration",
        owned_settings=_owned_keys_16,
        rejected=_rejected_16,
    ),
    V201: VersionRules(
        read_only=_READ_ONLY_201,
        upstream_allowed=_READ_ONLY_201
        | {"RequestStartTransaction", "RequestStopTransaction", "SetVariables", "DataTransfer"},
        configure_action="SetVariables",
        owned_settings=_owned_variables_201,
        rejected=_rejected_201,
    ),
}


def rules_for(version: str) -> VersionRules:
    """The rules of OCPP `version` ("1.6" or "2.0.1"; anything else: 1.6's)."""
    return RULES.get(version, RULES[V16])


def _settings_of(rules: VersionRules, payload: dict[str, Any]) -> str:
    if rules.configure_action == "SetVariables":
        items = payload.get("setVariableData")
        names = [_setting_name(item) for item in items] if isinstance(items, list) else []
        return ", ".join(names) or "?"
    return repr(payload.get("key"))


def configured_settings(version: str, action: str, payload: dict[str, Any]) -> str | None:
    """The names (never the values: a password may be one) of the settings a configuration
    command changes; None for any other command."""
    rules = rules_for(version)
    return _settings_of(rules, payload) if action == rules.configure_action else None


def own_command_refusal(
    version: str, mode: UpstreamMode, action: str, payload: dict[str, Any]
) -> str | None:
    """Why chargebook may not send `action` to a mirrored charger, or None if it may."""
    rules = rules_for(version)
    if mode is UpstreamMode.CHARGEBOOK_PRIMARY or action in rules.read_only:
        return None
    if action == rules.configure_action:
        return (
            f"configuration conflict: the upstream central system owns this charger's "
            f"configuration; chargebook does not change {_settings_of(rules, payload)}"
        )
    return f"the upstream central system commands this charger; chargebook may not send {action}"


def upstream_command_refusal(
    version: str, mode: UpstreamMode, action: str, payload: dict[str, Any]
) -> Refusal | None:
    """How chargebook answers an upstream command it does not forward; None to forward it."""
    if mode is UpstreamMode.UPSTREAM_PRIMARY:
        return None
    rules = rules_for(version)
    if action not in rules.upstream_allowed:
        return Refusal(f"chargebook is this charger's primary; {action} not forwarded")
    if action == rules.configure_action:
        owned = rules.owned_settings(payload)
        if owned:
            why = f"configuration conflict: chargebook owns {', '.join(repr(n) for n in owned)}"
            return Refusal(why, rules.rejected(payload, owned))
    return None
