"""Smart plans remember how to charge: strategy, price cap (EUR/kWh) and minimum block length
(minutes), chosen in the web plan editor and used by the controller.

Revision ID: 0007_smart_plan_strategy
Revises: 0006_job_queue
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_smart_plan_strategy"
down_revision: str | None = "0006_job_queue"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("smart_plans") as batch:
        batch.add_column(
            sa.Column("strategy", sa.String(length=20), server_default="cheapest", nullable=False)
        )
        batch.add_column(
            sa.Column("price_cap_eur_per_kwh", sa.Numeric(precision=15, scale=8), nullable=True)
        )
        batch.add_column(
            sa.Column("min_block_minutes", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade() -> None:
    with op.batch_alter_table("smart_plans") as batch:
        batch.drop_column("min_block_minutes")
        batch.drop_column("price_cap_eur_per_kwh")
        batch.drop_column("strategy")
