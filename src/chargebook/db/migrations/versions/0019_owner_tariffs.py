"""Owners' own tariffs (issue 18): one row per period of an owner's contract (fixed, dynamic
or day/night) from a moment on, so a contract changed today never re-prices last year.

Revision ID: 0019_owner_tariffs
Revises: 0018_brand_accounts
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019_owner_tariffs"
down_revision: str | None = "0018_brand_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PRICE = sa.Numeric(precision=15, scale=8)


def upgrade() -> None:
    op.create_table(
        "owner_tariffs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("price_eur_per_kwh", _PRICE, nullable=True),
        sa.Column("supplier_surcharge_eur_per_kwh", _PRICE, nullable=True),
        sa.Column("energy_tax_eur_per_kwh", _PRICE, nullable=True),
        sa.Column("vat_rate", _PRICE, nullable=True),
        sa.Column("normal_eur_per_kwh", _PRICE, nullable=True),
        sa.Column("low_eur_per_kwh", _PRICE, nullable=True),
        sa.Column("low_from", sa.String(length=5), nullable=True),
        sa.Column("low_until", sa.String(length=5), nullable=True),
        sa.Column("low_weekends", sa.Boolean(), nullable=True),
        sa.Column("low_holidays", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('fixed', 'dynamic', 'day_night')", name=op.f("ck_owner_tariffs_kind")
        ),
        sa.CheckConstraint(
            "(kind <> 'fixed' OR price_eur_per_kwh IS NOT NULL)"
            " AND (kind <> 'dynamic' OR (supplier_surcharge_eur_per_kwh IS NOT NULL"
            " AND energy_tax_eur_per_kwh IS NOT NULL AND vat_rate IS NOT NULL))"
            " AND (kind <> 'day_night' OR (normal_eur_per_kwh IS NOT NULL"
            " AND low_eur_per_kwh IS NOT NULL))",
            name=op.f("ck_owner_tariffs_figures_of_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_owner_tariffs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_owner_tariffs")),
        sa.UniqueConstraint(
            "user_id", "valid_from", name=op.f("uq_owner_tariffs_user_id_valid_from")
        ),
    )
    op.create_index(op.f("ix_owner_tariffs_user_id"), "owner_tariffs", ["user_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_owner_tariffs_user_id"), table_name="owner_tariffs")
    op.drop_table("owner_tariffs")
