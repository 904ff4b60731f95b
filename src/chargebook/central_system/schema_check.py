"""A quick "certainly valid" check of an incoming CALL's payload against the `ocpp` library's
own JSON schema, before its jsonschema validation is needed.

The library validates every CALL with `jsonschema.Draft4Validator` (ocpp 2.1.0,
`ocpp.messages._validate_payload`): for a MeterValues that walk cost more CPU than chargebook's
whole book write. This module compiles the same schema file (`ocpp.messages.get_validator`'s
`.schema`) once per action into plain Python checks of the few Draft 4 keywords the OCPP 1.6
schemas use. It only ever answers "valid" or "not sure": a payload it does not pass goes through
the library's validation, which decides and raises the library's own CALLERROR
(`direct_calls`). So it must never pass a payload Draft 4 refuses; it may send a valid one the
slow way. A schema with any keyword not understood here is never passed.

Draft 4 as jsonschema reads it: "integer" is an int and not a bool (1.0 is not an integer in
Draft 4); "number" is an int or float, not a bool; `format` is not checked (no format checker
is given, as in the library); `maxLength` counts code points (`len`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ocpp.messages import MessageType, get_validator

Check = Callable[[Any], bool]

# Keywords that never constrain here: annotations, `format` (not checked by the library
# either), `definitions` (a container for `$ref`), `additionalItems` (Draft 4 applies it only
# when `items` is a list, which is never passed).
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "id", "title", "description", "format", "comment", "$comment"}
    | {"javaType", "default", "definitions", "additionalItems"}
)
_SUPPORTED = _ANNOTATIONS | {
    "$ref",
    "type",
    "properties",
    "additionalProperties",
    "required",
    "enum",
    "maxLength",
    "minItems",
    "items",
}
_TYPES: dict[str, Check] = {
    "object": lambda value: isinstance(value, dict),
    "array": lambda value: isinstance(value, list),
    "string": lambda value: isinstance(value, str),
    "integer": lambda value: isinstance(value, int) and not isinstance(value, bool),
    "number": lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    "boolean": lambda value: isinstance(value, bool),
}


_MAX_DEPTH = 40


def _never(_: Any) -> bool:
    return False


def compile_check(
    schema: Mapping[str, Any], root: Mapping[str, Any] | None = None, depth: int = 0
) -> Check:
    """The check of one (sub)schema of `root` (itself by default); `_never` for one it does
    not fully understand, or nested deeper than any OCPP schema (a recursive `$ref`)."""
    root = schema if root is None else root
    if not isinstance(schema, Mapping) or not set(schema) <= _SUPPORTED or depth > _MAX_DEPTH:
        return _never
    checks: list[Check] = []
    if "$ref" in schema:
        # Draft 4 ignores the siblings of `$ref`; checking them as well can only refuse more.
        checks.append(_ref_check(schema["$ref"], root, depth + 1))
    kind = schema.get("type")
    if kind is not None:
        if not isinstance(kind, str) or kind not in _TYPES:
            return _never  # a list of types, "null", ...: the library decides
        checks.append(_TYPES[kind])
    enum = schema.get("enum")
    if enum is not None:
        if not all(isinstance(item, str) for item in enum):
            return _never
        allowed = frozenset(enum)
        checks.append(lambda value: isinstance(value, str) and value in allowed)
    if "maxLength" in schema:
        limit = schema["maxLength"]
        checks.append(lambda value: not isinstance(value, str) or len(value) <= limit)
    if "minItems" in schema:
        least = schema["minItems"]
        checks.append(lambda value: not isinstance(value, list) or len(value) >= least)
    if "items" in schema:
        item_check = compile_check(schema["items"], root, depth + 1)
        checks.append(
            lambda value: not isinstance(value, list) or all(item_check(item) for item in value)
        )
    object_check = _object_check(schema, root, depth + 1)
    if object_check is None:
        return _never
    checks.append(object_check)
    return lambda value: all(check(value) for check in checks)


def _object_check(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> Check | None:
    """The properties, required and additionalProperties of an object schema (None: not
    understood)."""
    properties = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    if not isinstance(properties, Mapping) or extra not in (True, False):
        return None
    required = tuple(schema.get("required", ()))
    known = {name: compile_check(sub, root, depth) for name, sub in properties.items()}
    closed = extra is False

    def check(value: Any) -> bool:
        if not isinstance(value, dict):
            return True  # "type" says whether it must be an object
        for name in required:
            if name not in value:
                return False
        for name, item in value.items():
            sub = known.get(name)
            if sub is None:
                if closed:
                    return False
            elif not sub(item):
                return False
        return True

    return check


def _ref_check(ref: Any, root: Mapping[str, Any], depth: int) -> Check:
    """A `#/definitions/<name>` of the same schema (the only references OCPP schemas use)."""
    prefix = "#/definitions/"
    definitions = root.get("definitions")
    if not isinstance(ref, str) or not ref.startswith(prefix) or not isinstance(definitions, dict):
        return _never
    target = definitions.get(ref[len(prefix) :])
    if not isinstance(target, Mapping) or "$ref" in target:
        return _never  # missing, or a chain of references: the library decides
    return compile_check(target, root, depth)


_CHECKS: dict[tuple[str, str], Check] = {}


def certainly_valid(action: str, ocpp_version: str, payload: Any) -> bool:
    """True only if the library's schema for this incoming CALL accepts `payload` for sure."""
    check = _CHECKS.get((action, ocpp_version))
    if check is None:
        try:
            schema = get_validator(MessageType.Call, action, ocpp_version).schema
        except (OSError, ValueError):  # no schema for it: the library's path says so
            schema = None
        check = _CHECKS[(action, ocpp_version)] = (
            compile_check(schema) if schema is not None else _never
        )
    return check(payload)
