"""The orjson fast path writes exactly the bytes the book's `json.dumps` canonical form writes.

Every stored raw payload and its sha256 were made with `json.dumps(sort_keys=True,
separators=(",", ":"), ensure_ascii=False, default=str)`; the fast path must never change one.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import OrderedDict
from datetime import UTC, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chargebook.clock import FixedClock
from chargebook.domain.models import ChargerSource, SessionRecord
from chargebook.simulator.wallbox import SimulatorConfig, WallboxSimulator
from chargebook.sync.canonical import plain_json_bytes
from chargebook.sync.validation import canonical_json, check_record, raw_sha256


def reference(payload: Any) -> str:
    """The canonical form as the book has always written it."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )


def assert_same(payload: Any) -> None:
    expected = reference(payload)
    assert canonical_json(payload) == expected
    fast = plain_json_bytes(payload)
    assert fast is None or fast == expected.encode("utf-8")


def simulator_items() -> list[dict[str, Any]]:
    sim = WallboxSimulator(
        SimulatorConfig(seed=11, accounts=3, days=90, variant_rate=1.0),
        clock=FixedClock(datetime(2026, 3, 1, tzinfo=UTC)),
    )
    items = []
    for account in sim.accounts:
        for charger_id in account.charger_ids:
            for planned, attributes in sim.ended_sessions(charger_id):
                items.append(
                    {"type": "charger_log_session", "id": str(planned.id), "attributes": attributes}
                )
    return items


def test_simulator_payloads_take_the_fast_path_and_hash_alike() -> None:
    items = simulator_items()
    assert len(items) > 100
    for item in items:
        fast = plain_json_bytes(item)
        assert fast is not None, "a served item should be plain JSON"
        assert fast == reference(item).encode("utf-8")
        assert raw_sha256(item) == hashlib.sha256(reference(item).encode("utf-8")).hexdigest()


def test_check_record_stores_the_reference_text_and_its_hash() -> None:
    item = simulator_items()[0]
    record = SessionRecord(
        source=ChargerSource.WALLBOX_CLOUD,
        charger_external_id="1",
        external_id=item["id"],
        raw=item,
        session=None,
        problem="unparsed on purpose",
    )
    entry = check_record(record, max_current_a=32)
    assert entry.raw_json == reference(item)
    assert entry.raw_sha256 == hashlib.sha256(reference(item).encode("utf-8")).hexdigest()


TRICKY_FLOATS = [
    0.0, -0.0, 0.1, 1 / 3, 2.5, 123.0, 1e-4, 0.00010000000000000002, 9.999999999999999e-05,
    1e-05, 1e-07, 5e-324, 1e15, 9999999999999998.0, 1e16, 1e16 + 2, 1e22, 1.7976931348623157e308,
    -1e-05, -1e16, 35.835, 7.167, 2.0**53, 2.0**53 + 2,
]  # fmt: skip


@pytest.mark.parametrize("value", TRICKY_FLOATS)
def test_floats_print_like_python(value: float) -> None:
    assert_same({"energy": value, "list": [value, {"x": value}]})


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_non_finite_floats_are_left_to_json(value: float) -> None:
    payload = {"energy": value}
    assert plain_json_bytes(payload) is None  # orjson would write null
    assert_same(payload)


@pytest.mark.parametrize(
    "value",
    [2**53 + 1, 2**63 - 1, 2**63, 2**64 - 1, 2**64, 2**100, -(2**63), -(2**63) - 1, -(2**90)],
)
def test_big_integers(value: int) -> None:
    assert_same({"meter": value, "nested": [value]})


@pytest.mark.parametrize(
    "text",
    [
        "€ñ😀 ünïcødé",
        '\x00\x01\x1f\x7f\u2028\u2029/\\"\b\f\n\r\t',
        "\ufeff zero width\u200b",
        "",
    ],
)
def test_strings(text: str) -> None:
    assert_same({"name": text, text: [text]})


def test_key_order_is_by_code_point_beyond_the_bmp() -> None:
    # UTF-16 order would put the emoji (a surrogate pair) before U+FFFF.
    payload = {"\uffff": 1, "😀": 2, "é": 3, "E": 4, "e": 5, "10": 6, "9": 7, "": 8}
    assert_same(payload)


def test_nested_structures() -> None:
    payload = {
        "b": [1, [2, [3, {"z": None, "a": True}]], ()],
        "a": {"y": {"x": {"w": [False, 0, -1, 1.5, "s"]}}},
        "t": (1, "two", 3.0),
    }
    assert_same(payload)


@pytest.mark.parametrize(
    "payload",
    [
        {1: "int key"},
        {True: "bool key"},
        {"d": Decimal("1.10")},
        {"t": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)},
        {"o": OrderedDict([("b", 1), ("a", 2)])},
        {"e": Enum("Color", "RED").RED},  # type: ignore[attr-defined]
        {"s": {1, 2}},
    ],
    ids=["int-key", "bool-key", "decimal", "datetime", "ordereddict", "enum", "set"],
)
def test_other_types_fall_back_to_json(payload: dict[Any, Any]) -> None:
    assert plain_json_bytes(payload) is None
    assert_same(payload)


def test_lone_surrogate_behaves_as_before() -> None:
    payload = {"bad": "\ud800"}
    assert plain_json_bytes(payload) is None
    assert canonical_json(payload) == reference(payload)
    with pytest.raises(UnicodeEncodeError):
        raw_sha256(payload)
    with pytest.raises(UnicodeEncodeError):
        reference(payload).encode("utf-8")


def test_deep_nesting_falls_back() -> None:
    payload: Any = "leaf"
    for _ in range(300):  # beyond orjson's nesting limit
        payload = {"n": payload}
    assert plain_json_bytes(payload) is None
    assert_same(payload)


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=8), children, max_size=5)
    ),
    max_leaves=12,
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.text(max_size=8), json_values, max_size=8))
def test_any_json_payload_hashes_as_before(payload: dict[str, Any]) -> None:
    try:
        expected = reference(payload).encode("utf-8")
    except UnicodeEncodeError:
        assert plain_json_bytes(payload) is None
        return
    assert canonical_json(payload).encode("utf-8") == expected
    assert raw_sha256(payload) == hashlib.sha256(expected).hexdigest()
