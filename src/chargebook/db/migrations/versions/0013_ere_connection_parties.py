"""ERE: how each connection's connected party (aangeslotene) was verified, and when.

One row per check (method, by whom, on which day, a note); rows are only added, the latest per
connection is the current answer (issue 17).

Revision ID: 0013_ere_connection_parties
Revises: 0011_charger_owner_periods
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013_ere_connection_parties"
down_revision: str | None = "0011_charger_owner_periods"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_METHODS = "('energy_bill', 'grid_operator_letter', 'car_register', 'owner_declaration')"


def upgrade() -> None:
    op.create_table(
        "ere_party_verifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("method", sa.String(length=30), nullable=False),
        sa.Column("verified_by", sa.String(length=200), nullable=False),
        sa.Column("verified_on", sa.Date(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(f"method IN {_METHODS}", name=op.f("ck_ere_party_verifications_method")),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["ere_connections.id"],
            name=op.f("fk_ere_party_verifications_connection_id_ere_connections"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ere_party_verifications")),
    )
    op.create_index(
        op.f("ix_ere_party_verifications_connection_id"),
        "ere_party_verifications",
        ["connection_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_ere_party_verifications_connection_id"), table_name="ere_party_verifications"
    )
    op.drop_table("ere_party_verifications")
