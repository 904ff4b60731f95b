"""ERE metering from the right day (issue 17): a construct detection found qualifying counts
from the charger's first MID-metered session (`from_first_mid_session`, resolved when the rules
run, so detection before or after the backfill gives the same start); an operator's construct
carries its evidence (a reference and/or a stored file: name and SHA-256); a connection records
whether its customer is private or business (for private customers only a MID meter built
into the charger counts).

Revision ID: 0016_ere_metering_from
Revises: 0015_ere_mandate_documents
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016_ere_metering_from"
down_revision: str | None = "0015_ere_mandate_documents"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ere_metering_constructs") as batch:
        batch.add_column(
            sa.Column(
                "from_first_mid_session", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(sa.Column("evidence_reference", sa.Text(), nullable=True))
        batch.add_column(sa.Column("evidence_file_name", sa.String(200), nullable=True))
        batch.add_column(sa.Column("evidence_file_sha256", sa.String(64), nullable=True))
    with op.batch_alter_table("ere_connections") as batch:
        batch.add_column(
            sa.Column("customer_kind", sa.String(10), nullable=False, server_default="private")
        )
        batch.create_check_constraint("customer_kind", "customer_kind IN ('private', 'business')")


def downgrade() -> None:
    with op.batch_alter_table("ere_connections") as batch:
        batch.drop_constraint(op.f("ck_ere_connections_customer_kind"), type_="check")
        batch.drop_column("customer_kind")
    with op.batch_alter_table("ere_metering_constructs") as batch:
        batch.drop_column("evidence_file_sha256")
        batch.drop_column("evidence_file_name")
        batch.drop_column("evidence_reference")
        batch.drop_column("from_first_mid_session")
