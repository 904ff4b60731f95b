"""Migration 0011 (issue 14): chargers get ownership periods, and a charger a sync brought
into the book without an owner (the CLI path before 0011) gets its account's owner, so the
next account that sees it cannot take it; on both databases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from chargebook.db import Database
from chargebook.db.core import migrate
from chargebook.db.core.engine import create_book_engine

NOW = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
USER = text(
    "INSERT INTO users (email, password_hash, role, created_at) "
    "VALUES ('a@example.com', '!', 'owner', :now)"
)
ACCOUNT = text(
    "INSERT INTO wallbox_accounts (owner_user_id, email_encrypted, email_lookup_hash, "
    "password_encrypted, disabled, created_at) VALUES (1, 'x', 'h', 'x', false, :now)"
)
CHARGER_0010 = text(
    "INSERT INTO chargers (source, external_id, account_id, name, model, mid_enabled, "
    "created_at, updated_at) VALUES ('wallbox_cloud', :external_id, :account_id, 'Pulsar', "
    "'PLP1', false, :now, :now)"
)
CHARGER = text(
    "INSERT INTO chargers (source, external_id, account_id, name, model, mid_enabled, "
    "created_at, updated_at, owner_until) VALUES ('wallbox_cloud', :external_id, :account_id, "
    "'Pulsar', 'PLP1', false, :now, :now, :until)"
)


def test_0011_gives_unowned_synced_chargers_their_accounts_owner(empty_database_url: str) -> None:
    database = Database(create_book_engine(empty_database_url))
    try:
        migrate.upgrade(database.engine, "0010_quarantined_index")
        with database.engine.begin() as connection:
            connection.execute(USER, {"now": NOW})
            connection.execute(ACCOUNT, {"now": NOW})
            for external_id, account_id in (("101", 1), ("102", None)):
                values = {"external_id": external_id, "account_id": account_id, "now": NOW}
                connection.execute(CHARGER_0010, values)
        migrate.upgrade(database.engine)
        with database.engine.begin() as connection:
            owners = dict(
                connection.execute(text("SELECT external_id, owner_user_id FROM chargers")).all()
            )
            assert owners == {"101": 1, "102": None}
            # An earlier owner's row may share the charger's id; two current rows may not.
            earlier = {"external_id": "101", "account_id": 1, "now": NOW, "until": NOW}
            connection.execute(CHARGER, earlier)
        with pytest.raises(IntegrityError), database.engine.begin() as connection:
            connection.execute(CHARGER, {**earlier, "until": None})
    finally:
        database.dispose()
