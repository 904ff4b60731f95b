import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from chargebook.crypto import SecretBox, load_secret_box
from chargebook.errors import ConfigurationError
from chargebook.settings import load_settings


def test_first_run_creates_a_private_key_file(isolated_data_dir: Path) -> None:
    box = load_secret_box(load_settings())
    key_file = isolated_data_dir / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    token = box.encrypt("hunter2")
    assert "hunter2" not in token
    assert load_secret_box(load_settings()).decrypt(token) == "hunter2"


def test_missing_key_without_create_is_a_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="no secret key"):
        load_secret_box(load_settings(), create=False)


def test_wrong_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    token = SecretBox(Fernet.generate_key()).encrypt("secret")
    monkeypatch.setenv("CHARGEBOOK_SECRET_KEY", Fernet.generate_key().decode())
    with pytest.raises(ConfigurationError, match="cannot be decrypted"):
        load_secret_box(load_settings()).decrypt(token)


def test_malformed_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARGEBOOK_SECRET_KEY", "too-short")
    with pytest.raises(ConfigurationError, match="not a valid Fernet key"):
        load_secret_box(load_settings())


def test_repr_hides_the_key() -> None:
    key = Fernet.generate_key()
    assert key.decode() not in repr(SecretBox(key))
