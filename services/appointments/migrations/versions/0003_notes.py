"""Consultation notes with their addenda, and the patients' consents mirrored from profile events.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "consultation_notes",
        sa.Column("appointment_id", sa.UUID(), sa.ForeignKey("appointments.id"), nullable=False),
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("chief_complaint", sa.Text(), server_default="", nullable=False),
        sa.Column("diagnosis", sa.Text(), server_default="", nullable=False),
        sa.Column("treatment_plan", sa.Text(), server_default="", nullable=False),
        sa.Column("vital_signs", postgresql.JSONB(astext_type=sa.Text()), server_default="{}", nullable=False),
        sa.Column("follow_up_required", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("follow_up_in_days", sa.Integer(), nullable=True),
        sa.Column("follow_up_instructions", sa.Text(), server_default="", nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("appointment_id"),
    )
    op.create_index("consultation_notes_patient", "consultation_notes", ["patient_id"], unique=False)
    op.create_table(
        "note_addenda",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("appointment_id", sa.UUID(), sa.ForeignKey("consultation_notes.appointment_id"), nullable=False),
        sa.Column("author_id", sa.UUID(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("note_addenda_appointment", "note_addenda", ["appointment_id", "created_at"], unique=False)
    op.create_table(
        "consents",
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("granted", sa.Boolean(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("patient_id", "doctor_id"),
    )


def downgrade() -> None:
    op.drop_table("consents")
    op.drop_table("note_addenda")
    op.drop_table("consultation_notes")
