"""THE table of every page and API route, for the access matrix (test_matrix.py).

Add a row for every route you add; `test_every_route_is_in_the_table` fails until you do.
Path placeholders `{charger_id}`, `{session_id}`, `{statement_id}`, `{mandate_id}` are filled
with owner A's ids, so owner B must get 404 there on an owner's route (never 403: ids must not
reveal what exists).

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
    OWNER = "owner"  # only the charger's owner: another owner AND the operator get 404


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
        """The path names owner A's objects: another owner must get 404 (an operator's page
        refuses every owner alike: 403)."""
        return self.access is not Access.OPERATOR and any(
            f"{{{name}}}" in self.path
            for name in ("charger_id", "session_id", "statement_id", "mandate_id")
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
    # connect wizard
    RouteCase("GET", "/connect", Access.SIGNED_IN),
    RouteCase("GET", "/connect/wallbox", Access.SIGNED_IN),
    RouteCase(  # an empty password is refused before Wallbox is asked
        "POST",
        "/connect/wallbox",
        Access.SIGNED_IN,
        ok=422,
        body={"email": "me@example.com", "password": ""},
    ),
    RouteCase("GET", "/connect/chargers", Access.SIGNED_IN),
    RouteCase("POST", "/connect/{charger_id}/select", Access.SIGNED_IN, ok=303, body={}),
    RouteCase("GET", "/connect/{charger_id}/meter", Access.SIGNED_IN),
    RouteCase(
        "POST",
        "/connect/{charger_id}/followup",
        Access.SIGNED_IN,
        ok=303,
        body={"kind": "sap_guidance"},
    ),
    RouteCase("POST", "/connect/{charger_id}/ere", Access.SIGNED_IN, ok=422, body={"ean": "1"}),
    RouteCase(
        "POST",
        "/connect/{charger_id}/ere/attach",
        Access.SIGNED_IN,
        ok=422,
        body={"connection_id": "x"},
    ),
    RouteCase("POST", "/connect/{charger_id}/ere/renew", Access.SIGNED_IN, ok=422, body={}),
    RouteCase("GET", "/connect/{charger_id}/done", Access.SIGNED_IN),
    RouteCase("GET", "/connect/{charger_id}/progress", Access.SIGNED_IN),
    # A brand with no connector in this build is not offered: 404 (tests/web/
    # test_connect_brands.py connects one with a fake connector).
    RouteCase("GET", "/connect/brand/{slug}", Access.SIGNED_IN, ok=404),
    RouteCase(
        "POST",
        "/connect/brand/{slug}",
        Access.SIGNED_IN,
        ok=404,
        body={"username": "me@example.com", "secret": "pw"},
    ),
    RouteCase("GET", "/connect/ocpp", Access.SIGNED_IN),
    RouteCase(
        "POST", "/connect/ocpp", Access.SIGNED_IN, ok=422, body={"charge_point_id": "bad id!"}
    ),
    # charger page
    RouteCase("GET", "/chargers/{charger_id}", Access.SIGNED_IN),
    RouteCase("GET", "/chargers/{charger_id}/live", Access.SIGNED_IN),
    RouteCase(
        "POST", "/chargers/{charger_id}/commands/{command}", Access.SIGNED_IN, ok=303, body={}
    ),
    # smart charging: the plan editor (owner only) and the savings history
    RouteCase("GET", "/chargers/{charger_id}/plan", Access.OWNER),
    RouteCase("GET", "/chargers/{charger_id}/plan/preview.json", Access.OWNER, ok=422),
    RouteCase(
        "POST",
        "/chargers/{charger_id}/plan",
        Access.OWNER,
        ok=303,
        body={"departure": "07:00", "weekday": "0", "energy_kwh": "10"},
    ),
    RouteCase("POST", "/chargers/{charger_id}/plan/remove", Access.OWNER, ok=303, body={}),
    RouteCase("GET", "/savings", Access.SIGNED_IN),
    # sessions
    RouteCase("GET", "/sessions", Access.SIGNED_IN),
    RouteCase("GET", "/sessions/monthly", Access.SIGNED_IN),
    RouteCase("GET", "/sessions/export.csv", Access.SIGNED_IN),
    RouteCase("GET", "/sessions/export.xlsx", Access.SIGNED_IN),
    RouteCase("GET", "/sessions/{session_id}", Access.SIGNED_IN),
    RouteCase("GET", "/sessions/{session_id}/samples.json", Access.SIGNED_IN),
    RouteCase("GET", "/sessions/{session_id}/chart.png", Access.SIGNED_IN),
    # credits and knowledge base
    RouteCase("GET", "/credits", Access.SIGNED_IN),
    RouteCase("GET", "/credits/statements.csv", Access.SIGNED_IN),
    RouteCase("GET", "/credits/statements/{statement_id}.pdf", Access.SIGNED_IN),
    RouteCase("GET", "/credits/mandates/{mandate_id}.pdf", Access.SIGNED_IN),
    RouteCase("GET", "/operator/mandates/{mandate_id}.pdf", Access.OPERATOR),
    RouteCase("GET", "/operator/year-end", Access.OPERATOR),
    RouteCase("GET", "/credits/payout-details", Access.SIGNED_IN),
    RouteCase(
        "POST",
        "/credits/payout-details",
        Access.SIGNED_IN,
        ok=303,
        body={"iban": "NL91ABNA0417164300", "holder": "A. Jansen"},
    ),
    RouteCase("GET", "/settings/tariff", Access.SIGNED_IN),
    RouteCase(
        "POST",
        "/settings/tariff",
        Access.SIGNED_IN,
        ok=303,
        body={"kind": "fixed", "price": "0.28"},
    ),
    RouteCase("GET", "/learn", Access.PUBLIC),
    # operator console ({follow_up_id} and {batch_id} name nothing: the operator gets 404)
    RouteCase("GET", "/operator", Access.OPERATOR),
    RouteCase("GET", "/operator/followups", Access.OPERATOR),
    RouteCase(
        "POST",
        "/operator/followups/{follow_up_id}",
        Access.OPERATOR,
        ok=404,
        body={"status": "done"},
    ),
    RouteCase("GET", "/operator/mandates", Access.OPERATOR),
    RouteCase(
        "POST",
        "/operator/connections/verification",
        Access.OPERATOR,
        ok=422,
        body={
            "ean": "1",
            "method": "energy_bill",
            "verified_by": "op",
            "verified_on": "2026-01-01",
        },
    ),
    RouteCase(
        "POST",
        "/operator/transfers",
        Access.OPERATOR,
        ok=404,  # a charger id that names nothing
        body={"charger_id": "999999", "email": "owner_b@example.com"},
    ),
    RouteCase("GET", "/operator/quarantine", Access.OPERATOR),
    # OCPP mirrors ({charge_point_id} names no charger: the operator gets 404)
    RouteCase("GET", "/operator/ocpp-upstreams", Access.OPERATOR),
    RouteCase(
        "POST",
        "/operator/ocpp-upstreams",
        Access.OPERATOR,
        ok=404,
        body={"charge_point_id": "CP-NONE", "url": "wss://cs.example/", "mode": "upstream-primary"},
    ),
    RouteCase(
        "POST", "/operator/ocpp-upstreams/{charge_point_id}/clear", Access.OPERATOR, ok=404, body={}
    ),
    # OCPP security ({charge_point_id} names no charger: 404, renewing it too)
    RouteCase("GET", "/operator/ocpp-security", Access.OPERATOR),
    RouteCase(
        "POST",
        "/operator/ocpp-security",
        Access.OPERATOR,
        ok=404,
        body={"charge_point_id": "CP-NONE", "min_profile": "2"},
    ),
    RouteCase(
        "POST", "/operator/ocpp-security/{charge_point_id}/renew", Access.OPERATOR, ok=404, body={}
    ),
    RouteCase("GET", "/operator/batches", Access.OPERATOR),
    RouteCase(  # nothing eligible in the world: refused with the reason
        "POST", "/operator/batches", Access.OPERATOR, ok=400, body={"period": "2026-Q1"}
    ),
    RouteCase("GET", "/operator/batches/{batch_id}", Access.OPERATOR, ok=404),
    RouteCase("POST", "/operator/batches/{batch_id}/finalize", Access.OPERATOR, ok=404, body={}),
    RouteCase("POST", "/operator/batches/{batch_id}/discard", Access.OPERATOR, ok=404, body={}),
    RouteCase("GET", "/operator/batches/{batch_id}/export.zip", Access.OPERATOR, ok=404),
    RouteCase("GET", "/operator/payouts", Access.OPERATOR),
    RouteCase(
        "POST",
        "/operator/prices",
        Access.OPERATOR,
        ok=303,
        body={"period": "2026-Q1", "price": "0.45"},
    ),
    RouteCase("POST", "/operator/statements", Access.OPERATOR, ok=303, body={"period": "2026-Q1"}),
    RouteCase(  # the owner records an upgrade date with evidence (the operator: its console)
        "POST",
        "/chargers/{charger_id}/metering",
        Access.OWNER,
        ok=303,
        body={"valid_from": "2026-02-01", "mid_serial": "MID-1", "evidence": "invoice 117"},
    ),
    # owner A's charger, seen by the operator (metering with evidence, customer kind)
    RouteCase("GET", "/operator/chargers/{metered_charger_id}/metering", Access.OPERATOR),
    RouteCase(
        "POST",
        "/operator/chargers/{metered_charger_id}/metering",
        Access.OPERATOR,
        ok=303,
        body={
            "kind": "integrated_mid",
            "valid_from": "2026-02-01",
            "mid_serial": "MID-1",
            "evidence": "installer's invoice 117",
        },
    ),
    RouteCase(  # no connection with this EAN
        "POST",
        "/operator/chargers/{metered_charger_id}/customer-kind",
        Access.OPERATOR,
        ok=404,
        body={"ean": "871000000000000099", "kind": "business"},
    ),
    RouteCase(  # owner A's statement; owner A entered no payout details: refused
        "POST",
        "/operator/payouts/{payout_statement_id}/paid",
        Access.OPERATOR,
        ok=409,
        body={"reference": "NL-123"},
    ),
    # No CHARGEBOOK_OPERATOR_IBAN in the tests' settings: refused with the reason.
    RouteCase("POST", "/operator/payouts/sepa", Access.OPERATOR, ok=409, body={}),
    RouteCase("GET", "/operator/payouts/runs/{run_id}.xml", Access.OPERATOR, ok=404),
    RouteCase("POST", "/operator/payouts/runs/{run_id}/paid", Access.OPERATOR, ok=404, body={}),
    RouteCase("POST", "/operator/payouts/runs/{run_id}/cancel", Access.OPERATOR, ok=404, body={}),
    RouteCase("GET", "/notifications", Access.SIGNED_IN),
    RouteCase("POST", "/notifications", Access.SIGNED_IN, ok=303, body={"kinds": "payout_made"}),
    RouteCase("POST", "/notifications/test", Access.SIGNED_IN, ok=422, body={}),
    # -- API --------------------------------------------------------------------------------
    RouteCase("GET", "/api/v1/me", Access.SIGNED_IN),
    RouteCase("GET", "/api/v1/tokens", Access.SIGNED_IN),
    RouteCase("GET", "/api/v1/me/tariff", Access.SIGNED_IN, scope=ApiScope.CHARGERS_READ),
    RouteCase(
        "PUT",
        "/api/v1/me/tariff",
        Access.SIGNED_IN,
        scope=ApiScope.CHARGERS_WRITE,
        body={"kind": "day_night", "normal": "0.30", "low": "0.22"},
    ),
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
    RouteCase(
        "GET", "/api/v1/chargers/{charger_id}/plan", Access.OWNER, scope=ApiScope.CHARGERS_READ
    ),
    RouteCase(
        "PUT",
        "/api/v1/chargers/{charger_id}/plan",
        Access.OWNER,
        scope=ApiScope.CHARGERS_WRITE,
        body={"departure": "07:00", "weekdays": [0, 1, 2, 3, 4], "energy_kwh": 20},
    ),
    RouteCase(
        "POST",
        "/api/v1/chargers/{charger_id}/plan/preview",
        Access.OWNER,
        scope=ApiScope.CHARGERS_READ,
        body={"departure": "07:00", "weekdays": [0, 1, 2, 3, 4], "energy_kwh": 20},
    ),
    RouteCase("GET", "/api/v1/sessions", Access.SIGNED_IN, scope=ApiScope.SESSIONS_READ),
    RouteCase(
        "GET", "/api/v1/sessions/{session_id}", Access.SIGNED_IN, scope=ApiScope.SESSIONS_READ
    ),
    RouteCase("GET", "/api/v1/energy/monthly", Access.SIGNED_IN, scope=ApiScope.SESSIONS_READ),
    RouteCase("GET", "/api/v1/statements", Access.SIGNED_IN, scope=ApiScope.CREDITS_READ),
    RouteCase(
        "GET", "/api/v1/statements/payout-account", Access.SIGNED_IN, scope=ApiScope.CREDITS_READ
    ),
    RouteCase(
        "GET", "/api/v1/statements/{statement_id}", Access.SIGNED_IN, scope=ApiScope.CREDITS_READ
    ),
    # webhooks and notifications (issue 21); {webhook_id} is unknown: 404 for everyone allowed
    RouteCase("GET", "/api/v1/webhooks", Access.SIGNED_IN, scope=ApiScope.WEBHOOKS_WRITE),
    RouteCase(  # a private address: refused (no DNS needed)
        "POST",
        "/api/v1/webhooks",
        Access.SIGNED_IN,
        ok=422,
        scope=ApiScope.WEBHOOKS_WRITE,
        body={"url": "https://127.0.0.1/hook", "events": ["payout.paid"]},
    ),
    RouteCase(
        "DELETE",
        "/api/v1/webhooks/{webhook_id}",
        Access.SIGNED_IN,
        ok=404,
        scope=ApiScope.WEBHOOKS_WRITE,
    ),
    RouteCase(
        "POST",
        "/api/v1/webhooks/{webhook_id}/ping",
        Access.SIGNED_IN,
        ok=404,
        scope=ApiScope.WEBHOOKS_WRITE,
    ),
    RouteCase(
        "GET",
        "/api/v1/webhooks/{webhook_id}/deliveries",
        Access.SIGNED_IN,
        ok=404,
        scope=ApiScope.WEBHOOKS_WRITE,
    ),
    RouteCase("GET", "/api/v1/notifications", Access.SIGNED_IN, scope=ApiScope.NOTIFICATIONS_WRITE),
    RouteCase(
        "PUT",
        "/api/v1/notifications",
        Access.SIGNED_IN,
        scope=ApiScope.NOTIFICATIONS_WRITE,
        body={"enabled": ["payout_made"]},
    ),
    RouteCase(  # no notification URL yet
        "POST",
        "/api/v1/notifications/test",
        Access.SIGNED_IN,
        ok=422,
        scope=ApiScope.NOTIFICATIONS_WRITE,
    ),
]

# Placeholders of operator routes that name no owner's object (see test_matrix._path).
UNKNOWN_ID = 999_999

# Framework routes that are not the app's own pages or API.
FRAMEWORK_PATHS = frozenset({"/openapi.json", "/api/docs", "/docs/oauth2-redirect", "/static"})
