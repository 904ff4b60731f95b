"""ERE mandate documents, and retention: registered evidence cannot be deleted.

`ere_mandate_documents` holds each mandate's text version, the snapshot of what was signed and
the PDF drawn from it (immutable once the PDF is stored). Triggers refuse DELETE on the
evidence of a booking: mandates and their documents, statements, their lines, payouts and
SAP meter readings (registered sessions, finalized batches and the audit log were protected
already: foreign keys, 0003 and 0001). The NEa can correct a booking for five years
(ere-rules.md §5.6); chargebook keeps it at least that long, and deletes none of it.

Revision ID: 0015_ere_mandate_documents
Revises: 0014_ere_payout_accounts
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015_ere_mandate_documents"
down_revision: str | None = "0014_ere_payout_accounts"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

RETAINED = (
    "ere_mandates",
    "ere_mandate_documents",
    "ere_mandate_years",
    "ere_statements",
    "ere_statement_lines",
    "ere_payouts",
    "ere_meter_readings",
)
_MESSAGE = "retention: registered ERE evidence is kept at least five years and cannot be deleted"
_DOCUMENT_MESSAGE = "a mandate document is immutable once its PDF is stored"
_UNCHANGED = (
    "NEW.mandate_id = OLD.mandate_id AND NEW.text_version = OLD.text_version "
    "AND NEW.snapshot = OLD.snapshot AND NEW.snapshot_sha256 = OLD.snapshot_sha256 "
    "AND NEW.recorded_at = OLD.recorded_at "
    "AND NEW.recorded_at_signing = OLD.recorded_at_signing"
)


def _sqlite() -> list[str]:
    statements = [
        f"""CREATE TRIGGER {table}_retained BEFORE DELETE ON {table}
            BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"""
        for table in RETAINED
    ]
    statements.append(
        f"""CREATE TRIGGER ere_mandate_documents_immutable BEFORE UPDATE ON ere_mandate_documents
            WHEN OLD.pdf IS NOT NULL OR NEW.pdf IS NULL OR NOT ({_UNCHANGED})
            BEGIN SELECT RAISE(ABORT, '{_DOCUMENT_MESSAGE}'); END"""
    )
    return statements


def _postgres() -> list[str]:
    statements = [
        f"""CREATE FUNCTION ere_retention_reject() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION '{_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
            END $$""",
        f"""CREATE FUNCTION ere_mandate_documents_guard() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              IF OLD.pdf IS NOT NULL OR NEW.pdf IS NULL OR NOT ({_UNCHANGED}) THEN
                RAISE EXCEPTION '{_DOCUMENT_MESSAGE}' USING ERRCODE = 'insufficient_privilege';
              END IF;
              RETURN NEW;
            END $$""",
        """CREATE TRIGGER ere_mandate_documents_immutable BEFORE UPDATE ON ere_mandate_documents
            FOR EACH ROW EXECUTE FUNCTION ere_mandate_documents_guard()""",
    ]
    statements += [
        f"""CREATE TRIGGER {table}_retained BEFORE DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION ere_retention_reject()"""
        for table in RETAINED
    ]
    return statements


def upgrade() -> None:
    op.create_table(
        "ere_mandate_documents",
        sa.Column("mandate_id", sa.Integer(), nullable=False),
        sa.Column("text_version", sa.String(length=20), nullable=False),
        sa.Column("snapshot", sa.Text(), nullable=False),
        sa.Column("snapshot_sha256", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_at_signing", sa.Boolean(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=True),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["mandate_id"],
            ["ere_mandates.id"],
            name=op.f("fk_ere_mandate_documents_mandate_id_ere_mandates"),
        ),
        sa.PrimaryKeyConstraint("mandate_id", name=op.f("pk_ere_mandate_documents")),
    )
    dialect = op.get_bind().dialect.name
    for statement in _postgres() if dialect == "postgresql" else _sqlite():
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in RETAINED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_retained ON {table}")
        op.execute(
            "DROP TRIGGER IF EXISTS ere_mandate_documents_immutable ON ere_mandate_documents"
        )
        op.execute("DROP FUNCTION IF EXISTS ere_mandate_documents_guard()")
        op.execute("DROP FUNCTION IF EXISTS ere_retention_reject()")
    else:
        for table in RETAINED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_retained")
        op.execute("DROP TRIGGER IF EXISTS ere_mandate_documents_immutable")
    op.drop_table("ere_mandate_documents")
