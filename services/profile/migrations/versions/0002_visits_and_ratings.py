"""Visits mirrored from appointment events (they feed the care relationship and ratings); ratings.

Replaces care_relationships, which nothing had filled yet, by a per-appointment mirror from which
the relationship is computed, so redelivered and reordered events stay harmless.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "visits",
        sa.Column("appointment_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("starts_at", TZ, nullable=False),
        sa.Column("ends_at", TZ, nullable=True),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("appointment_id"),
    )
    op.create_index("visits_pair", "visits", ["patient_id", "doctor_id"], unique=False)
    op.create_table(
        "ratings",
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("review", sa.Text(), server_default="", nullable=False),
        sa.Column("created_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.Column("updated_at", TZ, server_default=sa.text("now()"), nullable=False),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name="ratings_range"),
        sa.PrimaryKeyConstraint("doctor_id", "patient_id"),
    )
    op.create_index("ratings_newest", "ratings", ["doctor_id", "created_at"], unique=False)
    op.drop_table("care_relationships")


def downgrade() -> None:
    op.create_table(
        "care_relationships",
        sa.Column("patient_id", sa.UUID(), nullable=False),
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("open_appointments", sa.Integer(), server_default="0", nullable=False),
        sa.Column("last_appointment_at", TZ, nullable=True),
        sa.PrimaryKeyConstraint("patient_id", "doctor_id"),
    )
    op.drop_table("ratings")
    op.drop_table("visits")
