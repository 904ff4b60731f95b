"""What the route fuzzer (test_route_fuzz.py) sends: the routes of the app and hostile values.

Routes come from `app.routes` (every page and API route, so a new route is fuzzed without a
line here); a route's form fields from its declared parameters and the inputs of the templates'
forms that post to it (forms read by hand included).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from hypothesis import strategies as st

from chargebook.web.rendering import TEMPLATES_DIR


@dataclass(frozen=True)
class FuzzRoute:
    method: str
    path: str  # with {placeholders}
    path_params: tuple[str, ...]
    query_params: tuple[str, ...]
    form_fields: tuple[str, ...]

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


def _walk(dependant: Dependant) -> Iterator[Dependant]:
    yield dependant
    for sub in dependant.dependencies:
        yield from _walk(sub)


_FORM = re.compile(r'<form\b[^>]*\baction="([^"#?]*)[^"]*"[^>]*>(.*?)</form>', re.DOTALL)
_FIELD = re.compile(r'<(?:input|select|textarea)\b[^>]*\bname="([a-z_]+)"')


def template_forms() -> list[tuple[str, frozenset[str]]]:
    """(action with "{}" for each Jinja expression, field names) of every form in the templates."""
    forms = []
    for template in TEMPLATES_DIR.rglob("*.html"):
        for action, body in _FORM.findall(template.read_text(encoding="utf-8")):
            forms.append((re.sub(r"\{\{.*?\}\}", "{}", action), frozenset(_FIELD.findall(body))))
    return forms


def form_fields_for(path: str, forms: list[tuple[str, frozenset[str]]]) -> set[str]:
    """The fields of the forms that post to the route `path` ("/x/{charger_id}/y")."""
    pattern = re.compile("^" + re.sub(r"\\\{[^}]*\\\}", "[^/]+", re.escape(path)) + "$")
    fields: set[str] = set()
    for action, names in forms:
        if pattern.match(action):
            fields |= names
    return fields - {"csrf_token"}


def app_routes(app: FastAPI) -> list[FuzzRoute]:
    """Every page and API route of the app with its parameters (HEAD left out)."""
    forms = template_forms()
    routes = []
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or context.path is None:
            continue
        paths: list[str] = []
        queries: list[str] = []
        bodies: list[str] = []
        for dependant in _walk(route.dependant):
            paths += [p.name for p in dependant.path_params]
            queries += [p.alias for p in dependant.query_params]
            bodies += [p.alias for p in dependant.body_params]
        for method in sorted(context.methods or ()):
            if method == "HEAD":
                continue
            posted = sorted(form_fields_for(context.path, forms))
            fields = () if method == "GET" else tuple(dict.fromkeys([*bodies, *posted]))
            path_names, query_names = tuple(dict.fromkeys(paths)), tuple(dict.fromkeys(queries))
            routes.append(FuzzRoute(method, context.path, path_names, query_names, fields))
    return routes


def cursor(stamp: str, row_id: object) -> str:
    raw = json.dumps([stamp, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


EDGE_STAMPS = (
    "0001-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59.999999-23:59",
    "9999-12-31T23:59:59.999999+00:00",
    "2026-03-10T18:00:00",  # naive
)
HUGE_INTS = ("0", "-1", "2147483648", "9223372036854775808", "-99999999999999999999",
             "1" + "0" * 400)  # fmt: skip
# One request each per path and query parameter of every route: keep it short and sharp.
EDGE_TEXT = (
    "",
    "²",
    "١٢",
    "1e309",
    "NaN",
    "-Infinity",
    "1.5",
    "\x00",
    "\u202e",
    "../../etc/passwd",
    "0001-01-01",
    "9999-12-31",
    "2026-02-30",
    "2026-Q5",
    "0000-Q1",
    "9999-Q4",
    "24:00",
    "x" * 300,
    *HUGE_INTS,
    *EDGE_STAMPS,
    "-5",
    "99999",
)
CURSORS = (
    *(cursor(stamp, 1) for stamp in EDGE_STAMPS),
    cursor("2026-03-10T18:00:00+00:00", 2**70),
    cursor("2026-03-10T18:00:00+00:00", "1"),
    "bm90IGpzb24",
)
EDGE_TEXT += CURSORS
# More for hypothesis to draw from (combined with others, in forms too).
MORE_TEXT = (
    " ",
    "𝟙",
    "Infinity",
    "-0",
    "0x1f",
    "\ud7ff",
    "..",
    "%00",
    "<b>",
    "{{7*7}}",
    "'; --",
    "1970-01-01",
    "2026-13-01",
    "20260310",
    "2026-Q1",
    "-2026-Q1",
    "00:00",
    "23:59:60",
    "on",
    "lock",
    "unlock",
    "pause",
    "resume",
    "restart",
    "ok",
    "done",
    "true",
    "Europe/Amsterdam",
    "Etc/GMT+14",
    "9223372036854775807",
    "99999999999999999999",
    "0001-01-01T00:00:00-23:59",
    "9999-12-31T23:59:59.999999+23:59",
)

_offsets = st.integers(-1439, 1439).map(lambda m: timezone(timedelta(minutes=m)))
_stamps = st.builds(
    lambda moment, zone: moment.replace(tzinfo=zone).isoformat(),
    st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30)),
    _offsets,
)


def values(ids: list[int]) -> st.SearchStrategy[str]:
    """A hostile text for any parameter: edge cases, real ids, numbers, dates, odd unicode."""
    return st.one_of(
        st.sampled_from(EDGE_TEXT + MORE_TEXT),
        st.sampled_from([str(i) for i in ids]),
        st.integers().map(str),
        st.dates().map(lambda d: d.isoformat()),
        _stamps,
        st.builds(cursor, _stamps, st.integers(min_value=-(2**64), max_value=2**64)),
        st.decimals(allow_nan=True).map(str),
        st.text(max_size=30),
    )


def query_of(route: FuzzRoute, ids: list[int]) -> st.SearchStrategy[dict[str, str]]:
    names = [*route.query_params, "unknown"]
    return st.dictionaries(st.sampled_from(names), values(ids), max_size=len(names))


def form_of(route: FuzzRoute, ids: list[int]) -> st.SearchStrategy[dict[str, str]]:
    if not route.form_fields:
        return st.just({})
    return st.dictionaries(st.sampled_from(route.form_fields), values(ids), max_size=8)
