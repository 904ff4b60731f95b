"""OCPP security (issue 20): each OCPP charger's minimum security profile (trust on upgrade:
raised when it connects higher, lowered only by the operator) and the certificates
chargebook's CSR-signing CA issued to chargers (SignCertificate).

Revision ID: 0023_ocpp_security
Revises: 0022_ocpp_connections
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_ocpp_security"
down_revision: str | None = "0022_ocpp_connections"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chargers") as batch:
        batch.add_column(
            sa.Column(
                "ocpp_min_security_profile",
                sa.Integer(),
                nullable=False,
                server_default=sa.text("0"),
            )
        )
    op.create_table(
        "ocpp_issued_certificates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("charger_id", sa.Integer(), nullable=False),
        sa.Column("serial_hex", sa.String(42), nullable=False),
        sa.Column("sha256_fingerprint", sa.String(64), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("certificate_type", sa.String(40), nullable=False),
        sa.Column("not_before", sa.DateTime(timezone=True), nullable=False),
        sa.Column("not_after", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["charger_id"],
            ["chargers.id"],
            name=op.f("fk_ocpp_issued_certificates_charger_id_chargers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ocpp_issued_certificates")),
        sa.UniqueConstraint("serial_hex", name=op.f("uq_ocpp_issued_certificates_serial_hex")),
    )
    op.create_index(
        "ix_ocpp_issued_certificates_charger_id", "ocpp_issued_certificates", ["charger_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_ocpp_issued_certificates_charger_id", "ocpp_issued_certificates")
    op.drop_table("ocpp_issued_certificates")
    with op.batch_alter_table("chargers") as batch:
        batch.drop_column("ocpp_min_security_profile")
