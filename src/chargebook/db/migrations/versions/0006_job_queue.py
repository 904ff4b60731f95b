"""The procrastinate job queue for `chargebook worker` (PostgreSQL only; nothing on SQLite).

Why a migration applies procrastinate's `schema.sql` (rather than `procrastinate schema
--apply` or its `sql/migrations/` files): `chargebook db upgrade` stays the one command that
prepares a database, the queue lands in the same schema as the book (the search_path, which
keeps test schemas isolated), and a downgrade removes it. `schema.sql` is procrastinate's
complete schema at the installed version (pinned to 3.10.x in pyproject.toml); its
`sql/migrations/` files only lead from one release to the next. When the pin moves, a new
Alembic migration runs the files between the two releases, so a database made here and one
upgraded later end up identical.

SQLite setups keep the in-process scheduler (`chargebook.jobs.scheduler`) and get nothing.

Revision ID: 0006_job_queue
Revises: 0005_smart_charging
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

from chargebook.db.core.job_queue import drop_queue_schema, install_queue_schema, queue_installed

revision: str = "0006_job_queue"
down_revision: str | None = "0005_smart_charging"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    # A database whose queue was installed by hand (`procrastinate schema --apply`) keeps it.
    if not queue_installed(connection):
        install_queue_schema(connection)


def downgrade() -> None:
    connection = op.get_bind()
    if connection.dialect.name != "postgresql":
        return
    drop_queue_schema(connection)
