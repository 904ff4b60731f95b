"""Refuse at the edge what no charger can mean, before a handler or the book sees it.

Every incoming CALL, whatever its action (`call_problem`):
- every JSON number is finite and fits a 64-bit integer (Python's json reads `NaN`,
  `Infinity` and `1e400`; the book's registers are BIGINT), else TypeConstraintViolation or
  PropertyConstraintViolation;
- the call's own `timestamp` (StartTransaction, StopTransaction, StatusNotification) is an
  ISO 8601 time (else FormatViolation) and plausible by
  `chargebook.domain.plausibility.timestamp_problem` (else PropertyConstraintViolation).
A refused call stores nothing, and the CALLERROR's description says which field and why.

Inside MeterValues (and StopTransaction's `transactionData`) one bad reading must not cost the
good ones of the same frame: `plausible_meter_values` drops a reading whose time is
implausible and a sampled value that is not a finite number, and logs the reason (the frame
itself stays in the book as the transaction's evidence).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from ocpp.exceptions import (
    FormatViolationError,
    OCPPError,
    PropertyConstraintViolationError,
    TypeConstraintViolationError,
)

from chargebook.central_system.readings import parse_timestamp
from chargebook.domain.plausibility import MAX_REGISTER_WH, timestamp_problem

LOG = logging.getLogger("chargebook.central_system.edge")


def _numbers(value: Any, path: str) -> Iterator[tuple[str, float | int]]:
    if isinstance(value, bool):
        return
    if isinstance(value, int | float):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _numbers(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _numbers(item, f"{path}[{index}]")


def _numbers_plausible(payload: Any) -> bool:
    """True if every number is finite and within a 64-bit register: the walk every CALL pays,
    so it builds no paths (`_numbers` finds the culprit's path when this says no)."""
    stack = [payload]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float):
            if not math.isfinite(item) or abs(item) > MAX_REGISTER_WH:
                return False
        elif isinstance(item, int) and abs(item) > MAX_REGISTER_WH:  # bools are within
            return False
    return True


def _moment(text: str) -> datetime | None:
    try:
        return parse_timestamp(text)
    except (ValueError, OverflowError):  # an offset can push year 1 or 9999 out of range
        return None


def call_problem(action: str, payload: Any, now: datetime) -> OCPPError | None:
    """The CALLERROR for an incoming CALL with a value no charger can mean, or None."""
    numbers = () if _numbers_plausible(payload) else _numbers(payload, "")
    for path, number in numbers:
        if isinstance(number, float) and not math.isfinite(number):
            return TypeConstraintViolationError(
                description=f"{action}: {path} is not a finite number",
                details={"cause": f"{path} = {number}"},
            )
        if abs(number) > MAX_REGISTER_WH:
            return PropertyConstraintViolationError(
                description=f"{action}: {path} is out of range (beyond a 64-bit integer)",
                details={"cause": f"{path} = {number}"},
            )
    stamp = payload.get("timestamp") if isinstance(payload, Mapping) else None
    if isinstance(stamp, str):
        moment = _moment(stamp)
        if moment is None:
            return FormatViolationError(
                description=f"{action}: timestamp {stamp!r} is not an ISO 8601 time",
                details={"cause": "timestamp"},
            )
        problem = timestamp_problem("timestamp", moment, now)
        if problem is not None:
            return PropertyConstraintViolationError(
                description=f"{action}: {problem}", details={"cause": "timestamp"}
            )
    return None


def _finite_value(sampled: Mapping[str, Any]) -> bool:
    try:
        return math.isfinite(float(sampled["value"]))
    except (KeyError, ValueError, TypeError):
        return True  # not a number at all: the reading's parser skips it as before


def plausible_meter_values(
    charge_point_id: str, meter_value: Sequence[Mapping[str, Any]], now: datetime
) -> list[Mapping[str, Any]]:
    """The `meterValue` elements (snake_case, as the `ocpp` library hands them over) without
    readings at implausible times and without sampled values that are not finite numbers."""
    kept: list[Mapping[str, Any]] = []
    for element in meter_value:
        stamp = element.get("timestamp")
        moment = _moment(stamp) if isinstance(stamp, str) else None
        problem = (
            timestamp_problem("reading time", moment, now)
            if moment is not None
            else f"reading time {stamp!r} is not an ISO 8601 time"
        )
        if problem is not None:
            LOG.warning("%s: reading skipped: %s", charge_point_id, problem)
            continue
        sampled = element.get("sampled_value", [])
        finite = [s for s in sampled if isinstance(s, Mapping) and _finite_value(s)]
        if len(finite) != len(sampled):
            LOG.warning(
                "%s: %d sampled value(s) at %s skipped: not a finite number",
                charge_point_id,
                len(sampled) - len(finite),
                stamp,
            )
            element = {**element, "sampled_value": finite}
        kept.append(element)
    return kept
