"""Shared fixtures: a fixed clock and an isolated data directory per test."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from chargebook.clock import FixedClock


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(datetime(2026, 3, 10, 18, 0, tzinfo=UTC))


@pytest.fixture(autouse=True)
def isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Never let a test touch the real ~/.local/share/chargebook."""
    data_dir = tmp_path / "data"
    monkeypatch.setenv("CHARGEBOOK_DATA_DIR", str(data_dir))
    for name in ("CHARGEBOOK_DATABASE_URL", "CHARGEBOOK_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    return data_dir
