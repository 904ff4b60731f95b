"""Answer the frequent CALLs (MeterValues, StatusNotification, Heartbeat) with less per-call
overhead than the `ocpp` library's `ChargePoint._handle_call`, with the same checks and answers.

What `_handle_call` (ocpp 2.1.0) costs per CALL, measured with py-spy on the central system
under 50 chargers sending MeterValues back to back: the payload's and the answer's schema
validation each run in the default thread pool (`ocpp.messages.ASYNC_VALIDATION`: two thread
round trips and loop wake-ups per CALL), the camelCase keys are converted with two regular
expressions each, and the handler's `inspect.signature` is read every time; together more CPU
than chargebook's whole book write of the frame.

Here, for the actions a charge point class lists in `direct_actions`:
- the payload is checked against the library's own schema, in the loop: `schema_check`
  passes what is certainly valid, everything else gets the library's validation
  (`_validate_payload`, the function its thread pool runs), whose OCPPError becomes the same
  CALLERROR as before (`framing.FramedChargePoint.route_message` sends it);
- keys are converted by the library's `camel_to_snake_case`, once per distinct key;
- the handler's answer is built as the library builds it (`serialize_as_dict`,
  `remove_nones`, `snake_to_camel_case`). It is not validated again: these answers are
  fixed shapes of the library's `call_result` classes, checked against the schemas by the
  tests (`tests/central_system/test_direct_calls.py`).
A handler that wants `call_unique_id`, has an `@after` hook or skips validation takes the
library's path.
"""

from __future__ import annotations

import inspect
from typing import Any

from ocpp.charge_point import (
    camel_to_snake_case,
    remove_nones,
    serialize_as_dict,
    snake_to_camel_case,
)
from ocpp.messages import Call, _validate_payload

from chargebook.central_system.schema_check import certainly_valid

_SNAKE: dict[str, str] = {}
_SNAKE_LIMIT = 4096  # keys come from chargers: the memo must not grow without bound
_PLAIN: dict[Any, bool] = {}  # handler function -> takes no call_unique_id


def snake_keys(data: Any) -> Any:
    """`camel_to_snake_case(data)`, converting each distinct key once."""
    if isinstance(data, dict):
        converted = {}
        for key, value in data.items():
            snake = _SNAKE.get(key)
            if snake is None:
                snake = next(iter(camel_to_snake_case({key: None})))
                if len(_SNAKE) < _SNAKE_LIMIT:
                    _SNAKE[key] = snake
            converted[snake] = snake_keys(value)
        return converted
    if isinstance(data, list):
        return [snake_keys(value) for value in data]
    return data


def _direct_handler(handlers: dict[str, Any]) -> Any | None:
    """The `@on` handler if this action may skip the library's `_handle_call`, else None."""
    handler = handlers.get("_on_action")
    if handler is None or "_after_action" in handlers:
        return None
    if handlers.get("_skip_schema_validation", False):
        return None  # its own choice, kept by the library's path
    function = getattr(handler, "__func__", handler)
    plain = _PLAIN.get(function)
    if plain is None:
        plain = _PLAIN[function] = "call_unique_id" not in inspect.signature(handler).parameters
    return handler if plain else None


async def answer_directly(charge_point: Any, msg: Call) -> bool:
    """Answer `msg` (an action of `charge_point.direct_actions`); False if the library's
    `_handle_call` must do it instead.

    Raises:
        OCPPError: the payload breaks the action's schema (the library's own error).
    """
    handler = _direct_handler(charge_point.route_map[msg.action])
    if handler is None:
        return False
    version = charge_point._ocpp_version
    if not certainly_valid(msg.action, version, msg.payload):
        _validate_payload(msg, version)  # raises the library's OCPPError
    try:
        response = handler(**snake_keys(msg.payload))
        if inspect.isawaitable(response):
            response = await response
    except Exception as error:  # as the library: the handler's failure becomes a CALLERROR
        charge_point.logger.exception("Error while handling request '%s'", msg)
        await charge_point._send(msg.create_call_error(error).to_json())
        return True
    payload = snake_to_camel_case(remove_nones(serialize_as_dict(response)))
    await charge_point._send(msg.create_call_result(payload).to_json())
    return True
