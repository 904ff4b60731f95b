"""Chargers: one row per ownership period, so a transfer (a house sale) keeps the earlier
owner's sessions the earlier owner's (issue 14).

`owner_until` closes a row's period (NULL: the current owner); a transfer closes the current
row and opens a new one for the new owner, so (source, external id) is unique among the
current rows only: the table's unique constraint becomes a partial unique index. Chargers a
sync brought into the book before the sync gave them an owner (the CLI path) get the owner of
the myWallbox account that found them: an unowned charger could otherwise be taken by the
next account that sees it.

Revision ID: 0011_charger_owner_periods
Revises: 0010_quarantined_index
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011_charger_owner_periods"
down_revision: str | None = "0010_quarantined_index"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CURRENT = sa.text("owner_until IS NULL")


def upgrade() -> None:
    with op.batch_alter_table("chargers") as batch:
        batch.add_column(sa.Column("owner_until", sa.DateTime(timezone=True), nullable=True))
        batch.drop_constraint("uq_chargers_source_external_id", type_="unique")
    op.create_index(
        "uq_chargers_current_source_external_id",
        "chargers",
        ["source", "external_id"],
        unique=True,
        sqlite_where=_CURRENT,
        postgresql_where=_CURRENT,
    )
    op.execute(
        "UPDATE chargers SET owner_user_id = (SELECT wallbox_accounts.owner_user_id "
        "FROM wallbox_accounts WHERE wallbox_accounts.id = chargers.account_id) "
        "WHERE owner_user_id IS NULL AND account_id IS NOT NULL"
    )


def downgrade() -> None:
    # Fails (unique violation) once a charger has been transferred: its earlier owner's row
    # would have to go, with their sessions; that is not a downgrade's decision.
    op.drop_index("uq_chargers_current_source_external_id", table_name="chargers")
    with op.batch_alter_table("chargers") as batch:
        batch.create_unique_constraint("uq_chargers_source_external_id", ["source", "external_id"])
        batch.drop_column("owner_until")
