"""Setting or clearing an upstream checks the charge point id by the one rule first: text no
charger can have (a NUL byte above all) never reaches the database (the route fuzz found a
500 on PostgreSQL)."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from chargebook.central_system.mirror.config import clear_upstream, set_upstream
from chargebook.clock import FixedClock
from chargebook.crypto import SecretBox
from chargebook.db import Database
from chargebook.domain.ocpp_upstream import UpstreamMode
from chargebook.errors import NotFoundError

BAD_IDS = ("\x00", "CP\x001", "a b", "x" * 49, "")


@pytest.mark.parametrize("bad", BAD_IDS)
def test_clear_refuses_an_impossible_id(database: Database, clock: FixedClock, bad: str) -> None:
    with pytest.raises(NotFoundError, match="charge point id is"):
        clear_upstream(database, clock, bad)


@pytest.mark.parametrize("bad", BAD_IDS)
def test_set_refuses_an_impossible_id(database: Database, clock: FixedClock, bad: str) -> None:
    with pytest.raises(NotFoundError, match="charge point id is"):
        set_upstream(
            database,
            SecretBox(Fernet.generate_key()),
            clock,
            bad,
            url="wss://cs.example.com/ocpp",
            mode=UpstreamMode.CHARGEBOOK_PRIMARY,
            password=None,
        )
