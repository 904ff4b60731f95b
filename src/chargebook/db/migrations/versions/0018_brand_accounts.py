"""Brand accounts beside the Wallbox (issue 19): Easee and Zaptec through their clouds, Peblar
on the home network.

`brand_accounts` holds every brand's connected accounts in one table (source, the login's
username and secret and the API's tokens, encrypted; a keyed hash of the username so one
account is connected once per brand). A charger of such an account points at it with
`brand_account_id` (SET NULL when the account goes, as `account_id` does for myWallbox
accounts), and the `source` CHECK constraints of chargers and charging sessions take the
three new sources.

Revision ID: 0018_brand_accounts
Revises: 0017_ocpp201
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018_brand_accounts"
down_revision: str | None = "0017_ocpp201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out (not imported from the models): a migration stays what it was when written.
_OLD_SOURCES = "source IN ('wallbox_cloud', 'ocpp')"
_NEW_SOURCES = "source IN ('wallbox_cloud', 'ocpp', 'easee_cloud', 'zaptec_cloud', 'peblar_local')"
_BRAND_SOURCES = "source IN ('easee_cloud', 'zaptec_cloud', 'peblar_local')"


def upgrade() -> None:
    op.create_table(
        "brand_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("username_encrypted", sa.Text(), nullable=False),
        sa.Column("username_lookup_hash", sa.String(length=64), nullable=False),
        sa.Column("secret_encrypted", sa.Text(), nullable=False),
        sa.Column("tokens_encrypted", sa.Text(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync_error", sa.Text(), nullable=True),
        sa.CheckConstraint(_BRAND_SOURCES, name=op.f("ck_brand_accounts_source")),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_brand_accounts_owner_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_brand_accounts")),
        sa.UniqueConstraint(
            "source",
            "username_lookup_hash",
            name=op.f("uq_brand_accounts_source_username_lookup_hash"),
        ),
    )
    op.create_index(
        op.f("ix_brand_accounts_owner_user_id"), "brand_accounts", ["owner_user_id"], unique=False
    )
    with op.batch_alter_table("chargers") as batch:
        batch.add_column(sa.Column("brand_account_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_chargers_brand_account_id_brand_accounts",
            "brand_accounts",
            ["brand_account_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_chargers_brand_account_id", ["brand_account_id"], unique=False)
        batch.drop_constraint(op.f("ck_chargers_source"), type_="check")
        batch.create_check_constraint("source", _NEW_SOURCES)
    with op.batch_alter_table("charging_sessions") as batch:
        batch.drop_constraint(op.f("ck_charging_sessions_source"), type_="check")
        batch.create_check_constraint("source", _NEW_SOURCES)


def downgrade() -> None:
    # Fails (check violation) once a brand charger or session is in the book: removing them
    # with their sessions is not a downgrade's decision.
    with op.batch_alter_table("charging_sessions") as batch:
        batch.drop_constraint(op.f("ck_charging_sessions_source"), type_="check")
        batch.create_check_constraint("source", _OLD_SOURCES)
    with op.batch_alter_table("chargers") as batch:
        batch.drop_constraint(op.f("ck_chargers_source"), type_="check")
        batch.create_check_constraint("source", _OLD_SOURCES)
        batch.drop_index("ix_chargers_brand_account_id")
        batch.drop_constraint("fk_chargers_brand_account_id_brand_accounts", type_="foreignkey")
        batch.drop_column("brand_account_id")
    op.drop_index(op.f("ix_brand_accounts_owner_user_id"), table_name="brand_accounts")
    op.drop_table("brand_accounts")
