"""Several central-system processes (issue 20): the connection registry (which process holds
each charge point, newest connection wins) and the processes' heartbeats.

Revision ID: 0022_ocpp_connections
Revises: 0021_webhooks_notifications
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022_ocpp_connections"
down_revision: str | None = "0021_webhooks_notifications"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ocpp_connections",
        sa.Column("charge_point_id", sa.String(100), nullable=False),
        sa.Column("node_id", sa.String(100), nullable=True),
        sa.Column("epoch", sa.BigInteger(), nullable=False),
        sa.Column("protocol", sa.String(20), nullable=False),
        sa.Column("connected_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("charge_point_id", name=op.f("pk_ocpp_connections")),
    )
    op.create_table(
        "ocpp_nodes",
        sa.Column("node_id", sa.String(100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("node_id", name=op.f("pk_ocpp_nodes")),
    )


def downgrade() -> None:
    op.drop_table("ocpp_nodes")
    op.drop_table("ocpp_connections")
