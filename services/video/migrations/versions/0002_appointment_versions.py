"""Appointment events applied in version order, and cancellations remembered before their booking.

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


def upgrade() -> None:
    op.add_column(
        "video_sessions",
        sa.Column(
            "appointment_version",
            sa.BigInteger(),
            server_default="0",
            nullable=False,
            comment="version of the newest appointment event applied",
        ),
    )
    op.create_table(
        "cancelled_appointments",
        sa.Column("appointment_id", sa.UUID(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("appointment_id"),
        comment="tombstones: a booking event arriving after its cancellation makes no session",
    )


def downgrade() -> None:
    op.drop_table("cancelled_appointments")
    op.drop_column("video_sessions", "appointment_version")
