"""A lost `secret.key` is reported, never silently replaced, while the book or the data dir
holds data encrypted with it: serve, the CLI and the worker stop with a clear message (CLI exit
code 8, no traceback) and create no new key."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from chargebook.book_keys import open_secret_box
from chargebook.cli.app import app
from chargebook.cli.errors import EXIT_CONFIGURATION
from chargebook.clock import FixedClock
from chargebook.crypto import KEY_FILE_NAME, MissingSecretKeyError, load_secret_box
from chargebook.db import UserRepository, WallboxAccountRepository, open_database
from chargebook.db.ere.store import EreStore
from chargebook.domain.users import UserRole
from chargebook.ere.service.payout_accounts import set_payout_account
from chargebook.settings import load_settings
from chargebook.wallbox import EncryptedFileTokenStore, Tokens


def _book_with_an_account(clock: FixedClock) -> None:
    settings = load_settings()
    database = open_database(settings)
    try:
        box = open_secret_box(settings, database)  # first run: the key is made
        with database.transaction() as session:
            owner = UserRepository(session, clock).create(
                email="owner@example.com", password_hash="!", role=UserRole.OWNER
            )
            WallboxAccountRepository(session, box, clock).add(
                owner_user_id=owner.id, email="me@example.com", password="pw"
            )
    finally:
        database.dispose()


def test_a_missing_key_with_accounts_in_the_book_is_refused(
    isolated_data_dir: Path, clock: FixedClock
) -> None:
    _book_with_an_account(clock)
    key = isolated_data_dir / KEY_FILE_NAME
    key.unlink()  # lost in a move, a restore without it, ...
    database = open_database(load_settings())
    try:
        with pytest.raises(MissingSecretKeyError) as caught:
            open_secret_box(load_settings(), database)
    finally:
        database.dispose()
    message = caught.value.message
    assert "1 connected myWallbox account(s) in the book" in message
    assert str(key) in message
    assert "CHARGEBOOK_SECRET_KEY" in message
    assert not key.exists()  # no second key


def test_a_missing_key_with_payout_ibans_in_the_book_is_refused(
    isolated_data_dir: Path, clock: FixedClock
) -> None:
    settings = load_settings()
    database = open_database(settings)
    try:
        box = open_secret_box(settings, database)
        with database.transaction() as session:
            store = EreStore(session, clock)
            owner = store.users.create(
                email="owner@example.com", password_hash="!", role=UserRole.OWNER
            )
            set_payout_account(store, box, user_id=owner.id, iban="NL91ABNA0417164300",
                               holder="O. Wner", actor="test")  # fmt: skip
        (isolated_data_dir / KEY_FILE_NAME).unlink()
        with pytest.raises(MissingSecretKeyError, match=r"1 owner\(s\)' payout IBAN"):
            open_secret_box(load_settings(), database)
    finally:
        database.dispose()
    assert not (isolated_data_dir / KEY_FILE_NAME).exists()


def test_an_empty_book_still_gets_a_key_on_first_run(isolated_data_dir: Path) -> None:
    database = open_database(load_settings())
    try:
        open_secret_box(load_settings(), database)
    finally:
        database.dispose()
    assert (isolated_data_dir / KEY_FILE_NAME).exists()


def test_cached_tokens_without_their_key_are_refused(isolated_data_dir: Path) -> None:
    store = EncryptedFileTokenStore.from_settings(load_settings())
    store.save("me@example.com", Tokens("a", "r", 1, 2))
    (isolated_data_dir / KEY_FILE_NAME).unlink()
    with pytest.raises(MissingSecretKeyError, match="cached Wallbox token file"):
        EncryptedFileTokenStore.from_settings(load_settings())
    assert not (isolated_data_dir / KEY_FILE_NAME).exists()


def test_a_probe_that_finds_nothing_lets_the_key_be_made(isolated_data_dir: Path) -> None:
    load_secret_box(load_settings(), encrypted_data=[lambda: None])
    assert (isolated_data_dir / KEY_FILE_NAME).exists()


@pytest.mark.parametrize("command", [["serve"], ["accounts", "list"]])
def test_the_cli_says_what_happened_with_exit_code_8(
    isolated_data_dir: Path, clock: FixedClock, command: list[str]
) -> None:
    _book_with_an_account(clock)
    (isolated_data_dir / KEY_FILE_NAME).unlink()
    result = CliRunner().invoke(app, command)
    assert result.exit_code == EXIT_CONFIGURATION, result.output
    assert "the secret key is missing" in result.output
    assert "Traceback" not in result.output
    assert not (isolated_data_dir / KEY_FILE_NAME).exists()
