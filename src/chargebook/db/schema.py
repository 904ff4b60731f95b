"""The whole schema: every feature's tables gathered on `Base.metadata`, for the migrations
(`db/migrations/env.py`) and the test that compares the migrations with the models.

Each feature declares its tables in its own `tables.py` on the shared `Base`
(`chargebook.db.core.base`); importing them here is what makes `metadata` whole. Nothing in a
feature imports this module.
"""

from __future__ import annotations

from sqlalchemy import MetaData

from chargebook.db.accounts import tables as accounts_tables
from chargebook.db.book import tables as book_tables
from chargebook.db.core.base import Base
from chargebook.db.ere import document_tables as ere_document_tables
from chargebook.db.ere import parties as ere_party_tables
from chargebook.db.ere import tables as ere_tables
from chargebook.db.hooks import tables as hooks_tables
from chargebook.db.ocpp import certificate_tables as ocpp_certificate_tables
from chargebook.db.ocpp import connection_tables as ocpp_connection_tables
from chargebook.db.ocpp import tables as ocpp_tables
from chargebook.db.ocpp import upstream_tables as ocpp_upstream_tables
from chargebook.db.smart import tables as smart_tables

FEATURE_TABLES = (
    accounts_tables,
    book_tables,
    ere_tables,
    ere_party_tables,
    ere_document_tables,
    hooks_tables,
    ocpp_tables,
    ocpp_connection_tables,
    ocpp_certificate_tables,
    ocpp_upstream_tables,
    smart_tables,
)

metadata: MetaData = Base.metadata

__all__ = ["FEATURE_TABLES", "metadata"]
