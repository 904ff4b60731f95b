"""`chargebook accounts add --brand ...`, `accounts list` and `sync` with a fake brand
registered the way the real ones are (a line in `brand_connectors.CONNECTORS`), and the
`ChargerApiError` family's exit codes (3 for a refused login, as for the Wallbox)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from chargebook import brand_connectors
from chargebook.cli.app import app
from chargebook.cli.errors import exit_code_for, report
from chargebook.clock import SystemClock
from chargebook.db import ChargerRepository, UserRepository, open_database
from chargebook.domain.models import ChargerSource
from chargebook.errors import (
    ApiPayloadError,
    ApiRateLimitedError,
    ApiUnreachableError,
    ChargerApiError,
    SignInRefusedError,
    WriteUnconfirmedError,
)
from chargebook.settings import load_settings

from .fake_brand import OWNER_EMAIL, OWNER_SECRET, FakeConnector, FakeFleet, easee_fleet

runner = CliRunner()


@pytest.fixture
def cli_book(empty_database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeConnector]:
    monkeypatch.setenv("CHARGEBOOK_DATABASE_URL", empty_database_url)
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    easee = FakeConnector(easee_fleet())
    peblar = FakeConnector(
        FakeFleet(ChargerSource.PEBLAR_LOCAL, logins={"192.168.1.40": "web-password"}),
        name="Peblar",
    )
    # Registered exactly as the lead registers the real connectors; a fresh process registry.
    monkeypatch.setitem(brand_connectors.CONNECTORS, ChargerSource.EASEE_CLOUD, easee)
    monkeypatch.setitem(brand_connectors.CONNECTORS, ChargerSource.PEBLAR_LOCAL, peblar)
    monkeypatch.setattr(brand_connectors, "_process", None)
    return easee


def run(*args: str, stdin: str | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), input=stdin, env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_add_list_and_sync_an_easee_account(cli_book: FakeConnector) -> None:
    code, out = run(
        "accounts", "add", "--brand", "easee", "--email", OWNER_EMAIL, "--password", OWNER_SECRET
    )
    assert code == 0, out
    assert f"connected Easee {OWNER_EMAIL}" in out
    assert cli_book.fleet.sign_ins == 1
    code, out = run("accounts", "list")
    assert code == 0, out
    assert "Easee" in out
    assert OWNER_EMAIL in out
    assert "easee-1" in out
    assert OWNER_SECRET not in out

    code, out = run("sync", "--quiet")
    assert code == 0, out
    database = open_database(load_settings())
    try:
        with database.session() as session:
            owner = UserRepository(session, SystemClock()).get_by_email(OWNER_EMAIL)
            assert owner is not None
            chargers = ChargerRepository(session, SystemClock()).list(owner_user_id=owner.id)
    finally:
        database.dispose()
    assert sorted(c.charger.external_id for c in chargers) == ["EH100001", "EH100002"]
    assert cli_book.fleet.sign_ins == 1  # the stored token served the sync


def test_a_refused_login_exits_3_with_the_brand_named(cli_book: FakeConnector) -> None:
    code, out = run(
        "accounts", "add", "--brand", "easee", "--email", OWNER_EMAIL, "--password", "wrong"
    )
    assert code == 3
    assert "Sign-in failed: Easee refused the login" in out
    assert "wrong" not in out.replace("refused", "")


def test_a_brand_without_a_connector_is_a_usage_error(
    cli_book: FakeConnector, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delitem(brand_connectors.CONNECTORS, ChargerSource.ZAPTEC_CLOUD)  # a build without
    code, out = run("accounts", "add", "--brand", "zaptec", "--email", OWNER_EMAIL)
    assert code == 2
    assert "wallbox, easee, peblar" in out


def test_peblar_prompts_with_its_own_labels_and_needs_an_owner(cli_book: FakeConnector) -> None:
    code, out = run("accounts", "add", "--brand", "peblar", stdin="192.168.1.40\nweb-password\n")
    assert code == 1
    assert "Address on your network" in out
    assert "Web password" in out
    assert "--owner" in out
    code, out = run(
        "accounts", "add", "--brand", "peblar", "--owner", OWNER_EMAIL,
        stdin="http://192.168.1.40/\nweb-password\n",
    )  # fmt: skip
    assert code == 3  # the fake knows the address without a scheme: the login is refused
    code, out = run(
        "accounts", "add", "--brand", "peblar", "--owner", OWNER_EMAIL,
        stdin="192.168.1.40\nweb-password\n",
    )  # fmt: skip
    assert code == 0, out
    assert "connected Peblar 192.168.1.40" in out
    code, out = run(
        "accounts", "add", "--brand", "peblar", "--owner", OWNER_EMAIL,
        "--username", "HTTP://192.168.1.40/", "--secret", "web-password",
    )  # fmt: skip
    assert code == 1
    assert "already connected" in out


@pytest.mark.parametrize(
    ("error", "code", "label"),
    [
        (SignInRefusedError("refused", brand="Zaptec"), 3, "Sign-in failed"),
        (ApiRateLimitedError("slow down", brand="Easee", retry_after_s=30), 5, "Rate limited"),
        (ApiUnreachableError("no answer", brand="Peblar"), 6, "Connection trouble"),
        (ApiPayloadError("garbled", brand="Zaptec"), 7, "Unexpected answer"),
        (WriteUnconfirmedError("lost reply", brand="Easee"), 1, "Not confirmed"),
    ],
)
def test_the_charger_api_errors_map_to_the_documented_exit_codes(
    error: ChargerApiError, code: int, label: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert isinstance(
        error,
        SignInRefusedError
        | ApiRateLimitedError
        | ApiUnreachableError
        | ApiPayloadError
        | WriteUnconfirmedError,
    )
    assert exit_code_for(error) == (code, label)
    assert report(error) == code
    line = capsys.readouterr().err
    assert line.startswith(f"{label}: {error.message}")
    if isinstance(error, ApiRateLimitedError):
        assert "Easee limits how often" in line
        assert "in 30 s" in line
    if isinstance(error, SignInRefusedError):
        assert "accounts add --brand" in line
        assert "wallbox login" not in line
