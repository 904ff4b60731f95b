from pathlib import Path

import pytest

from chargebook.settings import load_settings


def test_defaults_put_sqlite_in_data_dir(isolated_data_dir: Path) -> None:
    settings = load_settings()
    assert settings.data_dir == isolated_data_dir
    assert settings.effective_database_url == f"sqlite:///{isolated_data_dir}/chargebook.sqlite3"
    assert settings.wallbox_api_url == "https://api.wall-box.com"
    assert settings.wallbox_reads_per_minute == 3


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CHARGEBOOK_DATABASE_URL", "postgresql+psycopg://u@localhost/cb")
    monkeypatch.setenv("CHARGEBOOK_SECRET_KEY", "not-shown")
    settings = load_settings()
    assert settings.effective_database_url.startswith("postgresql+psycopg://")
    assert "not-shown" not in repr(settings)
