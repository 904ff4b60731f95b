"""A fast path for canonical JSON that is byte-identical to the `json.dumps` the book uses.

The book's canonical JSON is `json.dumps(payload, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)` as UTF-8; every stored raw payload and its sha256 were made that way.
orjson (`OPT_SORT_KEYS`) writes the same bytes about three times faster, but only for plain
JSON: it differs on floats below 1e-4 or from 1e16 up (`0.00001` vs `1e-05`, `1e16` vs
`1e+16`), writes NaN and infinities as `null`, refuses integers beyond 64 bits and non-string
keys, and encodes dataclasses, enums and datetimes its own way. `plain_json_bytes` therefore
takes orjson only for payloads made of dicts with string keys, lists, strings, integers,
booleans, None and floats in the range where both print alike, and returns None otherwise,
so the caller falls back to `json.dumps`. `tests/sync/test_canonical.py` checks the two agree.
"""

from __future__ import annotations

from typing import Any

import orjson

_SCALARS = frozenset((str, int, bool, type(None)))
# Python's float repr switches to exponent notation outside [1e-4, 1e16); orjson does not.
_FIXED_LOW, _FIXED_HIGH = 1e-4, 1e16


def _plain_float(value: float) -> bool:
    # False for NaN and infinities too (every comparison with NaN is False).
    return value == 0.0 or _FIXED_LOW <= abs(value) < _FIXED_HIGH


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is dict:
        for key, item in value.items():
            if type(key) is not str:
                return False
            item_kind = type(item)
            if item_kind in _SCALARS:
                continue
            if item_kind is float:
                if not (item == 0.0 or _FIXED_LOW <= abs(item) < _FIXED_HIGH):
                    return False
            elif not _plain(item):
                return False
        return True
    if kind in _SCALARS:
        return True
    if kind is float:
        return _plain_float(value)
    if kind is list or kind is tuple:
        return all(_plain(item) for item in value)
    return False


def plain_json_bytes(payload: Any) -> bytes | None:
    """The canonical JSON of `payload` as UTF-8 bytes, or None when only `json.dumps` may say.

    None means: the payload holds something on which orjson and `json.dumps` could differ
    (see the module docstring), or that orjson refuses (lone surrogates, nesting too deep,
    a circular reference); the caller then encodes with `json.dumps` exactly as before.
    """
    try:
        if not _plain(payload):
            return None
        return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except (RecursionError, orjson.JSONEncodeError):
        return None
