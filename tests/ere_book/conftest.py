"""Fixtures for the ERE book tests (databases come from tests/conftest.py)."""

from __future__ import annotations

import pytest

from chargebook.clock import FixedClock
from chargebook.db import Database

from .helpers import NOW, BookBuilder


@pytest.fixture
def ere_clock() -> FixedClock:
    return FixedClock(NOW)


@pytest.fixture
def book(database: Database, ere_clock: FixedClock) -> BookBuilder:
    return BookBuilder(database, ere_clock)
