"""No password, token or key leaks out of the demo flows (issue 8, security checks).

One run through what a user does, with every log record at DEBUG (root, httpx, httpcore,
SQLAlchemy, uvicorn, ...), every CLI output, every page, API response (body and headers, less
the session's own Set-Cookie), every exported file and a dump of each database captured, then
scanned (`leakscan.py`) for: the myWallbox passwords, every access and refresh JWT the Wallbox
simulator issued (and the e-mail claim in its JWT-encoded form), the Fernet key
(CHARGEBOOK_SECRET_KEY and the demo's generated key file), the web passwords and session
cookies, OCPP charger secrets and personal access tokens outside their one intended display,
and secret hashes. The database must hold the Wallbox credentials and tokens as Fernet
ciphertext, the passwords as argon2 hashes and generated OCPP secrets as salted SHA-256 only.

Intended displays (each must occur exactly once, or the scan fails): the demo tour prints the
simulator's public demo login; `chargebook ocpp add` and the web's OCPP registration page show
the generated charger secret once to its owner; `chargebook tokens create` prints the new
token once. The second test shows the scanner finds planted secrets in each encoding.

The same run checks the exports for formula injection (issue 14): the owner's chargers are
renamed to formula-like names (as a sync from a hostile cloud account would), and no CSV or
XLSX that the flows downloaded or wrote holds a cell a spreadsheet would evaluate.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import re
import secrets
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from typer.testing import CliRunner

from chargebook.account_sources import UNUSABLE_PASSWORD_HASH
from chargebook.central_system.auth import is_fast_hash
from chargebook.cli.app import app as cli_app
from chargebook.clock import SystemClock
from chargebook.crypto import load_secret_box
from chargebook.db import (
    ChargerRepository,
    SessionRepository,
    UserRepository,
    WallboxAccountRepository,
    open_database,
)
from chargebook.db.ere.statements import StatementRepository
from chargebook.domain.ere import DeliveryPeriod
from chargebook.settings import Settings, load_settings
from chargebook.simulator.serve import ServedApp
from chargebook.simulator.wallbox import DEMO_PASSWORD, SimulatorConfig, WallboxSimulator
from chargebook.web.app import create_app
from chargebook.web.cookies import SESSION_COOKIE
from chargebook.web.page_services import backfills_of
from web.helpers import FAST_HASHER, csrf_from

from .capture import Capture
from .leakscan import Allowance, Finding, SecretSet, scan
from .spreadsheets import PAYLOADS, csv_cells, live_csv_cells, live_xlsx_cells

runner = CliRunner()
OWNER_EMAIL = "owner@example.com"
OPERATOR_EMAIL = "operator@example.com"
SIGNUP_EMAIL = "newcomer@example.com"
CLI_WALLBOX = ("user001@example.com", "user001-password")  # the simulator's second account
WEB_WALLBOX = ("user002@example.com", "user002-password")  # the third, for the web wizard
PAYOUT_IBAN = "NL91ABNA0417164300"
OPERATOR_PAGES = ("", "/followups", "/mandates", "/quarantine", "/batches", "/payouts")
SCOPES = ("chargers:read", "sessions:read", "credits:read")


@dataclass
class Run:
    """What the flows produced: the capture, the secrets to look for, the intended displays."""

    capture: Capture = field(default_factory=Capture)
    secrets: SecretSet = field(default_factory=SecretSet)
    allowed: list[Allowance] = field(default_factory=list)
    passwords: dict[str, str] = field(default_factory=dict)

    def cli(self, *args: str, input: str | None = None) -> str:
        result = runner.invoke(cli_app, list(args), input=input)
        output = result.output + (result.stderr if result.stderr_bytes else "")
        self.capture.add(f"cli {' '.join(args[:2])}", output)
        if result.exit_code != 0 and result.exc_info is not None:
            import traceback

            output += "".join(traceback.format_exception(*result.exc_info))
        assert result.exit_code == 0, output
        return str(result.stdout)

    def password(self, label: str) -> str:
        value = f"pw-{secrets.token_urlsafe(12)}"
        self.passwords[label] = value
        self.secrets.add(label, value)
        return value


def test_demo_flows_leak_no_secret(
    isolated_data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = Run()
    with run.capture.logging_at_debug():
        demo_tour(run, isolated_data_dir, monkeypatch)
        key = Fernet.generate_key().decode()
        monkeypatch.setenv("CHARGEBOOK_SECRET_KEY", key)
        run.secrets.add("CHARGEBOOK_SECRET_KEY", key)
        simulator = WallboxSimulator(
            SimulatorConfig(seed=5, accounts=3, chargers_per_account=1, days=10,
                            latency_ms=0, slow_answer_s=0.0, partner_mode=True),
            clock=SystemClock(),
        )  # fmt: skip
        issued = record_issued_tokens(simulator, monkeypatch)
        with ServedApp(simulator.app, log_level="debug") as served:
            run.capture.reopen_library_loggers()
            for name, value in (("API_URL", served.url), ("AUTH_URL", served.url),
                                ("PARTNER_MODE", "true"), ("MAX_RETRIES", "0")):  # fmt: skip
                monkeypatch.setenv(f"CHARGEBOOK_WALLBOX_{name}", value)
            cli_flows(run, monkeypatch)
            asyncio.run(web_flows(run, load_settings()))
        run.capture.add_files(isolated_data_dir, skip=("secret.key",))
    for body in issued:
        run.secrets.add_jwt("Wallbox access token", body["token"])
        run.secrets.add_jwt("Wallbox refresh token", body["refresh_token"])
    for email in (CLI_WALLBOX[0], WEB_WALLBOX[0], "demo@example.com"):
        run.secrets.add_encoded_claim(f"e-mail claim of a JWT ({email})", f'"{email}"')
    assert len(issued) >= 3  # CLI accounts add + wallbox login + web wizard each signed in
    check_book_at_rest(run, isolated_data_dir / "chargebook.sqlite3")

    findings = scan(run.capture.artifacts, run.secrets, run.allowed)
    assert not findings, summary(findings)
    check_exports_for_formulas(run)
    scanned = sum(len(a) for a in run.capture.artifacts.values())
    assert len(run.capture.artifacts) > 60
    assert scanned > 1_000_000  # logs at DEBUG, pages, exports and dumps really were captured


def check_exports_for_formulas(run: Run) -> None:
    """No downloaded or written CSV/XLSX holds a live formula; the renamed chargers' names
    are in the sessions exports, neutralised."""
    checked: dict[str, list[str]] = {}
    for name, content in run.capture.artifacts.items():
        data = content.encode() if isinstance(content, str) else content
        if name.startswith("http "):
            data = data.split(b"\n\n", 1)[1]  # the body after the captured head
        if ".csv" in name or name == "cli wallbox sessions":  # the last: `--csv` to stdout
            checked[name] = live_csv_cells(data.decode("utf-8"))
        elif ".xlsx" in name:
            checked[name] = live_xlsx_cells(data)
    assert {"http GET /sessions/export.csv", "http GET /sessions/export.xlsx",
            "http GET /credits/statements.csv", "cli wallbox sessions"} <= set(checked), sorted(checked)  # fmt: skip  # noqa: E501
    assert not any(checked.values()), {name: live for name, live in checked.items() if live}
    sessions_csv = run.capture.artifacts["http GET /sessions/export.csv"]
    assert isinstance(sessions_csv, bytes)
    cells = set(csv_cells(sessions_csv.split(b"\n\n", 1)[1].decode("utf-8")))
    assert any("'" + payload in cells for payload in PAYLOADS), sorted(cells)[:20]


def summary(findings: list[Finding]) -> str:
    """One line per (artifact, secret) with a count and the first context."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for finding in findings:
        groups.setdefault((finding.artifact, finding.label), []).append(finding)
    lines = [f"{len(found)}× {found[0]}" for found in groups.values()]
    return f"{len(findings)} leaks:\n" + "\n".join(lines)


def demo_tour(run: Run, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`chargebook demo --no-serve`; it prints the simulator's public demo login on purpose."""
    import chargebook.cli.demo

    generated: list[str] = []  # the demo OCPP charger's secret, which the demo never shows
    register = chargebook.cli.demo.register_demo_charge_point

    def recording_register(*args: Any, **kwargs: Any) -> str:
        generated.append(register(*args, **kwargs))
        return generated[-1]

    monkeypatch.setattr(chargebook.cli.demo, "register_demo_charge_point", recording_register)
    run.cli("demo", "--days", "10", "--no-serve")
    assert len(generated) == 1
    run.secrets.add("OCPP secret (demo)", generated[0])
    run.secrets.add("Wallbox password (simulator demo account)", DEMO_PASSWORD)
    run.allowed.append(Allowance("cli demo --days", "Wallbox password (simulator demo account)"))
    demo_dir = data_dir / "demo"
    demo_settings = Settings(data_dir=demo_dir)
    run.secrets.add("Fernet key file (demo)", (demo_dir / "secret.key").read_text().strip())
    database = open_database(demo_settings)
    box = load_secret_box(demo_settings, create=False)
    try:
        with database.session() as session:
            accounts = WallboxAccountRepository(session, box, SystemClock())
            for account in accounts.list():
                tokens = accounts.load_tokens(account.id) or {}
                for name, value in tokens.items():
                    if isinstance(value, str) and value.count(".") == 2:
                        run.secrets.add_jwt(f"Wallbox {name} (demo)", value)
    finally:
        database.dispose()
    assert any("(demo)" in label and "Wallbox" in label for label in run.secrets.labels())


def record_issued_tokens(
    simulator: WallboxSimulator, monkeypatch: pytest.MonkeyPatch
) -> list[dict[str, Any]]:
    """Every sign-in/refresh answer of the simulator (the fake's own method, wrapped)."""
    issued: list[dict[str, Any]] = []
    original = simulator.auth._issue

    def issue(*args: Any) -> dict[str, Any]:
        body = original(*args)
        issued.append(body)
        return body

    monkeypatch.setattr(simulator.auth, "_issue", issue)
    return issued


def cli_flows(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    """The commands that touch accounts, passwords, tokens, OCPP secrets and the book."""
    run.cli("db", "upgrade")
    run.cli("db", "current")
    owner_password = run.password("web password (owner)")
    run.cli("users", "add", "--email", OWNER_EMAIL, "--password-stdin", input=owner_password)
    operator_password = run.password("web password (operator)")
    run.cli("users", "add", "--email", OPERATOR_EMAIL, "--role", "operator",
            "--password-stdin", input=operator_password)  # fmt: skip
    run.cli("users", "list")
    email, password = CLI_WALLBOX
    run.secrets.add("Wallbox password (CLI account)", password)
    run.cli("accounts", "add", "--email", email, input=password + "\n")
    run.cli("accounts", "list")
    run.cli("sync")
    run.cli("sessions")
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_EMAIL", email)
    monkeypatch.setenv("CHARGEBOOK_WALLBOX_PASSWORD", password)
    run.cli("wallbox", "login")
    run.cli("wallbox", "chargers")
    run.cli("wallbox", "status")
    run.cli("wallbox", "sessions", "--csv")
    monkeypatch.delenv("CHARGEBOOK_WALLBOX_PASSWORD")

    shown = run.cli("ocpp", "add", "garage-cli", "--owner", OWNER_EMAIL)
    found = re.search(r"password: (\S+)", shown)
    assert found, shown
    run.secrets.add("OCPP secret (CLI)", found.group(1))
    run.allowed.append(Allowance("cli ocpp add", "OCPP secret (CLI)"))  # shown once, on purpose
    run.cli("ocpp", "list")

    scopes = [arg for scope in SCOPES for arg in ("--scope", scope)]
    token = run.cli("tokens", "create", "--email", OWNER_EMAIL, *scopes).strip().splitlines()[-1]
    run.secrets.add("personal access token", token)
    run.passwords["token"] = token
    run.allowed.append(Allowance("cli tokens create", "personal access token"))  # once, on purpose
    run.cli("tokens", "list", "--email", OWNER_EMAIL)


async def web_flows(run: Run, settings: Settings) -> None:
    """Sign-up/login, the connect wizard, OCPP registration, pages, exports, API, operator."""
    database = open_database(settings)
    app = create_app(settings, database=database, clock=SystemClock(),
                     password_hasher=FAST_HASHER, background=False)  # fmt: skip
    capture = run.capture
    try:
        async with app.router.lifespan_context(app):
            async with capture.client(app) as newcomer:
                csrf = csrf_from((await newcomer.get("/signup")).text)
                signup = {"email": SIGNUP_EMAIL, "password": run.password("web password (new)")}
                response = await newcomer.post("/signup", data={**signup, "csrf_token": csrf})
                assert response.status_code == 303, response.text
                run.secrets.add("session cookie (sign-up)", newcomer.cookies[SESSION_COOKIE])
                await newcomer.get("/")
                await newcomer.post(
                    "/logout",
                    data={"csrf_token": csrf_from((await newcomer.get("/connect/wallbox")).text)},
                )

            async with capture.client(app) as owner:
                await login(run, owner, OWNER_EMAIL, "web password (owner)", mistype=True)
                await wizard(run, app, owner)
                await owner_pages(run, app, owner)
            async with capture.client(app) as api:
                await api_calls(run, app, api)
            async with capture.client(app) as operator:
                await login(run, operator, OPERATOR_EMAIL, "web password (operator)")
                for page in OPERATOR_PAGES:
                    path = f"/operator{page}"
                    assert (await operator.get(path)).status_code == 200, path
    finally:
        database.dispose()


async def login(run: Run, client: Any, email: str, label: str, *, mistype: bool = False) -> None:
    if mistype:  # a failed attempt must not echo or log the password typed
        csrf = csrf_from((await client.get("/login")).text)
        wrong = run.password("mistyped web password")
        data = {"email": email, "password": wrong, "csrf_token": csrf, "next": "/"}
        assert (await client.post("/login", data=data)).status_code == 401
    csrf = csrf_from((await client.get("/login")).text)
    data = {"email": email, "password": run.passwords[label], "csrf_token": csrf, "next": "/"}
    response = await client.post("/login", data=data)
    assert response.status_code == 303, response.text
    run.secrets.add(f"session cookie ({email})", client.cookies[SESSION_COOKIE])


async def wizard(run: Run, app: Any, owner: Any) -> None:
    csrf = csrf_from((await owner.get("/connect/wallbox")).text)
    email, password = WEB_WALLBOX
    run.secrets.add("Wallbox password (web account)", password)
    wrong = {"email": email, "password": run.password("mistyped Wallbox password")}
    refused = await owner.post("/connect/wallbox", data={**wrong, "csrf_token": csrf})
    assert refused.status_code in (401, 403, 422), refused.status_code
    data = {"email": email, "password": password, "csrf_token": csrf}
    response = await owner.post("/connect/wallbox", data=data)
    assert response.status_code == 303, response.text
    context = app.state.context
    with context.database.session() as session:
        account = WallboxAccountRepository(session, context.box, context.clock).find_by_email(email)
    assert account is not None
    account_id = account.id
    await backfills_of(app).wait(account_id)
    await owner.get(response.headers["location"])
    with context.database.session() as session:
        chargers = ChargerRepository(session, context.clock).list(account_id=account_id)
    for charger in chargers:
        await owner.post(f"/connect/{charger.id}/select", data={"csrf_token": csrf})
        for page in ("meter", "done", "progress"):
            await owner.get(f"/connect/{charger.id}/{page}")
    await owner.get("/connect/ocpp")
    shown = await owner.post("/connect/ocpp", data={"charge_point_id": "garage-web",
                                                    "csrf_token": csrf})  # fmt: skip
    assert shown.status_code == 200, shown.text
    secret = shown.text.split('data-testid="ocpp-secret">')[1].split("<")[0]
    run.secrets.add("OCPP secret (web)", secret)
    # The registration page shows it to its owner once, on purpose.
    run.allowed.append(Allowance("http POST /connect/ocpp", "OCPP secret (web)"))


async def owner_pages(run: Run, app: Any, owner: Any) -> None:
    context = app.state.context
    with context.database.transaction() as session:
        chargers = ChargerRepository(session, context.clock).list()
        session_ids = [s.id for s in SessionRepository(session).list(limit=2)]
        # The signed-in owner's chargers (the CLI's synced chargers have their own owner).
        owner_user = UserRepository(session, context.clock).get_by_email(OWNER_EMAIL)
        assert owner_user is not None
        user = owner_user.id
        # A sync from a hostile cloud account renames the owner's chargers to formulas.
        repository = ChargerRepository(session, context.clock)
        mine = [c for c in chargers if c.owner_user_id == user]
        for charger, name in zip(mine, PAYLOADS * len(mine), strict=False):
            repository.upsert(dataclasses.replace(charger.charger, name=name))
        statement = StatementRepository(session, context.clock).add_statement(
            customer_id=user, period=DeliveryPeriod(2026, 3), eans=["871234567890123456"],
            energy_kwh=1, energy_kwh_by_month=[("2026-03", 1)], ere=1, is_estimate=False,
            price_eur_per_ere=1, fee_rate=0, gross_eur=1, fee_eur=0, payout_eur=1, line_ids=[],
        )  # fmt: skip
    run.passwords["statement"] = str(statement.id)
    # Payout details: the IBAN is a secret everywhere but the operator's SEPA file (issue 17).
    run.secrets.add("payout IBAN", PAYOUT_IBAN)
    csrf = csrf_from((await owner.get("/credits/payout-details")).text)
    saved = await owner.post("/credits/payout-details", data={
        "iban": PAYOUT_IBAN, "holder": "Owner", "csrf_token": csrf})  # fmt: skip
    assert saved.status_code == 303, saved.text
    await owner.get("/credits/payout-details")
    paths = ["/", "/connect", "/sessions", "/sessions/export.csv", "/sessions/export.xlsx",
             "/credits", "/credits/statements.csv", f"/credits/statements/{statement.id}.pdf",
             "/learn", "/openapi.json"]  # fmt: skip
    paths += [p for c in chargers for p in (f"/chargers/{c.id}", f"/chargers/{c.id}/live")]
    paths += [p for s in session_ids
              for p in (f"/sessions/{s}", f"/sessions/{s}/samples.json", f"/sessions/{s}/chart.png")]  # fmt: skip  # noqa: E501
    for path in paths:
        await owner.get(path)
    assert session_ids


async def api_calls(run: Run, app: Any, api: Any) -> None:
    api.headers["Authorization"] = f"Bearer {run.passwords['token']}"
    me = await api.get("/api/v1/me")
    assert me.status_code == 200, me.text
    chargers = (await api.get("/api/v1/chargers")).json()
    sessions = await api.get("/api/v1/sessions")
    assert sessions.status_code == 200, sessions.text
    paths = ["/api/v1/tokens", "/api/v1/energy/monthly", "/api/v1/statements",
             f"/api/v1/statements/{run.passwords['statement']}",
             "/api/v1/statements/payout-account"]  # fmt: skip
    items = chargers.get("items", chargers) if isinstance(chargers, dict) else chargers
    paths += [f"/api/v1/chargers/{c['id']}" for c in items]
    session_items = sessions.json().get("items", [])
    paths += [f"/api/v1/sessions/{s['id']}" for s in session_items[:2]]
    for path in paths:
        await api.get(path)


def check_book_at_rest(run: Run, path: Path) -> None:
    """Credentials and tokens are Fernet ciphertext; passwords only argon2 hashes (the dump
    is scanned with those hash columns blanked, see `capture.HASH_COLUMNS`)."""
    box = load_secret_box(load_settings(), create=False)
    connection = sqlite3.connect(path)
    try:
        rows = connection.execute(
            "SELECT email_encrypted, password_encrypted, tokens_encrypted FROM wallbox_accounts"
        ).fetchall()
        hashes = connection.execute("SELECT password_hash FROM users").fetchall()
        ocpp_hashes = connection.execute(
            "SELECT ocpp_secret_hash FROM chargers WHERE ocpp_secret_hash IS NOT NULL"
        ).fetchall()
    finally:
        connection.close()
    assert len(rows) == 2  # the CLI's and the web wizard's Wallbox accounts
    for row in rows:
        for ciphertext in row:
            assert ciphertext.startswith("gAAAAA"), "not Fernet ciphertext"
            box.decrypt(ciphertext)  # and it is ours
    plain = {box.decrypt(row[1]) for row in rows}
    assert plain == {CLI_WALLBOX[1], WEB_WALLBOX[1]}
    hashes = [value for (value,) in hashes if value != UNUSABLE_PASSWORD_HASH]
    assert len(hashes) == 3  # owner, operator, newcomer
    for value in hashes:
        assert value.startswith("$argon2id$")
        run.secrets.add("argon2 hash from the book", value)
    # Both OCPP chargers got generated secrets: the salted SHA-256 form (NIST SP 800-63B
    # §5.1.2.2 needs no slow hash for 192 random bits); a chosen one would be argon2.
    assert len(ocpp_hashes) == 2
    for (value,) in ocpp_hashes:
        assert is_fast_hash(value)
        run.secrets.add("OCPP secret hash from the book", value)


def test_the_scanner_finds_planted_secrets_in_every_form() -> None:
    """The scan above can fail: each planted secret, in the form a leak would take, is found."""
    import base64
    import io
    import zipfile
    import zlib

    planted = SecretSet()
    planted.add("password", "s3cret-Pässword&x")
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJ1c2VybmFtZSI6ImFAYi5jIn0.c2lnbmF0dXJlLWJ5dGVz"
    planted.add_jwt("jwt", jwt)
    planted.add_encoded_claim("e-mail claim", '"user001@example.com"')
    claims = base64.urlsafe_b64encode(b'{"sub":1,"username":"user001@example.com"}').decode()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as xlsx:
        xlsx.writestr("xl/sharedStrings.xml", "<t>s3cret-Pässword&amp;x s3cret-Pässword&x</t>")
    pdf = b"%PDF-1.4\nstream\n" + zlib.compress(b"(s3cret-P\xc3\xa4ssword&x) Tj") + b"\nendstream"
    artifacts: dict[str, bytes | str] = {
        "form body in a log": "password=s3cret-P%C3%A4ssword%26x",
        "basic auth": "Authorization: Basic "
        + base64.b64encode("me@x.y:s3cret-Pässword&x".encode()).decode(),
        "xlsx": archive.getvalue(),
        "pdf": pdf,
        "json": json.dumps({"refresh": jwt.split(".")[2]}),
        "jwt payload": f"token payload {claims}",
        "unregistered": "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo and "
        + "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJl and "
        + f"$sha256${'ab' * 16}${'cd' * 32}",
        "display": "your token: s3cret-Pässword&x",
        "clean": "nothing to see here",
    }
    found = {(f.artifact, f.label) for f in scan(artifacts, planted)}
    assert ("form body in a log", "password") in found
    assert ("basic auth", "password") in found
    assert ("xlsx", "password") in found
    assert ("pdf", "password") in found
    assert ("json", "jwt (signature segment)") in found
    assert ("jwt payload", "e-mail claim") in found
    assert ("unregistered", "an argon2 hash") in found
    assert ("unregistered", "a JWT") in found
    assert ("unregistered", "a secret's SHA-256 hash") in found
    assert not any(artifact == "clean" for artifact, _ in found)
    # An intended display passes only when it shows the secret exactly once.
    once = [Allowance("display", "password")]
    assert not any(f.artifact == "display" for f in scan(artifacts, planted, once))
    twice = {**artifacts, "display": "s3cret-Pässword&x and again s3cret-Pässword&x"}
    assert any(f.artifact == "display" for f in scan(twice, planted, once))
    gone = {**artifacts, "display": "the display lost its secret"}
    assert any(f.artifact == "display" for f in scan(gone, planted, once))
