"""`chargebook users` and `chargebook tokens` on a real SQLite book in the data dir."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.clock import SystemClock
from chargebook.db import UserRepository, open_database
from chargebook.domain.access import ApiScope
from chargebook.domain.users import UserRole
from chargebook.settings import Settings
from chargebook.web.accounts import AccountService
from chargebook.web.security import Passwords

PASSWORD = "a long enough password"


def _run(*args: str, stdin: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), input=stdin)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def settings(isolated_data_dir: Path) -> Settings:
    return Settings(data_dir=isolated_data_dir)


def test_users_add_operator_and_sign_in(settings: Settings) -> None:
    code, out, _ = _run(
        "users", "add", "--email", "Op@Example.com", "--role", "operator", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 0, out
    assert "created operator op@example.com" in out
    database = open_database(settings)
    try:
        with database.transaction() as session:
            user = AccountService(session, SystemClock(), Passwords()).authenticate(
                email="op@example.com", password=PASSWORD, client_ip=None
            )
    finally:
        database.dispose()
    assert user.role is UserRole.OPERATOR


def test_set_password_lets_an_accounts_add_user_sign_in(settings: Settings) -> None:
    database = open_database(settings)
    try:
        with database.transaction() as session:
            UserRepository(session, SystemClock()).create(email="w@example.com", password_hash="!")
        code, out, _ = _run(
            "users", "set-password", "--email", "w@example.com", "--password-stdin",
            stdin=PASSWORD + "\n",
        )  # fmt: skip
        assert code == 0, out
        with database.transaction() as session:
            user = AccountService(session, SystemClock(), Passwords()).authenticate(
                email="w@example.com", password=PASSWORD, client_ip=None
            )
        assert user.email == "w@example.com"
    finally:
        database.dispose()


def test_short_password_and_unknown_user_fail_with_a_message(settings: Settings) -> None:
    code, _, err = _run("users", "add", "--email", "a@example.com", "--password-stdin", stdin="x\n")
    assert code == 1
    assert "at least 10 characters" in err
    code, _, err = _run(
        "users", "set-password", "--email", "nobody@example.com", "--password-stdin",
        stdin=PASSWORD + "\n",
    )  # fmt: skip
    assert code == 1
    assert "no user" in err


def test_tokens_create_prints_the_token_once_and_revoke_stops_it(settings: Settings) -> None:
    _run("users", "add", "--email", "a@example.com", "--password-stdin", stdin=PASSWORD + "\n")
    code, out, err = _run(
        "tokens", "create", "--email", "a@example.com",
        "--scope", "chargers:read", "--scope", "sessions:read",
    )  # fmt: skip
    assert code == 0, err
    token = out.strip()
    assert token.startswith("cbk_")
    assert len(token) > 40
    database = open_database(settings)
    try:
        with database.session() as session:
            viewer = AccountService(session, SystemClock(), Passwords()).viewer_for_token(token)
        assert viewer is not None
        assert viewer.scopes == {ApiScope.CHARGERS_READ, ApiScope.SESSIONS_READ}
        code, listed, _ = _run("tokens", "list", "--email", "a@example.com")
        assert code == 0
        assert token not in listed
        assert token[:10] in listed
        assert _run("tokens", "revoke", "--email", "a@example.com", "1")[0] == 0
        with database.session() as session:
            assert (
                AccountService(session, SystemClock(), Passwords()).viewer_for_token(token) is None
            )
    finally:
        database.dispose()


def test_users_add_refuses_a_bad_e_mail_before_asking_for_a_password(settings: Settings) -> None:
    result = CliRunner().invoke(app, ["users", "add", "--email", "notanemail"], input="")
    assert result.exit_code == 1, result.output  # a chargebook error (cli/errors.py)
    assert "enter a valid e-mail address" in result.output
    assert "Password" not in result.output  # no prompt for a password to be thrown away
