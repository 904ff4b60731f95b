"""The book's first schema: users, Wallbox accounts, chargers, sessions, samples, sync state and
the append-only audit log (enforced by triggers on SQLite and PostgreSQL).

Revision ID: 0001_initial
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001_initial"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The audit log is evidence: the database itself refuses to change or remove a line of it.
_APPEND_ONLY_MESSAGE = "audit_log is append-only"
_SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER audit_log_no_{verb.lower()} BEFORE {verb} ON audit_log
        BEGIN SELECT RAISE(ABORT, '{_APPEND_ONLY_MESSAGE}'); END"""
    for verb in ("UPDATE", "DELETE")
]
_POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION audit_log_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN RAISE EXCEPTION '{_APPEND_ONLY_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
        END $$""",
    """CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_reject_change()""",
    """CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_reject_change()""",
]


def _create_append_only_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _POSTGRES_TRIGGERS if dialect == "postgresql" else _SQLITE_TRIGGERS:
        op.execute(statement)


def _drop_append_only_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update_delete ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_reject_change()")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=100), nullable=False),
        sa.Column("entity_type", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=100), nullable=True),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    op.create_index("ix_audit_log_at", "audit_log", ["at"], unique=False)
    op.create_index(
        "ix_audit_log_entity_type_entity_id",
        "audit_log",
        ["entity_type", "entity_id"],
        unique=False,
    )
    _create_append_only_triggers()

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('owner', 'operator')", name=op.f("ck_users_role")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("email", name=op.f("uq_users_email")),
    )
    op.create_table(
        "wallbox_accounts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.Integer(), nullable=False),
        sa.Column("email_encrypted", sa.Text(), nullable=False),
        sa.Column("email_lookup_hash", sa.String(length=64), nullable=False),
        sa.Column("password_encrypted", sa.Text(), nullable=False),
        sa.Column("tokens_encrypted", sa.Text(), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_synced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sync_error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_wallbox_accounts_owner_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wallbox_accounts")),
        sa.UniqueConstraint(
            "email_lookup_hash", name=op.f("uq_wallbox_accounts_email_lookup_hash")
        ),
    )
    op.create_index(
        op.f("ix_wallbox_accounts_owner_user_id"),
        "wallbox_accounts",
        ["owner_user_id"],
        unique=False,
    )

    op.create_table(
        "chargers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=True),
        sa.Column("owner_user_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("group_name", sa.String(length=200), nullable=True),
        sa.Column("serial_number", sa.String(length=100), nullable=True),
        sa.Column("part_number", sa.String(length=100), nullable=True),
        sa.Column("model", sa.String(length=100), nullable=False),
        sa.Column("firmware_version", sa.String(length=50), nullable=True),
        sa.Column("time_zone", sa.String(length=64), nullable=True),
        sa.Column("max_current_a", sa.Integer(), nullable=True),
        sa.Column("mid_enabled", sa.Boolean(), nullable=False),
        sa.Column("mid_serial_number", sa.String(length=100), nullable=True),
        sa.Column("mid_status", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("source IN ('wallbox_cloud', 'ocpp')", name=op.f("ck_chargers_source")),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["wallbox_accounts.id"],
            name=op.f("fk_chargers_account_id_wallbox_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_user_id"], ["users.id"], name=op.f("fk_chargers_owner_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chargers")),
        sa.UniqueConstraint("source", "external_id", name=op.f("uq_chargers_source_external_id")),
    )
    op.create_index(op.f("ix_chargers_account_id"), "chargers", ["account_id"], unique=False)
    op.create_index(op.f("ix_chargers_owner_user_id"), "chargers", ["owner_user_id"], unique=False)

    op.create_table(
        "charging_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("external_id", sa.String(length=100), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("energy_kwh", sa.Numeric(precision=15, scale=6), nullable=True),
        sa.Column("mid_energy_kwh", sa.Numeric(precision=15, scale=6), nullable=True),
        sa.Column("discharged_energy_kwh", sa.Numeric(precision=15, scale=6), nullable=True),
        sa.Column("meter_start_wh", sa.BigInteger(), nullable=True),
        sa.Column("meter_stop_wh", sa.BigInteger(), nullable=True),
        sa.Column("cost", sa.Numeric(precision=15, scale=4), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("raw_payload", sa.Text(), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("quarantine_reason", sa.Text(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('wallbox_cloud', 'ocpp')", name=op.f("ck_charging_sessions_source")
        ),
        sa.CheckConstraint(
            "state = 'ok' OR quarantine_reason IS NOT NULL",
            name=op.f("ck_charging_sessions_quarantine_has_reason"),
        ),
        sa.CheckConstraint(
            "state = 'quarantined' OR (started_at IS NOT NULL AND ended_at IS NOT NULL "
            "AND energy_kwh IS NOT NULL AND ended_at >= started_at)",
            name=op.f("ck_charging_sessions_ok_is_complete"),
        ),
        sa.CheckConstraint(
            "state IN ('ok', 'quarantined')", name=op.f("ck_charging_sessions_state")
        ),
        sa.ForeignKeyConstraint(
            ["charger_id"], ["chargers.id"], name=op.f("fk_charging_sessions_charger_id_chargers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_charging_sessions")),
        sa.UniqueConstraint(
            "source", "external_id", name=op.f("uq_charging_sessions_source_external_id")
        ),
    )
    op.create_index(
        "ix_charging_sessions_charger_id_started_at",
        "charging_sessions",
        ["charger_id", "started_at"],
        unique=False,
    )
    op.create_index("ix_charging_sessions_state", "charging_sessions", ["state"], unique=False)

    op.create_table(
        "sync_state",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("synced_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("backfill_cursor", sa.DateTime(timezone=True), nullable=True),
        sa.Column("backfill_complete", sa.Boolean(), nullable=False),
        sa.Column("sessions_found", sa.Integer(), nullable=False),
        sa.Column("empty_windows", sa.Integer(), nullable=False),
        sa.Column("newest_session_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("last_error_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("consecutive_failures", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_sync_state_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("charger_id", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "session_samples",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("power_kw", sa.Float(), nullable=False),
        sa.Column("session_energy_kwh", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=40), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("extra", sa.Text(), nullable=True),
        sa.Column("session_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["charger_id"], ["chargers.id"], name=op.f("fk_session_samples_charger_id_chargers")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["charging_sessions.id"],
            name=op.f("fk_session_samples_session_id_charging_sessions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_samples")),
        sa.UniqueConstraint(
            "charger_id", "observed_at", name=op.f("uq_session_samples_charger_id_observed_at")
        ),
    )
    op.create_index(
        op.f("ix_session_samples_session_id"), "session_samples", ["session_id"], unique=False
    )


def downgrade() -> None:
    _drop_append_only_triggers()
    op.drop_index(op.f("ix_session_samples_session_id"), table_name="session_samples")

    op.drop_table("session_samples")
    op.drop_table("sync_state")
    op.drop_index("ix_charging_sessions_state", table_name="charging_sessions")
    op.drop_index("ix_charging_sessions_charger_id_started_at", table_name="charging_sessions")

    op.drop_table("charging_sessions")
    op.drop_index(op.f("ix_chargers_owner_user_id"), table_name="chargers")
    op.drop_index(op.f("ix_chargers_account_id"), table_name="chargers")

    op.drop_table("chargers")
    op.drop_index(op.f("ix_wallbox_accounts_owner_user_id"), table_name="wallbox_accounts")

    op.drop_table("wallbox_accounts")
    op.drop_table("users")
    op.drop_index("ix_audit_log_entity_type_entity_id", table_name="audit_log")
    op.drop_index("ix_audit_log_at", table_name="audit_log")

    op.drop_table("audit_log")
