"""Security headers, no-store and body limits on every kind of answer (issue 14): pages, API,
static files, downloads, errors (404, 413, 500), and templates without inline script."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from html.parser import HTMLParser

import httpx
from fastapi import FastAPI

from chargebook.web.body_limit import DEFAULT_MAX_BODY_BYTES
from chargebook.web.rendering import STATIC_DIR, TEMPLATES_DIR

from .helpers import World

PLAN = {"energy_kwh": 10, "departure": "07:00", "weekdays": [0, 1, 2, 3, 4]}


def assert_security_headers(response: httpx.Response, *, https: bool = False) -> None:
    headers = response.headers
    parts = headers["content-security-policy"].split(";")
    policy = dict(part.strip().split(" ", 1) for part in parts)
    assert policy["script-src"] == "'self'"  # no 'unsafe-inline', no CDN
    assert policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'"
    assert policy["object-src"] == "'none'"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    if https:
        assert headers["strict-transport-security"].startswith("max-age=")
    else:
        assert "strict-transport-security" not in headers


async def test_pages_api_static_and_errors_carry_the_headers(world: World) -> None:
    owner = world.actors["owner_a"]
    anonymous = world.actors["anonymous"]
    answers = {
        "page": await owner.client.get("/sessions"),
        "login page": await anonymous.client.get("/login"),
        "api": await owner.client.get("/api/v1/me", headers=owner.bearer()),
        "api 401": await anonymous.client.get("/api/v1/me"),
        "api 404": await owner.client.get("/api/v1/sessions/999999", headers=owner.bearer()),
        "page 404": await owner.client.get("/no/such/page"),
        "openapi": await anonymous.client.get("/openapi.json"),
        "docs": await anonymous.client.get("/api/docs"),
        "static": await anonymous.client.get("/static/chargebook.css"),
        "vendor": await anonymous.client.get("/static/vendor/chart.umd.min.js"),
    }
    for name, response in answers.items():
        assert response.status_code in (200, 401, 404), (name, response.status_code)
        assert_security_headers(response)
        if name in ("static", "vendor"):
            assert response.status_code == 200
            assert "no-store" not in response.headers.get("cache-control", ""), name
            assert "etag" in response.headers  # static files keep their validators
        else:
            assert response.headers["cache-control"] == "no-store", name


async def test_hsts_only_over_tls(app: FastAPI) -> None:
    for scheme, expected in (("https", True), ("http", False)):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url=f"{scheme}://testserver") as c:
            assert_security_headers(await c.get("/login"), https=expected)
            assert_security_headers(await c.get("/static/chargebook.css"), https=expected)


async def test_an_unexpected_error_answer_carries_the_headers(app: FastAPI) -> None:
    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/test-boom", boom)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        response = await client.get("/api/v1/test-boom")
    assert response.status_code == 500
    assert "a bug" not in response.text
    assert_security_headers(response)
    assert response.headers["cache-control"] == "no-store"


async def test_downloads_with_personal_data_are_never_stored(world: World) -> None:
    owner = world.actors["owner_a"]
    statement = world.statement_ids["owner_a"]
    for path in ("/sessions/export.csv", "/sessions/export.xlsx", "/credits/statements.csv",
                 f"/credits/statements/{statement}.pdf"):  # fmt: skip
        response = await owner.client.get(path)
        assert response.status_code == 200, path
        assert response.headers["content-disposition"].startswith("attachment"), path
        assert response.headers["cache-control"] == "no-store", path
        assert_security_headers(response)
    for path in ("/api/v1/statements", f"/api/v1/statements/{statement}", "/api/v1/sessions"):
        response = await owner.client.get(path, headers=owner.bearer())
        assert response.status_code == 200, path
        assert response.headers["cache-control"] == "no-store", path


async def test_api_docs_load_swagger_ui_from_our_origin(world: World) -> None:
    client = world.actors["anonymous"].client
    page = await client.get("/api/docs")
    assert page.status_code == 200
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page.text)
    # Our origin's static files only (url_for makes them absolute): nothing from a CDN.
    assert len(sources) == 3
    assert all(s.startswith("http://testserver/static/") for s in sources), sources
    for source in sources:
        asset = await client.get(source)
        assert asset.status_code == 200, source  # `make assets` copies swagger-ui-dist
        assert_security_headers(asset)
    assert 'data-openapi-url="/openapi.json"' in page.text


class _InlineScriptFinder(HTMLParser):
    """Collects what a `script-src 'self'; style-src 'self'` policy would refuse."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"inline handler {name}=")
            if name == "style":
                self.problems.append("inline style=")
            if (value or "").strip().lower().startswith("javascript:"):
                self.problems.append(f"javascript: URL in {name}")
        if tag == "script":
            data_block = names.get("type") == "application/json"  # data, never executed
            self._in_script = "src" not in names and not data_block
        if tag == "style":
            self.problems.append("inline <style>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script: {data.strip()[:40]!r}")


def test_no_template_or_script_has_inline_code() -> None:
    templates = sorted(TEMPLATES_DIR.rglob("*.html"))
    assert len(templates) > 20
    found = {}
    for template in templates:
        finder = _InlineScriptFinder()
        finder.feed(template.read_text("utf-8"))
        if finder.problems:
            found[str(template.relative_to(TEMPLATES_DIR))] = finder.problems
    assert found == {}
    # Scripts may set element.style (CSSOM, allowed) but not write style attributes as markup.
    for script in sorted((STATIC_DIR / "js").glob("*.js")):
        text = script.read_text("utf-8")
        for refused in ('style="', 'setAttribute("style"', "eval(", "new Function"):
            assert refused not in text, (script.name, refused)


async def test_a_large_json_body_is_refused_before_it_is_read(world: World) -> None:
    actor = world.actors["owner_a"]
    url = f"/api/v1/chargers/{world.charger_ids['owner_a']}/plan/preview"
    fine = await actor.client.post(url, json=PLAN, headers=actor.bearer())
    assert fine.status_code == 200, fine.text
    padding = " " * (DEFAULT_MAX_BODY_BYTES + 1)
    large = ('{"energy_kwh": 10, "departure": "07:00", "weekdays": [0],' + padding + "}").encode()
    with_length = await actor.client.post(
        url, content=large, headers={**actor.bearer(), "Content-Type": "application/json"}
    )
    assert with_length.status_code == 413
    assert with_length.json()["error"] == "PayloadTooLarge"
    assert "1 MiB" in with_length.json()["detail"]
    assert_security_headers(with_length)

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it streams
        for start in range(0, len(large), 64 * 1024):
            yield large[start : start + 64 * 1024]

    chunked = await actor.client.post(
        url, content=chunks(), headers={**actor.bearer(), "Content-Type": "application/json"}
    )
    assert "content-length" not in chunked.request.headers
    assert chunked.status_code == 413
    assert chunked.json()["error"] == "PayloadTooLarge"
    assert_security_headers(chunked)


async def test_a_large_page_form_is_refused_with_and_without_a_length(world: World) -> None:
    actor = world.actors["owner_a"]
    url = f"/chargers/{world.charger_ids['owner_a']}/plan"
    form = f"csrf_token={actor.csrf}&departure=07:00&note=" + "x" * DEFAULT_MAX_BODY_BYTES
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    with_length = await actor.client.post(url, content=form.encode(), headers=headers)
    assert with_length.status_code == 413

    async def chunks() -> AsyncIterator[bytes]:
        data = form.encode()
        for start in range(0, len(data), 64 * 1024):
            yield data[start : start + 64 * 1024]

    chunked = await actor.client.post(url, content=chunks(), headers=headers)
    assert chunked.status_code == 413
    assert "larger than 1 MiB" in chunked.text  # the error page says why
    assert_security_headers(chunked)
    login = await world.actors["anonymous"].client.post(
        "/login", content=b"email=a%40b.c&password=" + b"p" * (2 * DEFAULT_MAX_BODY_BYTES),
        headers=headers,
    )  # fmt: skip
    assert login.status_code == 413
