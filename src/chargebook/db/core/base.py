"""The declarative base every feature's tables build on, with the naming convention and the
shared column types. The bottom of `chargebook.db`: feature tables import it, it imports none.

Constraint names come from the naming convention, so migrations can refer to them on both SQLite
and PostgreSQL. Enumerations are strings with CHECK constraints (no PostgreSQL ENUM types).
"""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from chargebook.db.core.types import ExactDecimal

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# kWh with 6 decimals (Wh with 3) and money with 4: both fit a float's 15 exact digits.
EnergyKwh = ExactDecimal(15, 6)
Money = ExactDecimal(15, 4)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
