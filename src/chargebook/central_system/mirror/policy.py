"""Whose commands reach the charger, per mode: the answer to "two backends issuing commands"
and "configuration fights" (ocpp-next.md §3.7 items 3-4; the ocpp-2w-proxy author's ABB
charger had both backends rewriting MeterValuesSampledData, ocpp-2w-proxy issue 3).

- Upstream primary: the upstream commands; every upstream command is forwarded. chargebook's
  own commands are limited to reading (GetConfiguration, TriggerMessage, ...): a pause,
  current limit or ChangeConfiguration of its own would fight the owner's backend.
- chargebook primary: chargebook commands; the upstream may start and stop sessions, read the
  configuration and trigger messages. ChangeConfiguration of a key chargebook relies on is
  answered `Rejected` (a true answer: the charger did not change it), other keys pass; the
  rest (Reset, charging profiles, availability, firmware, local lists, ...) get a CALLERROR
  SecurityError, as evcc's forwarder does in read-only mode.
"""

from __future__ import annotations

from typing import Any

from chargebook.domain.ocpp_upstream import UpstreamMode

# Commands that only read from the charger (or make it report): harmless from either side.
READ_ONLY_COMMANDS = frozenset(
    {"GetConfiguration", "TriggerMessage", "GetCompositeSchedule", "GetLocalListVersion"}
)
# What the upstream may still do when chargebook is primary.
UPSTREAM_ALLOWED = READ_ONLY_COMMANDS | {
    "RemoteStartTransaction",
    "RemoteStopTransaction",
    "ChangeConfiguration",
    "DataTransfer",
}
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


def own_command_refusal(mode: UpstreamMode, action: str, payload: dict[str, Any]) -> str | None:
    """Why chargebook may not send `action` to a mirrored charger, or None if it may."""
    if mode is UpstreamMode.CHARGEBOOK_PRIMARY or action in READ_ONLY_COMMANDS:
        return None
    if action == "ChangeConfiguration":
        return (
            f"configuration conflict: the upstream central system owns this charger's "
            f"configuration; chargebook does not change {payload.get('key')!r}"
        )
    return f"the upstream central system commands this charger; chargebook may not send {action}"


def upstream_command_refusal(
    mode: UpstreamMode, action: str, payload: dict[str, Any]
) -> tuple[str, str] | None:
    """How chargebook answers an upstream command it does not forward: ("Rejected", why) for
    a status answer, ("SecurityError", why) for a CALLERROR; None to forward it."""
    if mode is UpstreamMode.UPSTREAM_PRIMARY:
        return None
    if action not in UPSTREAM_ALLOWED:
        return ("SecurityError", f"chargebook is this charger's primary; {action} not forwarded")
    if action == "ChangeConfiguration" and payload.get("key") in CHARGEBOOK_KEYS:
        return ("Rejected", f"configuration conflict: chargebook owns {payload.get('key')!r}")
    return None
