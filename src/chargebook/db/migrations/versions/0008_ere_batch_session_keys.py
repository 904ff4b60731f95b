"""ERE registrations: one composite foreign key (line, batch) instead of two, one index.

`ere_batch_sessions` referenced its batch and its line separately (two foreign-key checks per
registered session, two secondary indexes). It now references the line by (id, batch_id), which
also makes the database refuse a session whose batch is not its line's batch; the batch's
existence follows from the line's own foreign key. One index (batch_id, line_id) serves the
lookups by batch and the checks when lines are deleted. On PostgreSQL each foreign-key check is
a query per inserted row, so registering a million sessions saves a million of them.

The registration guarantees stay: the session id is the primary key (once, ever) and the
immutability triggers of 0003 are kept (recreated on SQLite, whose table rebuild drops them).

Revision ID: 0008_ere_batch_session_keys
Revises: 0007_smart_plan_strategy
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008_ere_batch_session_keys"
down_revision: str | None = "0007_smart_plan_strategy"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "ere_batch_sessions"
_MESSAGE = "ere batch is finalized and immutable"  # as in 0003_ere
_LINE_KEY = "uq_ere_batch_lines_id_batch_id"
_FK_BATCH = "fk_ere_batch_sessions_batch_id_ere_batches"
_FK_LINE = "fk_ere_batch_sessions_line_id_ere_batch_lines"
_IX_BATCH = "ix_ere_batch_sessions_batch_id"
_IX_LINE = "ix_ere_batch_sessions_line_id"
_IX_BOTH = "ix_ere_batch_sessions_batch_id_line_id"


def _sqlite_triggers() -> list[str]:
    """0003's triggers on ere_batch_sessions (SQLite drops them with the rebuilt table)."""
    statements = [
        f"""CREATE TRIGGER {_TABLE}_no_{verb.lower()} BEFORE {verb} ON {_TABLE}
            WHEN (SELECT status FROM ere_batches WHERE id = {row}.batch_id) = 'finalized'
            BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"""  # noqa: S608 (constants)
        for verb, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD"))
    ]
    statements.append(
        f"""CREATE TRIGGER {_TABLE}_no_move BEFORE UPDATE OF batch_id ON {_TABLE}
            WHEN (SELECT status FROM ere_batches WHERE id = NEW.batch_id) = 'finalized'
            BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"""  # noqa: S608 (constants)
    )
    return statements


def _sqlite() -> bool:
    return bool(op.get_bind().dialect.name == "sqlite")


def upgrade() -> None:
    op.create_index(_LINE_KEY, "ere_batch_lines", ["id", "batch_id"], unique=True)
    with op.batch_alter_table(_TABLE, recreate="always" if _sqlite() else "auto") as batch:
        batch.drop_constraint(_FK_BATCH, type_="foreignkey")
        batch.drop_constraint(_FK_LINE, type_="foreignkey")
        batch.drop_index(_IX_BATCH)
        batch.drop_index(_IX_LINE)
        batch.create_foreign_key(
            _FK_LINE, "ere_batch_lines", ["line_id", "batch_id"], ["id", "batch_id"]
        )
        batch.create_index(_IX_BOTH, ["batch_id", "line_id"], unique=False)
    if _sqlite():
        for statement in _sqlite_triggers():
            op.execute(statement)


def downgrade() -> None:
    with op.batch_alter_table(_TABLE, recreate="always" if _sqlite() else "auto") as batch:
        batch.drop_index(_IX_BOTH)
        batch.drop_constraint(_FK_LINE, type_="foreignkey")
        batch.create_foreign_key(_FK_BATCH, "ere_batches", ["batch_id"], ["id"])
        batch.create_foreign_key(_FK_LINE, "ere_batch_lines", ["line_id"], ["id"])
        batch.create_index(_IX_BATCH, ["batch_id"], unique=False)
        batch.create_index(_IX_LINE, ["line_id"], unique=False)
    if _sqlite():
        for statement in _sqlite_triggers():
            op.execute(statement)
    op.drop_index(_LINE_KEY, table_name="ere_batch_lines")
