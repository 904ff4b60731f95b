"""OCPP central system: charger auth columns and metering verdict, charge point facts, durable
transactions (their id is the OCPP transactionId) and their raw frames.

Revision ID: 0002_ocpp
Revises: 0001_initial
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002_ocpp"
down_revision: str | None = "0001_initial"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chargers") as batch:
        batch.add_column(sa.Column("ocpp_secret_hash", sa.String(length=255), nullable=True))
        batch.add_column(
            sa.Column(
                "ocpp_allow_empty_password",
                sa.Boolean(),
                server_default=sa.false(),
                nullable=False,
            )
        )
        batch.add_column(sa.Column("metering_verdict", sa.String(length=20), nullable=True))

    op.create_table(
        "ocpp_charge_points",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("vendor", sa.String(length=50), nullable=True),
        sa.Column("meter_type", sa.String(length=50), nullable=True),
        sa.Column("meter_serial_number", sa.String(length=50), nullable=True),
        sa.Column("metering_explanation", sa.Text(), nullable=True),
        sa.Column("booted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.String(length=20), nullable=True),
        sa.Column("last_error_code", sa.String(length=30), nullable=True),
        sa.Column("status_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_ocpp_charge_points_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("charger_id", name=op.f("pk_ocpp_charge_points")),
    )
    op.create_table(
        "ocpp_transactions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("connector_id", sa.Integer(), nullable=False),
        sa.Column("id_tag", sa.String(length=20), nullable=False),
        sa.Column("meter_start_wh", sa.BigInteger(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("energy_mode", sa.String(length=10), nullable=False),
        sa.Column("is_open", sa.Boolean(), nullable=False),
        sa.Column("meter_stop_wh", sa.BigInteger(), nullable=True),
        sa.Column("stopped_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("stop_reason", sa.String(length=30), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "energy_mode IN ('unknown', 'lifetime', 'session')",
            name=op.f("ck_ocpp_transactions_energy_mode"),
        ),
        sa.ForeignKeyConstraint(
            ["charger_id"], ["chargers.id"], name=op.f("fk_ocpp_transactions_charger_id_chargers")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["charging_sessions.id"],
            name=op.f("fk_ocpp_transactions_session_id_charging_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocpp_transactions")),
        sa.UniqueConstraint(
            "charger_id",
            "connector_id",
            "started_at",
            "meter_start_wh",
            name="uq_ocpp_transactions_start",
        ),
    )
    op.create_index(
        "ix_ocpp_transactions_charger_id_is_open",
        "ocpp_transactions",
        ["charger_id", "is_open"],
        unique=False,
    )
    op.create_table(
        "ocpp_frames",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("transaction_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("frame", sa.Text(), nullable=False),
        sa.Column("frame_sha256", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["ocpp_transactions.id"],
            name=op.f("fk_ocpp_frames_transaction_id_ocpp_transactions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocpp_frames")),
        sa.UniqueConstraint(
            "transaction_id",
            "frame_sha256",
            name=op.f("uq_ocpp_frames_transaction_id_frame_sha256"),
        ),
    )


def downgrade() -> None:
    op.drop_table("ocpp_frames")
    op.drop_index("ix_ocpp_transactions_charger_id_is_open", table_name="ocpp_transactions")
    op.drop_table("ocpp_transactions")
    op.drop_table("ocpp_charge_points")
    with op.batch_alter_table("chargers") as batch:
        batch.drop_column("metering_verdict")
        batch.drop_column("ocpp_allow_empty_password")
        batch.drop_column("ocpp_secret_hash")
