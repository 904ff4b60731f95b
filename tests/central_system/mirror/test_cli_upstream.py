"""`chargebook ocpp upstream set|clear` and `ocpp list`: the upstream password is stored
encrypted and shown nowhere; bad input is a clear message, not a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.cli.app import app
from chargebook.cli.errors import EXIT_CONFIGURATION
from chargebook.clock import SystemClock
from chargebook.crypto import KEY_FILE_NAME
from chargebook.db import open_database
from chargebook.db.ocpp.upstreams import OcppUpstreamRepository
from chargebook.settings import Settings

runner = CliRunner()
PASSWORD = "owner-app-password-Zx9"


@pytest.fixture
def settings(isolated_data_dir: Path) -> Settings:
    settings = Settings()
    added = runner.invoke(app, ["ocpp", "add", "CP-9"])
    assert added.exit_code == 0, added.output
    return settings


def _stored(settings: Settings) -> object:
    database = open_database(settings)
    try:
        with database.session() as session:
            return OcppUpstreamRepository(session, SystemClock()).get("CP-9")
    finally:
        database.dispose()


def test_set_stores_the_password_encrypted_and_list_shows_no_secret(settings: Settings) -> None:
    set_ = runner.invoke(
        app,
        [
            "ocpp",
            "upstream",
            "set",
            "CP-9",
            "--url",
            "wss://cs.example.com/ocpp",
            "--mode",
            "chargebook-primary",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert set_.exit_code == 0, set_.output
    assert "chargebook-primary" in set_.output
    assert PASSWORD not in set_.output
    stored = _stored(settings)
    assert stored is not None
    assert PASSWORD not in stored.password_encrypted  # type: ignore[attr-defined]
    assert PASSWORD not in repr(stored)
    listed = runner.invoke(app, ["ocpp", "list"], terminal_width=200)
    assert listed.exit_code == 0, listed.output
    assert "wss://cs.example.com/ocpp" in listed.output
    assert PASSWORD not in listed.output
    cleared = runner.invoke(app, ["ocpp", "upstream", "clear", "CP-9"])
    assert cleared.exit_code == 0
    assert _stored(settings) is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "https://cs.example.com/"], "ws:// or wss://"),
        (["--url", "wss://user:pw@cs.example.com/"], "no user or password"),
        (["--url", "wss://cs.example.com/", "--mode", "both"], "unknown upstream mode"),
    ],
)
def test_bad_input_is_a_clear_message(settings: Settings, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["ocpp", "upstream", "set", "CP-9", *args])
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
    assert _stored(settings) is None


def test_an_unknown_charger_is_not_found(settings: Settings) -> None:
    result = runner.invoke(
        app, ["ocpp", "upstream", "set", "CP-404", "--url", "wss://cs.example.com/"]
    )
    assert result.exit_code != 0
    assert "no OCPP charger CP-404" in result.output


def test_a_lost_key_with_upstream_passwords_in_the_book_is_reported(
    settings: Settings, isolated_data_dir: Path
) -> None:
    args = ["ocpp", "upstream", "set", "CP-9", "--url", "wss://cs.example.com/", "--password-stdin"]
    assert runner.invoke(app, args, input=PASSWORD + "\n").exit_code == 0
    key = isolated_data_dir / KEY_FILE_NAME
    key.unlink()
    again = runner.invoke(app, args, input=PASSWORD + "\n")
    assert again.exit_code == EXIT_CONFIGURATION
    assert "1 OCPP upstream password(s) in the book" in again.output
    assert not key.exists()  # no second key that would leave the stored one unreadable
