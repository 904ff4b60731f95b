"""The command messages between nodes, JSON in a NOTIFY payload, and the errors they carry.

A call: `{"call": id, "reply": channel, "op": name, "cp": id, "args": {...}}`; its answer on
the requester's channel: `{"reply": id, "result": value}` or `{"reply": id, "error": kind,
"message": text, "code": code}`. Only the command service's methods can be named (`OPS`).
"""

from __future__ import annotations

import json
from typing import Any

from chargebook.central_system.exceptions import (
    ChargePointNotConnectedError,
    CommandRejectedError,
    CommandTimeoutError,
)
from chargebook.errors import NotFoundError

OPS = frozenset(
    {
        "set_current",
        "pause",
        "resume",
        "reset",
        "remote_start",
        "remote_stop",
        "describe",
        "renew_certificate",
    }
)


def encode(message: dict[str, Any]) -> str:
    return json.dumps(message, separators=(",", ":"))


def error_reply(request_id: str, exc: BaseException) -> dict[str, Any]:
    """The answer that carries `exc` back to the requester."""
    kind = {
        ChargePointNotConnectedError: "not_connected",
        CommandTimeoutError: "timeout",
        CommandRejectedError: "rejected",
        NotFoundError: "not_found",
        ValueError: "value",
    }.get(type(exc), "rejected")
    code = getattr(exc, "code", "InternalError")
    return {"reply": request_id, "error": kind, "message": str(exc), "code": code}


def raise_error(reply: dict[str, Any], charge_point_id: str) -> None:
    """Raise, in the requester, the error the holding node reported.

    Raises:
        ChargePointNotConnectedError, CommandTimeoutError, CommandRejectedError,
        NotFoundError, ValueError: as the holding node raised it.
    """
    message, kind = str(reply.get("message", "")), reply.get("error")
    if kind == "not_connected":
        raise ChargePointNotConnectedError(message, charge_point_id=charge_point_id)
    if kind == "timeout":
        raise CommandTimeoutError(message, charge_point_id=charge_point_id)
    if kind == "not_found":
        raise NotFoundError(message)
    if kind == "value":
        raise ValueError(message)
    raise CommandRejectedError(
        message, charge_point_id=charge_point_id, code=str(reply.get("code", "InternalError"))
    )
