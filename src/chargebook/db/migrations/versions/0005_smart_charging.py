"""Smart charging: the price cache per (source, 15-minute slot), repeating weekday plans per
charger and the per-session savings history.

Revision ID: 0005_smart_charging
Revises: 0004_web
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_smart_charging"
down_revision: str | None = "0004_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "price_slots",
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("slot_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("market_eur_per_kwh", sa.Numeric(precision=15, scale=8), nullable=False),
        sa.Column("all_in_eur_per_kwh", sa.Numeric(precision=15, scale=8), nullable=False),
        sa.Column("fetched_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("source", "slot_start", name=op.f("pk_price_slots")),
    )
    op.create_table(
        "smart_plans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.String(length=20), nullable=False),
        sa.Column("departure", sa.String(length=5), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("energy_kwh", sa.Numeric(precision=15, scale=6), nullable=True),
        sa.Column("target_soc_pct", sa.Float(), nullable=True),
        sa.Column("capacity_kwh", sa.Float(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(energy_kwh IS NULL) <> (target_soc_pct IS NULL)",
            name=op.f("ck_smart_plans_one_goal"),
        ),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_smart_plans_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smart_plans")),
    )
    op.create_index(op.f("ix_smart_plans_charger_id"), "smart_plans", ["charger_id"])
    op.create_table(
        "smart_savings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("plugged_in_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("unplugged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("energy_kwh", sa.Numeric(precision=15, scale=6), nullable=False),
        sa.Column("actual_cost_eur", sa.Numeric(precision=15, scale=4), nullable=False),
        sa.Column("charge_now_cost_eur", sa.Numeric(precision=15, scale=4), nullable=False),
        sa.Column("saving_eur", sa.Numeric(precision=15, scale=4), nullable=False),
        sa.Column("cost_complete", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_smart_savings_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_smart_savings")),
        sa.UniqueConstraint(
            "charger_id", "plugged_in_at", name=op.f("uq_smart_savings_charger_id_plugged_in_at")
        ),
    )


def downgrade() -> None:
    op.drop_table("smart_savings")
    op.drop_index(op.f("ix_smart_plans_charger_id"), table_name="smart_plans")
    op.drop_table("smart_plans")
    op.drop_table("price_slots")
