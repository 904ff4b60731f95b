"""Mirror mode (issue 20): a charge point's upstream central system, URL, mode and Basic-auth
credentials (the password SecretBox-encrypted, since it must be replayed), and each mirrored
session's transaction ids (the charger's, the book's, the upstream's).

Revision ID: 0020_ocpp_upstreams
Revises: 0019_owner_tariffs
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020_ocpp_upstreams"
down_revision: str | None = "0019_owner_tariffs"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ocpp_upstreams",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("mode", sa.String(20), nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("password_encrypted", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "mode IN ('upstream-primary', 'chargebook-primary')",
            name=op.f("ck_ocpp_upstreams_mode"),
        ),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_ocpp_upstreams_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("charger_id", name=op.f("pk_ocpp_upstreams")),
    )
    op.create_table(
        "ocpp_upstream_transactions",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("charger_tx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("book_tx", sa.BigInteger(), nullable=True),
        sa.Column("upstream_tx", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_ocpp_upstream_transactions_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "charger_id", "charger_tx", name=op.f("pk_ocpp_upstream_transactions")
        ),
    )


def downgrade() -> None:
    op.drop_table("ocpp_upstream_transactions")
    op.drop_table("ocpp_upstreams")
