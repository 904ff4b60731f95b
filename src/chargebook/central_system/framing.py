"""The framing every charge point connection shares, whatever its OCPP version: what the `ocpp`
library's `route_message` does not do.

A malformed frame gets a CALLERROR (FormatViolation/ProtocolError) instead of silence, a value
no charger can mean (NaN, a year-9999 timestamp) gets one from `edge.py`, and an unknown action
gets NotImplemented (the library says NotSupported for names that are not actions of its
version). The frame as received is kept (`_frame`) for the book's evidence. Commands are never
awaited inside a handler (the receive loop would wait for itself); `in_message_handler()` lets
the command service refuse that.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from ocpp.exceptions import NotImplementedError as OcppNotImplementedError
from ocpp.exceptions import OCPPError
from ocpp.messages import MessageType, unpack

from chargebook.central_system.direct_calls import answer_directly
from chargebook.central_system.edge import call_problem
from chargebook.central_system.host import ChargePointHost

_IN_HANDLER: contextvars.ContextVar[bool] = contextvars.ContextVar("ocpp_in_handler", default=False)


def in_message_handler() -> bool:
    """True while an OCPP message of the current task is being handled."""
    return _IN_HANDLER.get()


class FramedChargePoint:
    """Mixed in before the library's ChargePoint (of either version)."""

    # Provided by the library's ChargePoint and the subclass.
    _central: ChargePointHost
    _frame: str
    route_map: dict[str, Any]
    _send: Callable[[str], Awaitable[None]]
    _handle_call: Callable[[Any], Awaitable[None]]
    _response_queue: asyncio.Queue[Any]
    # Frequent actions answered without the library's per-call overhead (`direct_calls`).
    direct_actions: frozenset[str] = frozenset()

    def respell(self, action: str, payload: Any) -> Any:
        """The payload as the schema spells it (the version's own quirks); as is by default."""
        return payload

    async def route_message(self, raw_msg: str | bytes) -> None:
        """Route one frame; malformed frames and unknown actions get a CALLERROR."""
        token = _IN_HANDLER.set(True)
        try:
            try:
                msg = unpack(raw_msg)
            except OCPPError as unpack_error:
                await self._send(_error_frame(raw_msg, unpack_error))
                return
            if msg.message_type_id == MessageType.Call:
                if msg.action not in self.route_map:
                    error = OcppNotImplementedError(
                        details={
                            "cause": f"{msg.action} is not an action the central system handles"
                        }
                    )
                    await self._send(msg.create_call_error(error).to_json())
                    return
                self._frame = raw_msg if isinstance(raw_msg, str) else raw_msg.decode()
                msg.payload = self.respell(msg.action, msg.payload)
                try:
                    problem = call_problem(msg.action, msg.payload, self._central.clock.now())
                    if problem is not None:
                        raise problem
                    if msg.action not in self.direct_actions or not await answer_directly(
                        self, msg
                    ):
                        await self._handle_call(msg)
                except OCPPError as error:
                    await self._send(msg.create_call_error(error).to_json())
            elif msg.message_type_id in (MessageType.CallResult, MessageType.CallError):
                self._response_queue.put_nowait(msg)
        finally:
            _IN_HANDLER.reset(token)

    def spawn(self, coroutine: Coroutine[Any, Any, Any]) -> None:
        """Run a command-sending coroutine as its own task, outside the handler context."""
        self._central.spawn(coroutine)


def _error_frame(raw_msg: str | bytes, error: OCPPError) -> str:
    """A CALLERROR for a frame that could not be unpacked; its unique id if it can be read,
    else "-1" (as OCPP 2.0.1 prescribes for unreadable frames)."""
    unique_id: Any = "-1"
    try:
        parsed = json.loads(raw_msg)
        if isinstance(parsed, list) and len(parsed) > 1 and isinstance(parsed[1], str):
            unique_id = parsed[1]
    except (ValueError, TypeError):
        pass
    cause = error.details.get("cause") if isinstance(error.details, dict) else None
    details = {"cause": cause} if isinstance(cause, str) else {}
    return json.dumps(
        [MessageType.CallError, unique_id, error.code, error.description, details],
        separators=(",", ":"),
    )
