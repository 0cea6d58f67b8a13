"""Remember call-next request ids, so a retried call-next starts nobody else.

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
    op.create_table(
        "call_next_requests",
        sa.Column("doctor_id", sa.UUID(), nullable=False),
        sa.Column("request_id", sa.UUID(), nullable=False),
        sa.Column("appointment_id", sa.UUID(), sa.ForeignKey("appointments.id"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("doctor_id", "request_id"),
    )


def downgrade() -> None:
    op.drop_table("call_next_requests")
