"""ERE payouts: the owners' bank accounts (IBAN encrypted) and SEPA payout runs (issue 17).

`ere_payouts.run_id` names the open (or paid) run holding a payout: one column, so a payout is
never in two open runs; `ere_payout_run_items` keeps what each file held, also after a run was
cancelled.

Revision ID: 0014_ere_payout_accounts
Revises: 0013_ere_connection_parties
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014_ere_payout_accounts"
down_revision: str | None = "0013_ere_connection_parties"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ere_payout_accounts",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("iban_encrypted", sa.Text(), nullable=False),
        sa.Column("iban_masked", sa.String(length=50), nullable=False),
        sa.Column("holder", sa.String(length=70), nullable=False),
        sa.Column("bic", sa.String(length=11), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=320), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_ere_payout_accounts_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_ere_payout_accounts")),
    )
    op.create_table(
        "ere_payout_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("message_id", sa.String(length=35), nullable=False),
        sa.Column("payout_count", sa.Integer(), nullable=False),
        sa.Column("total_eur", sa.Numeric(precision=15, scale=4), nullable=False),
        sa.Column("file_sha256", sa.String(length=64), nullable=False),
        sa.Column("file_encrypted", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=320), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.Column("closed_by", sa.String(length=320), nullable=True),
        sa.CheckConstraint(
            "status <> 'paid' OR paid_at IS NOT NULL", name=op.f("ck_ere_payout_runs_paid_has_date")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'paid', 'cancelled')", name=op.f("ck_ere_payout_runs_status")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ere_payout_runs")),
    )
    op.create_table(
        "ere_payout_run_items",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("amount_eur", sa.Numeric(precision=15, scale=4), nullable=False),
        sa.Column("end_to_end_id", sa.String(length=35), nullable=False),
        sa.Column("iban_masked", sa.String(length=50), nullable=False),
        sa.Column("holder", sa.String(length=70), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["ere_payout_runs.id"],
            name=op.f("fk_ere_payout_run_items_run_id_ere_payout_runs"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["ere_payouts.statement_id"],
            name=op.f("fk_ere_payout_run_items_statement_id_ere_payouts"),
        ),
        sa.PrimaryKeyConstraint("run_id", "statement_id", name=op.f("pk_ere_payout_run_items")),
    )
    with op.batch_alter_table("ere_payouts") as batch:
        batch.add_column(sa.Column("run_id", sa.Integer(), nullable=True))
        batch.create_index(batch.f("ix_ere_payouts_run_id"), ["run_id"], unique=False)
        batch.create_foreign_key(
            batch.f("fk_ere_payouts_run_id_ere_payout_runs"), "ere_payout_runs", ["run_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("ere_payouts") as batch:
        batch.drop_constraint(batch.f("fk_ere_payouts_run_id_ere_payout_runs"), type_="foreignkey")
        batch.drop_index(batch.f("ix_ere_payouts_run_id"))
        batch.drop_column("run_id")
    op.drop_table("ere_payout_run_items")
    op.drop_table("ere_payout_runs")
    op.drop_table("ere_payout_accounts")
