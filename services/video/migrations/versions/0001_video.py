"""Accounts mirror, video sessions with their participants and recording, events and the audit trail.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from services.common.audit import add_call_ids, create_audit_table, drop_audit_table
from services.common.event_tables import add_json_payloads, create_event_tables, drop_event_tables
from services.common.projections import create_accounts_table

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def _participant(role: str) -> list[sa.Column[object]]:
    return [
        sa.Column(f"{role}_id", sa.UUID(), nullable=False),
        sa.Column(f"{role}_present", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column(f"{role}_join_time", TZ, nullable=True),
        sa.Column(f"{role}_leave_time", TZ, nullable=True),
        sa.Column(f"{role}_consent", sa.Boolean(), server_default=sa.false(), nullable=False),
    ]


def upgrade() -> None:
    create_accounts_table()
    op.create_table(
        "video_sessions",
        sa.Column("id", sa.UUID(), nullable=False),
        sa.Column("appointment_id", sa.UUID(), nullable=True),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("scheduled_start_time", TZ, nullable=False),
        sa.Column("start_time", TZ, nullable=True),
        sa.Column("end_time", TZ, nullable=True),
        sa.Column("cancellation_reason", sa.Text(), server_default="", nullable=False),
        *_participant("doctor"),
        *_participant("patient"),
        sa.Column("recording_status", sa.Text(), server_default="NOT_STARTED", nullable=False),
        sa.Column("recording_started_at", TZ, nullable=True),
        sa.Column("recording_duration_seconds", sa.Float(), server_default="0", nullable=False),
        sa.Column("recording_size_bytes", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("recording_frames", sa.BigInteger(), server_default="0", nullable=False),
        sa.Column("recording_content_type", sa.Text(), server_default="", nullable=False),
        sa.Column(
            "recording_file", sa.Text(), server_default="", nullable=False, comment="name in the recordings store"
        ),
        sa.Column("version", sa.BigInteger(), server_default="1", nullable=False),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.CheckConstraint("status IN ('SCHEDULED', 'ACTIVE', 'COMPLETED', 'CANCELLED')", name="video_sessions_status"),
        sa.CheckConstraint(
            "recording_status IN ('NOT_STARTED', 'RECORDING', 'STOPPED', 'FAILED')",
            name="video_sessions_recording_status",
        ),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(
        "video_sessions_appointment",
        "video_sessions",
        ["appointment_id"],
        unique=True,
        postgresql_where=sa.text("appointment_id IS NOT NULL"),
    )
    for party in ("doctor", "patient"):
        op.create_index(f"video_sessions_{party}", "video_sessions", [f"{party}_id", "created_at", "id"])
    create_event_tables()
    add_json_payloads()
    create_audit_table()
    add_call_ids()


def downgrade() -> None:
    op.execute("DROP TABLE video_sessions, accounts CASCADE")
    drop_audit_table()
    drop_event_tables()
