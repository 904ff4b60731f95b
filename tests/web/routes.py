"""THE table of every page and API route, for the access matrix (test_matrix.py).

Add a row for every route you add; `test_every_route_is_in_the_table` fails until you do.
Path placeholders `{charger_id}`, `{session_id}`, `{statement_id}` are filled with owner A's
ids, so owner B must get 404 there (never 403: ids must not reveal what exists).

- `access`: PUBLIC (anyone, same answer), SIGNED_IN (any user; owners see their own), OPERATOR.
- `ok`: the status an allowed actor gets; `body`: form fields (pages) or JSON (API).
- `scope`: the token scope an API route needs (a token without it gets 403).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from chargebook.domain.access import ApiScope


class Access(StrEnum):
    PUBLIC = "public"
    SIGNED_IN = "signed_in"
    OPERATOR = "operator"


@dataclass(frozen=True)
class RouteCase:
    method: str
    path: str
    access: Access
    ok: int = 200
    scope: ApiScope | None = None
    body: dict[str, Any] | None = field(default=None, hash=False)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")

    @property
    def owned(self) -> bool:
        """The path names owner A's objects: another owner must get 404."""
        return any(
            f"{{{name}}}" in self.path for name in ("charger_id", "session_id", "statement_id")
        )

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}"


ROUTES: list[RouteCase] = [
    # -- pages ------------------------------------------------------------------------------
    RouteCase("GET", "/login", Access.PUBLIC, ok=200),  # signed-in users are sent on (303)
    RouteCase(
        "POST",
        "/login",
        Access.PUBLIC,
        ok=401,
        body={"email": "nobody@example.com", "password": "not a password"},
    ),
    RouteCase("GET", "/signup", Access.PUBLIC, ok=200),
    RouteCase("POST", "/signup", Access.PUBLIC, ok=422, body={"email": "x", "password": "short"}),
    RouteCase("POST", "/logout", Access.PUBLIC, ok=303, body={}),
    RouteCase("GET", "/", Access.SIGNED_IN),
    # -- API --------------------------------------------------------------------------------
    RouteCase("GET", "/api/v1/me", Access.SIGNED_IN),
    RouteCase("GET", "/api/v1/tokens", Access.SIGNED_IN),
    RouteCase("GET", "/api/v1/chargers", Access.SIGNED_IN, scope=ApiScope.CHARGERS_READ),
    RouteCase(
        "GET", "/api/v1/chargers/{charger_id}", Access.SIGNED_IN, scope=ApiScope.CHARGERS_READ
    ),
    RouteCase(
        "POST",
        "/api/v1/chargers/{charger_id}/commands/{command}",
        Access.SIGNED_IN,
        scope=ApiScope.CHARGERS_WRITE,
    ),
    RouteCase("GET", "/api/v1/sessions", Access.SIGNED_IN, scope=ApiScope.SESSIONS_READ),
    RouteCase(
        "GET", "/api/v1/sessions/{session_id}", Access.SIGNED_IN, scope=ApiScope.SESSIONS_READ
    ),
    RouteCase("GET", "/api/v1/energy/monthly", Access.SIGNED_IN, scope=ApiScope.SESSIONS_READ),
    RouteCase("GET", "/api/v1/statements", Access.SIGNED_IN, scope=ApiScope.CREDITS_READ),
    RouteCase(
        "GET", "/api/v1/statements/{statement_id}", Access.SIGNED_IN, scope=ApiScope.CREDITS_READ
    ),
]

# Framework routes that are not the app's own pages or API.
FRAMEWORK_PATHS = frozenset({"/openapi.json", "/api/docs", "/docs/oauth2-redirect", "/static"})
