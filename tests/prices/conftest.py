"""Recorded EnergyZero answers (copied from shared/data/prices)."""

from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent.parent / "fixtures" / "prices"
QUARTER_FILE = FIXTURES / "energyzero-rest-quarter-2025-12-16_18.json"
HOUR_FILE = FIXTURES / "energyzero-rest-hour-2025-12-16_18.json"


@pytest.fixture
def quarter_payload() -> bytes:
    return QUARTER_FILE.read_bytes()


@pytest.fixture
def hour_payload() -> bytes:
    return HOUR_FILE.read_bytes()
