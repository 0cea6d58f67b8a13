"""Accounts and appointments mirrors, prescriptions, items, dispensations, events and the audit trail.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from services.common.audit import add_call_ids, create_audit_table, drop_audit_table
from services.common.event_tables import add_json_payloads, create_event_tables, drop_event_tables
from services.common.projections import create_accounts_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_accounts_table()
    op.create_table(
        "appointments",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("clinic_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("time_zone", sa.Text(), server_default="UTC", nullable=False),
        sa.Column(
            "version", sa.BigInteger(), nullable=False, comment="0: re-read from the appointments service, not an event"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_table(
        "prescriptions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("appointment_id", sa.UUID(), nullable=False),
        sa.Column("clinic_id", sa.UUID(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("time_zone", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("dispense_code", sa.Text(), nullable=False),
        sa.Column("cancellation_reason", sa.Text(), server_default="", nullable=False),
        sa.Column("request_id", sa.UUID(), nullable=True),
        sa.Column("version", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('ACTIVE', 'PARTIALLY_FILLED', 'FILLED', 'CANCELLED')", name="prescriptions_status"
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("prescriptions_dispense_code", "prescriptions", ["dispense_code"], unique=True)
    op.create_index(
        "prescriptions_request_id",
        "prescriptions",
        ["doctor_id", "request_id"],
        unique=True,
        postgresql_where=sa.text("request_id IS NOT NULL"),
    )
    for party in ("appointment", "doctor", "patient"):
        op.create_index(f"prescriptions_{party}", "prescriptions", [f"{party}_id", "issued_at", "id"])
    op.create_table(
        "prescription_items",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("prescription_id", sa.UUID(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("drug_name", sa.Text(), nullable=False),
        sa.Column("generic_name", sa.Text(), nullable=True),
        sa.Column("dosage", sa.Text(), nullable=False),
        sa.Column("frequency", sa.Text(), nullable=True),
        sa.Column("duration", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("instructions", sa.Text(), nullable=True),
        sa.Column("dispensed_quantity", sa.Integer(), server_default="0", nullable=False),
        sa.CheckConstraint("quantity >= 1", name="prescription_items_quantity"),
        sa.CheckConstraint(
            "dispensed_quantity >= 0 AND dispensed_quantity <= quantity", name="prescription_items_dispensed"
        ),
        sa.ForeignKeyConstraint(["prescription_id"], ["prescriptions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("prescription_id", "position", name="prescription_items_position"),
    )
    op.create_table(
        "dispensations",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("prescription_id", sa.UUID(), nullable=False),
        sa.Column("pharmacy_id", sa.UUID(), nullable=False),
        sa.Column("actor_id", sa.UUID(), nullable=False),
        sa.Column("request_id", sa.UUID(), nullable=True),
        sa.Column("inventory_key", sa.UUID(), nullable=False, comment="the idempotency key inventory got"),
        sa.Column("lines", JSONB(), nullable=False),
        sa.Column("cost_total", sa.Numeric(12, 2), nullable=False),
        sa.Column("selling_total", sa.Numeric(12, 2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["prescription_id"], ["prescriptions.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("inventory_key"),
    )
    op.create_index(
        "dispensations_request_id",
        "dispensations",
        ["actor_id", "request_id"],
        unique=True,
        postgresql_where=sa.text("request_id IS NOT NULL"),
    )
    op.create_index("dispensations_prescription", "dispensations", ["prescription_id", "created_at"])
    create_event_tables()
    add_json_payloads()
    create_audit_table()
    add_call_ids()


def downgrade() -> None:
    for table in ("dispensations", "prescription_items", "prescriptions", "appointments", "accounts"):
        op.execute(f"DROP TABLE {table} CASCADE")
    drop_audit_table()
    drop_event_tables()
