"""ERE book: grid connections, mandates (one provider per EAN per year), metering constructs
and follow-ups, SAP meter readings, prices, registration batches (every session in one batch,
ever; immutable once finalized, by triggers), statements and payouts.

Revision ID: 0003_ere
Revises: 0002_ocpp
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_ere"
down_revision: str | None = "0002_ocpp"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A finalized batch is evidence submitted to the NEa: the database refuses to change it, its
# lines or its sessions. Corrections go into a new batch that references the original.
_MESSAGE = "ere batch is finalized and immutable"
_CHILDREN = ("ere_batch_lines", "ere_batch_sessions")


def _sqlite_triggers() -> list[str]:
    statements = [
        f"""CREATE TRIGGER ere_batches_no_{verb.lower()} BEFORE {verb} ON ere_batches
            WHEN OLD.status = 'finalized' BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"""
        for verb in ("UPDATE", "DELETE")
    ]
    for table in _CHILDREN:
        for verb, row in (("INSERT", "NEW"), ("UPDATE", "OLD"), ("DELETE", "OLD")):
            statements.append(
                f"""CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
                    WHEN (SELECT status FROM ere_batches WHERE id = {row}.batch_id) = 'finalized'
                    BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"""  # noqa: S608 (constants)
            )
        statements.append(
            f"""CREATE TRIGGER {table}_no_move BEFORE UPDATE OF batch_id ON {table}
                WHEN (SELECT status FROM ere_batches WHERE id = NEW.batch_id) = 'finalized'
                BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"""  # noqa: S608 (constants)
        )
    return statements


def _postgres_triggers() -> list[str]:
    # Statement-level triggers with transition tables: one check per statement, so that
    # registering a million sessions does not pay a trigger call per row.
    statements = [
        f"""CREATE FUNCTION ere_batches_reject_finalized() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF OLD.status = 'finalized' THEN
                RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
              END IF;
              IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
              RETURN NEW;
            END $$""",
        """CREATE TRIGGER ere_batches_no_change BEFORE UPDATE OR DELETE ON ere_batches
            FOR EACH ROW EXECUTE FUNCTION ere_batches_reject_finalized()""",
        f"""CREATE FUNCTION ere_batch_children_reject_finalized() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
              IF EXISTS (SELECT 1 FROM changed_rows c JOIN ere_batches b ON b.id = c.batch_id
                         WHERE b.status = 'finalized') THEN
                RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
              END IF;
              RETURN NULL;
            END $$""",  # noqa: S608 (constants)
    ]
    for table in _CHILDREN:
        for verb, alias in (
            ("INSERT", "NEW"),
            ("UPDATE", "NEW"),
            ("UPDATE", "OLD"),
            ("DELETE", "OLD"),
        ):
            statements.append(
                f"""CREATE TRIGGER {table}_{verb.lower()}_{alias.lower()} AFTER {verb} ON {table}
                    REFERENCING {alias} TABLE AS changed_rows FOR EACH STATEMENT
                    EXECUTE FUNCTION ere_batch_children_reject_finalized()"""
            )
    return statements


def _create_triggers() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for statement in _postgres_triggers() if postgres else _sqlite_triggers():
        op.execute(statement)


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS ere_batches_no_change ON ere_batches")
        for table in _CHILDREN:
            for name in ("insert_new", "update_new", "update_old", "delete_old"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_{name} ON {table}")
        op.execute("DROP FUNCTION IF EXISTS ere_batch_children_reject_finalized()")
        op.execute("DROP FUNCTION IF EXISTS ere_batches_reject_finalized()")
    else:
        for verb in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS ere_batches_no_{verb}")
        for table in _CHILDREN:
            for verb in ("insert", "update", "delete", "move"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{verb}")


def upgrade() -> None:
    op.create_table(
        "ere_batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_kind", sa.String(length=10), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("parameter_version", sa.String(length=50), nullable=False),
        sa.Column("corrects_batch_id", sa.Integer(), nullable=True),
        sa.Column("total_energy_kwh", sa.Numeric(precision=15, scale=6), nullable=False),
        sa.Column("total_ere", sa.Numeric(precision=15, scale=3), nullable=False),
        sa.Column("session_count", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finalized_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("manifest_sha256", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "period_kind IN ('quarter', 'year')", name=op.f("ck_ere_batches_period_kind")
        ),
        sa.CheckConstraint(
            "status = 'draft' OR (finalized_at IS NOT NULL AND manifest_sha256 IS NOT NULL)",
            name=op.f("ck_ere_batches_finalized_complete"),
        ),
        sa.CheckConstraint("status IN ('draft', 'finalized')", name=op.f("ck_ere_batches_status")),
        sa.ForeignKeyConstraint(
            ["corrects_batch_id"],
            ["ere_batches.id"],
            name=op.f("fk_ere_batches_corrects_batch_id_ere_batches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ere_batches")),
    )
    op.create_index(op.f("ix_ere_batches_period"), "ere_batches", ["period"], unique=False)
    op.create_table(
        "ere_meter_readings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ean", sa.String(length=18), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("register_kwh", sa.Numeric(precision=15, scale=6), nullable=False),
        sa.Column("source_sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ere_meter_readings")),
        sa.UniqueConstraint("ean", "read_at", name=op.f("uq_ere_meter_readings_ean_read_at")),
    )
    op.create_table(
        "ere_prices",
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("price_eur_per_ere", sa.Numeric(precision=12, scale=6), nullable=False),
        sa.Column("set_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("period", name=op.f("pk_ere_prices")),
    )
    op.create_table(
        "ere_connections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ean", sa.String(length=18), nullable=False),
        sa.Column("customer_user_id", sa.Integer(), nullable=False),
        sa.Column("connected_party_name", sa.String(length=200), nullable=False),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("house_number", sa.String(length=20), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("country_code", sa.String(length=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(ean) = 18", name=op.f("ck_ere_connections_ean_length")),
        sa.ForeignKeyConstraint(
            ["customer_user_id"],
            ["users.id"],
            name=op.f("fk_ere_connections_customer_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ere_connections")),
        sa.UniqueConstraint("ean", name=op.f("uq_ere_connections_ean")),
    )
    op.create_index(
        op.f("ix_ere_connections_customer_user_id"),
        "ere_connections",
        ["customer_user_id"],
        unique=False,
    )
    op.create_table(
        "ere_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("customer_user_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("eans", sa.Text(), nullable=False),
        sa.Column("energy_kwh", sa.Numeric(precision=15, scale=6), nullable=False),
        sa.Column("energy_kwh_by_month", sa.Text(), nullable=False),
        sa.Column("ere", sa.Numeric(precision=15, scale=3), nullable=False),
        sa.Column("is_estimate", sa.Boolean(), nullable=False),
        sa.Column("price_eur_per_ere", sa.Numeric(precision=12, scale=6), nullable=False),
        sa.Column("fee_rate", sa.Numeric(precision=6, scale=4), nullable=False),
        sa.Column("gross_eur", sa.Numeric(precision=15, scale=4), nullable=False),
        sa.Column("fee_eur", sa.Numeric(precision=15, scale=4), nullable=False),
        sa.Column("payout_eur", sa.Numeric(precision=15, scale=4), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["customer_user_id"],
            ["users.id"],
            name=op.f("fk_ere_statements_customer_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ere_statements")),
        sa.UniqueConstraint(
            "customer_user_id",
            "period",
            "sequence",
            name=op.f("uq_ere_statements_customer_user_id_period_sequence"),
        ),
    )
    op.create_index(op.f("ix_ere_statements_period"), "ere_statements", ["period"], unique=False)
    op.create_table(
        "ere_mandates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("customer_user_id", sa.Integer(), nullable=False),
        sa.Column("ean", sa.String(length=18), nullable=False),
        sa.Column("service_provider_id", sa.String(length=100), nullable=False),
        sa.Column("first_year", sa.Integer(), nullable=False),
        sa.Column("last_year", sa.Integer(), nullable=False),
        sa.Column("consent_grid_operator_data", sa.Boolean(), nullable=False),
        sa.Column("consent_verifier_visit", sa.Boolean(), nullable=False),
        sa.Column("signed_by_name", sa.String(length=200), nullable=False),
        sa.Column("signed_on", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("last_year >= first_year", name=op.f("ck_ere_mandates_years")),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["ere_connections.id"],
            name=op.f("fk_ere_mandates_connection_id_ere_connections"),
        ),
        sa.ForeignKeyConstraint(
            ["customer_user_id"], ["users.id"], name=op.f("fk_ere_mandates_customer_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ere_mandates")),
    )
    op.create_index(
        op.f("ix_ere_mandates_connection_id"), "ere_mandates", ["connection_id"], unique=False
    )
    op.create_table(
        "ere_payouts",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("amount_eur", sa.Numeric(precision=15, scale=4), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reference", sa.String(length=100), nullable=True),
        sa.CheckConstraint(
            "status = 'pending' OR paid_at IS NOT NULL", name=op.f("ck_ere_payouts_paid_has_date")
        ),
        sa.CheckConstraint("status IN ('pending', 'paid')", name=op.f("ck_ere_payouts_status")),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["ere_statements.id"],
            name=op.f("fk_ere_payouts_statement_id_ere_statements"),
        ),
        sa.PrimaryKeyConstraint("statement_id", name=op.f("pk_ere_payouts")),
    )
    op.create_table(
        "ere_batch_lines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("customer_user_id", sa.Integer(), nullable=False),
        sa.Column("ean", sa.String(length=18), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("delivery_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivery_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("metering_kind", sa.String(length=30), nullable=False),
        sa.Column("energy_kwh", sa.Numeric(precision=15, scale=6), nullable=False),
        sa.Column("sessions_energy_kwh", sa.Numeric(precision=15, scale=6), nullable=False),
        sa.Column("energy_kwh_by_month", sa.Text(), nullable=False),
        sa.Column("session_count", sa.Integer(), nullable=False),
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column("ere_exact", sa.String(length=60), nullable=False),
        sa.Column("ere", sa.Numeric(precision=15, scale=3), nullable=False),
        sa.Column("is_estimate", sa.Boolean(), nullable=False),
        sa.Column("reconciliation", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["batch_id"], ["ere_batches.id"], name=op.f("fk_ere_batch_lines_batch_id_ere_batches")
        ),
        sa.ForeignKeyConstraint(
            ["customer_user_id"],
            ["users.id"],
            name=op.f("fk_ere_batch_lines_customer_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["mandate_id"],
            ["ere_mandates.id"],
            name=op.f("fk_ere_batch_lines_mandate_id_ere_mandates"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ere_batch_lines")),
        sa.UniqueConstraint(
            "batch_id",
            "customer_user_id",
            "ean",
            "period",
            name=op.f("uq_ere_batch_lines_batch_id_customer_user_id_ean_period"),
        ),
    )
    op.create_index(
        op.f("ix_ere_batch_lines_customer_user_id"),
        "ere_batch_lines",
        ["customer_user_id"],
        unique=False,
    )
    op.create_table(
        "ere_charger_links",
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("connection_id", sa.Integer(), nullable=False),
        sa.Column("linked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"], ["chargers.id"], name=op.f("fk_ere_charger_links_charger_id_chargers")
        ),
        sa.ForeignKeyConstraint(
            ["connection_id"],
            ["ere_connections.id"],
            name=op.f("fk_ere_charger_links_connection_id_ere_connections"),
        ),
        sa.PrimaryKeyConstraint("charger_id", name=op.f("pk_ere_charger_links")),
    )
    op.create_index(
        op.f("ix_ere_charger_links_connection_id"),
        "ere_charger_links",
        ["connection_id"],
        unique=False,
    )
    op.create_table(
        "ere_follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('upgrade_quote', 'sap_guidance')", name=op.f("ck_ere_follow_ups_kind")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'in_progress', 'done')", name=op.f("ck_ere_follow_ups_status")
        ),
        sa.ForeignKeyConstraint(
            ["charger_id"], ["chargers.id"], name=op.f("fk_ere_follow_ups_charger_id_chargers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ere_follow_ups")),
        sa.UniqueConstraint("charger_id", "kind", name=op.f("uq_ere_follow_ups_charger_id_kind")),
    )
    op.create_table(
        "ere_mandate_years",
        sa.Column("ean", sa.String(length=18), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column("service_provider_id", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["mandate_id"],
            ["ere_mandates.id"],
            name=op.f("fk_ere_mandate_years_mandate_id_ere_mandates"),
        ),
        sa.PrimaryKeyConstraint("ean", "year", name=op.f("pk_ere_mandate_years")),
    )
    op.create_index(
        op.f("ix_ere_mandate_years_mandate_id"), "ere_mandate_years", ["mandate_id"], unique=False
    )
    op.create_table(
        "ere_metering_constructs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("mid_serial", sa.String(length=100), nullable=True),
        sa.Column("sap_ean", sa.String(length=18), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind <> 'integrated_mid' OR mid_serial IS NOT NULL",
            name=op.f("ck_ere_metering_constructs_mid_serial"),
        ),
        sa.CheckConstraint(
            "kind <> 'sap' OR (sap_ean IS NOT NULL AND mid_serial IS NOT NULL)",
            name=op.f("ck_ere_metering_constructs_sap_ids"),
        ),
        sa.CheckConstraint(
            "kind IN ('integrated_mid', 'sap', 'dedicated_connection', 'none')",
            name=op.f("ck_ere_metering_constructs_kind"),
        ),
        sa.CheckConstraint(
            "valid_until IS NULL OR valid_until > valid_from",
            name=op.f("ck_ere_metering_constructs_validity"),
        ),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_ere_metering_constructs_charger_id_chargers"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ere_metering_constructs")),
        sa.UniqueConstraint(
            "charger_id",
            "valid_from",
            name=op.f("uq_ere_metering_constructs_charger_id_valid_from"),
        ),
    )
    op.create_index(
        "uq_ere_metering_constructs_open",
        "ere_metering_constructs",
        ["charger_id"],
        unique=True,
        sqlite_where=sa.text("valid_until IS NULL"),
        postgresql_where=sa.text("valid_until IS NULL"),
    )
    op.create_table(
        "ere_batch_sessions",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("energy_kwh", sa.Numeric(precision=15, scale=6), nullable=False),
        sa.Column("raw_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["ere_batches.id"],
            name=op.f("fk_ere_batch_sessions_batch_id_ere_batches"),
        ),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["ere_batch_lines.id"],
            name=op.f("fk_ere_batch_sessions_line_id_ere_batch_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["charging_sessions.id"],
            name=op.f("fk_ere_batch_sessions_session_id_charging_sessions"),
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_ere_batch_sessions")),
    )
    op.create_index(
        op.f("ix_ere_batch_sessions_batch_id"), "ere_batch_sessions", ["batch_id"], unique=False
    )
    op.create_index(
        op.f("ix_ere_batch_sessions_line_id"), "ere_batch_sessions", ["line_id"], unique=False
    )
    op.create_table(
        "ere_statement_lines",
        sa.Column("line_id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["line_id"],
            ["ere_batch_lines.id"],
            name=op.f("fk_ere_statement_lines_line_id_ere_batch_lines"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["ere_statements.id"],
            name=op.f("fk_ere_statement_lines_statement_id_ere_statements"),
        ),
        sa.PrimaryKeyConstraint("line_id", name=op.f("pk_ere_statement_lines")),
    )
    op.create_index(
        op.f("ix_ere_statement_lines_statement_id"),
        "ere_statement_lines",
        ["statement_id"],
        unique=False,
    )
    _create_triggers()


def downgrade() -> None:
    _drop_triggers()

    op.drop_index(op.f("ix_ere_statement_lines_statement_id"), table_name="ere_statement_lines")
    op.drop_table("ere_statement_lines")
    op.drop_index(op.f("ix_ere_batch_sessions_line_id"), table_name="ere_batch_sessions")
    op.drop_index(op.f("ix_ere_batch_sessions_batch_id"), table_name="ere_batch_sessions")
    op.drop_table("ere_batch_sessions")
    op.drop_index(
        "uq_ere_metering_constructs_open",
        table_name="ere_metering_constructs",
        sqlite_where=sa.text("valid_until IS NULL"),
        postgresql_where=sa.text("valid_until IS NULL"),
    )
    op.drop_table("ere_metering_constructs")
    op.drop_index(op.f("ix_ere_mandate_years_mandate_id"), table_name="ere_mandate_years")
    op.drop_table("ere_mandate_years")
    op.drop_table("ere_follow_ups")
    op.drop_index(op.f("ix_ere_charger_links_connection_id"), table_name="ere_charger_links")
    op.drop_table("ere_charger_links")
    op.drop_index(op.f("ix_ere_batch_lines_customer_user_id"), table_name="ere_batch_lines")
    op.drop_table("ere_batch_lines")
    op.drop_table("ere_payouts")
    op.drop_index(op.f("ix_ere_mandates_connection_id"), table_name="ere_mandates")
    op.drop_table("ere_mandates")
    op.drop_index(op.f("ix_ere_statements_period"), table_name="ere_statements")
    op.drop_table("ere_statements")
    op.drop_index(op.f("ix_ere_connections_customer_user_id"), table_name="ere_connections")
    op.drop_table("ere_connections")
    op.drop_table("ere_prices")
    op.drop_table("ere_meter_readings")
    op.drop_index(op.f("ix_ere_batches_period"), table_name="ere_batches")
    op.drop_table("ere_batches")
