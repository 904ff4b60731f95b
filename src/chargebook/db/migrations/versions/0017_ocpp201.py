"""OCPP 2.0.1 transactions in the same table as 1.6 ones (issue 20): a 2.0.1 charging station
names its transactions itself with a string of up to 36 characters (`ocpp_transaction_id`,
unique per charger; NULL for 1.6, whose transactionId is the row id). Its Started event may
carry no register, so the first register seen becomes `meterStart` (`meter_start_pending`),
and its Ended event may carry none either, so the last register seen is kept
(`last_register_wh`). A 2.0.1 idToken is up to 36 characters long (1.6 idTag: 20).

Revision ID: 0017_ocpp201
Revises: 0016_ere_metering_from
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017_ocpp201"
down_revision: str | None = "0016_ere_metering_from"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ocpp_transactions") as batch:
        batch.add_column(sa.Column("ocpp_transaction_id", sa.String(36), nullable=True))
        batch.add_column(
            sa.Column(
                "meter_start_pending", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
        batch.add_column(sa.Column("last_register_wh", sa.BigInteger(), nullable=True))
        batch.alter_column(
            "id_tag", existing_type=sa.String(20), type_=sa.String(36), existing_nullable=False
        )
        batch.create_unique_constraint(
            "uq_ocpp_transactions_ocpp_id", ["charger_id", "ocpp_transaction_id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("ocpp_transactions") as batch:
        batch.drop_constraint("uq_ocpp_transactions_ocpp_id", type_="unique")
        batch.alter_column(
            "id_tag", existing_type=sa.String(36), type_=sa.String(20), existing_nullable=False
        )
        batch.drop_column("last_register_wh")
        batch.drop_column("meter_start_pending")
        batch.drop_column("ocpp_transaction_id")
