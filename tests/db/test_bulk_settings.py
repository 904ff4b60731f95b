"""`bulk_settings`: the PostgreSQL settings of the statements over a whole period apply inside
the block only, and the connection gets its own values back afterwards."""

from __future__ import annotations

from sqlalchemy import text

from chargebook.db import Database
from chargebook.db.ere.sql_settings import BULK_WORK_MEM, bulk_settings

_READ = text("SELECT current_setting('jit'), current_setting('work_mem')")


def test_jit_and_work_mem_are_set_inside_and_restored_after(postgres_database: Database) -> None:
    with postgres_database.session() as session:
        connection = session.connection()
        connection.execute(text("SELECT set_config('jit', 'on', true)"))
        connection.execute(text("SELECT set_config('work_mem', '3MB', true)"))
        with bulk_settings(connection):
            assert connection.execute(_READ).one() == ("off", BULK_WORK_MEM)
        assert connection.execute(_READ).one() == ("on", "3MB")
