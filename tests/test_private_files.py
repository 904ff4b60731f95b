"""The data dir is 0700 and the files chargebook writes there 0600: the SQLite book with its
-wal and -shm files, the secret key, the Wallbox token cache, the remembered account."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chargebook.crypto import load_secret_box
from chargebook.db import open_database
from chargebook.db.accounts.tables import UserRow
from chargebook.private_files import private_dir, private_file, tighten
from chargebook.settings import Settings, load_settings
from chargebook.wallbox import EncryptedFileTokenStore
from chargebook.wallbox.tokens import Tokens

NOW = datetime(2026, 3, 10, tzinfo=UTC)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> Iterator[None]:
    """The usual umask (022), which made the files 0644 before."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def _write_a_user(settings: Settings, email: str = "a@example.com") -> None:
    database = open_database(settings)
    try:
        with database.transaction() as session:
            session.add(UserRow(email=email, role="owner", password_hash="!", created_at=NOW))
        with database.engine.connect() as connection:  # the WAL exists while one is open
            book = Path(settings.data_dir / "chargebook.sqlite3")
            assert book.with_name(book.name + "-wal").exists()
            for suffix in ("", "-wal", "-shm"):
                assert _mode(book.with_name(book.name + suffix)) == 0o600, suffix
            connection.close()
    finally:
        database.dispose()


def test_a_new_data_dir_and_book_are_private(isolated_data_dir: Path) -> None:
    settings = load_settings()
    _write_a_user(settings)
    assert _mode(isolated_data_dir) == 0o700
    assert _mode(isolated_data_dir / "chargebook.sqlite3") == 0o600


def test_an_existing_open_data_dir_and_book_are_tightened(
    isolated_data_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    settings = load_settings()
    _write_a_user(settings)  # then someone (an older chargebook) opened everything up
    book = isolated_data_dir / "chargebook.sqlite3"
    isolated_data_dir.chmod(0o755)
    book.chmod(0o644)
    wal = book.with_name(book.name + "-wal")
    wal.touch()
    wal.chmod(0o644)
    with caplog.at_level(logging.WARNING):
        _write_a_user(settings, "b@example.com")
    assert _mode(isolated_data_dir) == 0o700
    assert _mode(book) == 0o600
    assert "was readable by other users" in caplog.text


def test_the_secret_key_creates_a_private_data_dir(isolated_data_dir: Path) -> None:
    load_secret_box(load_settings())
    assert _mode(isolated_data_dir) == 0o700
    assert _mode(isolated_data_dir / "secret.key") == 0o600


def test_the_token_cache_is_private(isolated_data_dir: Path) -> None:
    store = EncryptedFileTokenStore.from_settings(load_settings())
    store.save("me@example.com", Tokens("a", "r", 1, 2))
    assert _mode(isolated_data_dir) == 0o700
    assert _mode(store.directory) == 0o700
    assert _mode(store.path_for("me@example.com")) == 0o600


def test_helpers_create_and_tighten(tmp_path: Path) -> None:
    folder = private_dir(tmp_path / "a" / "b")
    assert _mode(folder) == 0o700
    assert _mode(tmp_path / "a") == 0o755  # a parent is not chargebook's to close
    created = private_file(folder / "f")
    assert _mode(created) == 0o600
    created.chmod(0o664)
    private_file(created)
    assert _mode(created) == 0o600
    assert tighten(tmp_path / "missing")


def test_a_chmod_that_fails_is_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir(mode=0o755)

    def refuse(path: object, mode: int) -> None:
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "chmod", refuse)
    with caplog.at_level(logging.WARNING):
        assert not tighten(shared)
    assert "run chmod go-rwx" in caplog.text
