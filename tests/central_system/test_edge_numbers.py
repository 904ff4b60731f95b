"""The edge's quick walk over a CALL's numbers (`edge._numbers_plausible`, paid by every CALL)
says "plausible" exactly when the path-naming walk (`edge._numbers`) finds nothing to refuse."""

from __future__ import annotations

import math
from typing import Any

import pytest

from chargebook.central_system.edge import _numbers, _numbers_plausible
from chargebook.domain.plausibility import MAX_REGISTER_WH

BIG = MAX_REGISTER_WH + 1
PAYLOADS: list[Any] = [
    {},
    {"connectorId": 1, "meterValue": [{"sampledValue": [{"value": "1e400"}]}]},  # text: fine
    {"a": True, "b": False, "c": None, "d": [0, -1, 1.5, MAX_REGISTER_WH, -MAX_REGISTER_WH]},
    {"a": float(MAX_REGISTER_WH)},
    {"a": math.nan},
    {"a": [{"b": [1, 2, {"c": math.inf}]}]},
    {"a": -math.inf},
    {"a": BIG},
    {"a": [-BIG]},
    {"a": float(BIG) * 2},
    [1, [2, [3, [4, math.nan]]]],
    "text",
    7,
    math.nan,
]


def _slow_verdict(payload: Any) -> bool:
    return not any(
        (isinstance(n, float) and not math.isfinite(n)) or abs(n) > MAX_REGISTER_WH
        for _, n in _numbers(payload, "")
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_quick_walk_agrees_with_the_path_naming_one(payload: Any) -> None:
    assert _numbers_plausible(payload) == _slow_verdict(payload)


def test_both_verdicts_occur() -> None:
    verdicts = [_numbers_plausible(payload) for payload in PAYLOADS]
    assert verdicts.count(True) == 5
    assert verdicts.count(False) == len(PAYLOADS) - 5
