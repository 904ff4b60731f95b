"""ERE registrations: statement-level key checks on PostgreSQL, one index by batch.

Registering a million sessions spent most of its time in PostgreSQL's foreign-key triggers:
one SPI query per inserted row and key (`SELECT 1 ... FOR KEY SHARE`, which also writes a lock
into every referenced session tuple): 16 s of a 22 s insert at 1M (EXPLAIN ANALYZE). On
PostgreSQL the two foreign keys of `ere_batch_sessions` (session -> `charging_sessions`,
(line, batch) -> `ere_batch_lines`) become triggers that check a whole statement at once:

- `ere_batch_sessions` AFTER INSERT / AFTER UPDATE, FOR EACH STATEMENT with the new rows as a
  transition table: one anti-join per key; a missing session or line raises what the foreign
  key raised (SQLSTATE 23503, "violates foreign key constraint <the old constraint name>").
- the referenced tables (`charging_sessions`, `ere_batch_lines`): deleting (AFTER DELETE, per
  statement, old rows as a transition table), re-keying (BEFORE UPDATE OF the key, per row,
  only when the key changes) or truncating (AFTER TRUNCATE) a row that a registration still
  references raises the same error as the foreign key's NO ACTION check.

Why this is equivalent under concurrency. The foreign key made the inserter lock each
referenced row FOR KEY SHARE so that a concurrent delete waits for it. Here the deleting side
waits instead: its guard first takes `LOCK TABLE ere_batch_sessions IN SHARE MODE`, which
conflicts with the ROW EXCLUSIVE lock every writer of registrations holds until it ends, and
then checks. Under READ COMMITTED (PostgreSQL's default and what chargebook uses) each
statement of the trigger functions reads a fresh snapshot, so whichever side comes second
sees the other's committed rows: a registration that committed first makes the delete fail;
a delete that committed first (or holds the SHARE lock, which the registering INSERT must
wait for) makes the registration's check find the row missing. With a transaction snapshot
(REPEATABLE READ, SERIALIZABLE) a check could miss a concurrent commit, so there the inserter
locks the referenced rows FOR KEY SHARE as the foreign key did (a row deleted since the
snapshot then raises a serialization failure), and the referenced side refuses deletes and
re-keys outright (SQLSTATE 55000). No code deletes or re-keys sessions; lines are deleted
only when a draft batch is discarded, after its registrations.

SQLite keeps its foreign keys (checked natively per row, not per query). On both backends the
(batch_id, line_id) index becomes one on batch_id: registrations are inserted in session
order, and the composite key put each row into one of ~200 interleaved places (1M rows: 1.5 s
on SQLite, 1.4 s on PostgreSQL); every reader by batch reads whole batches.

Revision ID: 0009_ere_registration_checks
Revises: 0008_ere_batch_session_keys
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009_ere_registration_checks"
down_revision: str | None = "0008_ere_batch_session_keys"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "ere_batch_sessions"
_FK_SESSION = "fk_ere_batch_sessions_session_id_charging_sessions"
_FK_LINE = "fk_ere_batch_sessions_line_id_ere_batch_lines"
_IX_BOTH = "ix_ere_batch_sessions_batch_id_line_id"
_IX_BATCH = "ix_ere_batch_sessions_batch_id"

# Shared by the referenced side's guards: wait for every writer of registrations, and refuse
# when the transaction's snapshot could hide one that committed meanwhile.
_SETTLE = """
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'changing the key of a % row that registrations may reference needs '
      'READ COMMITTED isolation', TG_TABLE_NAME USING ERRCODE = 'object_not_in_prerequisite_state';
  END IF;
  LOCK TABLE ere_batch_sessions IN SHARE MODE;
"""


def _referenced_error(constraint: str, table: str, key: str) -> str:
    return f"""RAISE EXCEPTION 'update or delete on table "{table}" violates foreign key '
        'constraint "{constraint}" on table "ere_batch_sessions"'
        USING ERRCODE = 'foreign_key_violation',
        DETAIL = format('Key ({key})=(%s) is still referenced from table '
                        '"ere_batch_sessions".', culprit);"""


_POSTGRES_UP = [
    f"ALTER TABLE {_TABLE} DROP CONSTRAINT {_FK_SESSION}",
    f"ALTER TABLE {_TABLE} DROP CONSTRAINT {_FK_LINE}",
    # The new rows' keys, checked once per statement. work_mem: the anti-join's hash of a
    # million keys fits in one batch (a fixed bound, not the number of sessions).
    f"""CREATE FUNCTION ere_batch_sessions_check_keys() RETURNS trigger LANGUAGE plpgsql
        SET work_mem = '64MB' AS $$
        DECLARE
          culprit text;
        BEGIN
          IF current_setting('transaction_isolation') <> 'read committed' THEN
            -- As the foreign key did: a row deleted after this snapshot cannot be locked.
            PERFORM 1 FROM charging_sessions c
              WHERE c.id IN (SELECT session_id FROM new_rows) FOR KEY SHARE OF c;
            PERFORM 1 FROM ere_batch_lines l
              WHERE (l.id, l.batch_id) IN (SELECT line_id, batch_id FROM new_rows)
              FOR KEY SHARE OF l;
          END IF;
          SELECT n.session_id::text INTO culprit FROM new_rows n
            WHERE NOT EXISTS (SELECT 1 FROM charging_sessions c WHERE c.id = n.session_id)
            LIMIT 1;
          IF culprit IS NOT NULL THEN
            RAISE EXCEPTION 'insert or update on table "{_TABLE}" violates foreign key '
              'constraint "{_FK_SESSION}"' USING ERRCODE = 'foreign_key_violation',
              DETAIL = format('Key (session_id)=(%s) is not present in table '
                              '"charging_sessions".', culprit);
          END IF;
          SELECT n.line_id || ', ' || n.batch_id INTO culprit FROM new_rows n
            WHERE NOT EXISTS (SELECT 1 FROM ere_batch_lines l
                              WHERE l.id = n.line_id AND l.batch_id = n.batch_id)
            LIMIT 1;
          IF culprit IS NOT NULL THEN
            RAISE EXCEPTION 'insert or update on table "{_TABLE}" violates foreign key '
              'constraint "{_FK_LINE}"' USING ERRCODE = 'foreign_key_violation',
              DETAIL = format('Key (line_id, batch_id)=(%s) is not present in table '
                              '"ere_batch_lines".', culprit);
          END IF;
          RETURN NULL;
        END $$""",  # noqa: S608 (constants)
    f"""CREATE TRIGGER {_TABLE}_keys_insert AFTER INSERT ON {_TABLE}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION ere_batch_sessions_check_keys()""",
    f"""CREATE TRIGGER {_TABLE}_keys_update AFTER UPDATE ON {_TABLE}
        REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT
        EXECUTE FUNCTION ere_batch_sessions_check_keys()""",
    # The referenced side: sessions.
    f"""CREATE FUNCTION charging_sessions_keep_registered() RETURNS trigger LANGUAGE plpgsql
        AS $$
        DECLARE
          culprit text;
        BEGIN
          {_SETTLE}
          IF TG_OP = 'DELETE' THEN
            SELECT g.id::text INTO culprit FROM gone_rows g
              WHERE EXISTS (SELECT 1 FROM ere_batch_sessions s WHERE s.session_id = g.id)
              LIMIT 1;
          ELSIF TG_OP = 'UPDATE' THEN
            SELECT s.session_id::text INTO culprit FROM ere_batch_sessions s
              WHERE s.session_id = OLD.id;
          ELSE
            SELECT s.session_id::text INTO culprit FROM ere_batch_sessions s LIMIT 1;
          END IF;
          IF culprit IS NOT NULL THEN
            {_referenced_error(_FK_SESSION, "charging_sessions", "id")}
          END IF;
          IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
          RETURN NULL;
        END $$""",  # noqa: S608 (constants)
    """CREATE TRIGGER charging_sessions_registered_delete AFTER DELETE ON charging_sessions
        REFERENCING OLD TABLE AS gone_rows FOR EACH STATEMENT
        EXECUTE FUNCTION charging_sessions_keep_registered()""",
    """CREATE TRIGGER charging_sessions_registered_rekey BEFORE UPDATE OF id
        ON charging_sessions FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
        EXECUTE FUNCTION charging_sessions_keep_registered()""",
    """CREATE TRIGGER charging_sessions_registered_truncate AFTER TRUNCATE
        ON charging_sessions FOR EACH STATEMENT
        EXECUTE FUNCTION charging_sessions_keep_registered()""",
    # The referenced side: lines (by id and batch, the old composite key).
    f"""CREATE FUNCTION ere_batch_lines_keep_registered() RETURNS trigger LANGUAGE plpgsql
        AS $$
        DECLARE
          culprit text;
        BEGIN
          {_SETTLE}
          IF TG_OP = 'DELETE' THEN
            SELECT g.id || ', ' || g.batch_id INTO culprit FROM gone_rows g
              WHERE EXISTS (SELECT 1 FROM ere_batch_sessions s
                            WHERE s.batch_id = g.batch_id AND s.line_id = g.id)
              LIMIT 1;
          ELSIF TG_OP = 'UPDATE' THEN
            SELECT s.line_id || ', ' || s.batch_id INTO culprit FROM ere_batch_sessions s
              WHERE s.batch_id = OLD.batch_id AND s.line_id = OLD.id LIMIT 1;
          ELSE
            SELECT s.line_id || ', ' || s.batch_id INTO culprit
              FROM ere_batch_sessions s LIMIT 1;
          END IF;
          IF culprit IS NOT NULL THEN
            {_referenced_error(_FK_LINE, "ere_batch_lines", "id, batch_id")}
          END IF;
          IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
          RETURN NULL;
        END $$""",  # noqa: S608 (constants)
    """CREATE TRIGGER ere_batch_lines_registered_delete AFTER DELETE ON ere_batch_lines
        REFERENCING OLD TABLE AS gone_rows FOR EACH STATEMENT
        EXECUTE FUNCTION ere_batch_lines_keep_registered()""",
    """CREATE TRIGGER ere_batch_lines_registered_rekey BEFORE UPDATE OF id, batch_id
        ON ere_batch_lines FOR EACH ROW
        WHEN (OLD.id IS DISTINCT FROM NEW.id OR OLD.batch_id IS DISTINCT FROM NEW.batch_id)
        EXECUTE FUNCTION ere_batch_lines_keep_registered()""",
    """CREATE TRIGGER ere_batch_lines_registered_truncate AFTER TRUNCATE
        ON ere_batch_lines FOR EACH STATEMENT
        EXECUTE FUNCTION ere_batch_lines_keep_registered()""",
]

_POSTGRES_DOWN = [
    f"DROP TRIGGER {_TABLE}_keys_insert ON {_TABLE}",
    f"DROP TRIGGER {_TABLE}_keys_update ON {_TABLE}",
    "DROP FUNCTION ere_batch_sessions_check_keys()",
    *(
        f"DROP TRIGGER {table}_registered_{event} ON {table}"
        for table in ("charging_sessions", "ere_batch_lines")
        for event in ("delete", "rekey", "truncate")
    ),
    "DROP FUNCTION charging_sessions_keep_registered()",
    "DROP FUNCTION ere_batch_lines_keep_registered()",
    f"""ALTER TABLE {_TABLE} ADD CONSTRAINT {_FK_SESSION} FOREIGN KEY (session_id)
        REFERENCES charging_sessions (id)""",
    f"""ALTER TABLE {_TABLE} ADD CONSTRAINT {_FK_LINE} FOREIGN KEY (line_id, batch_id)
        REFERENCES ere_batch_lines (id, batch_id)""",
]


def _postgres() -> bool:
    return bool(op.get_bind().dialect.name == "postgresql")


def upgrade() -> None:
    op.drop_index(_IX_BOTH, table_name=_TABLE)
    op.create_index(_IX_BATCH, _TABLE, ["batch_id"], unique=False)
    if _postgres():
        for statement in _POSTGRES_UP:
            op.execute(statement)


def downgrade() -> None:
    if _postgres():
        for statement in _POSTGRES_DOWN:
            op.execute(statement)
    op.drop_index(_IX_BATCH, table_name=_TABLE)
    op.create_index(_IX_BOTH, _TABLE, ["batch_id", "line_id"], unique=False)
