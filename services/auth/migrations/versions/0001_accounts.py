"""Accounts, refresh tokens, login throttling, outbox and inbox.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import BYTEA, UUID

from services.common.event_tables import create_event_tables, drop_event_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TZ = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("email", sa.Text, nullable=False, unique=True),
        sa.Column("password_hash", sa.Text, nullable=False),
        sa.Column("role", sa.Text, nullable=False),
        sa.Column("status", sa.Text, nullable=False),
        sa.Column("status_before_suspension", sa.Text),
        sa.Column("first_name", sa.Text, nullable=False),
        sa.Column("last_name", sa.Text, nullable=False),
        sa.Column("phone_number", sa.Text, nullable=False),
        sa.Column("version", sa.BigInteger, nullable=False),
        sa.Column("created_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", TZ, nullable=False, server_default=sa.func.now()),
        sa.CheckConstraint(
            "role IN ('PATIENT', 'DOCTOR', 'CLINIC_ADMIN', 'PHARMACY', 'SYSTEM_ADMIN')", name="users_role"
        ),
        sa.CheckConstraint("status IN ('ACTIVE', 'PENDING_APPROVAL', 'SUSPENDED')", name="users_status"),
        sa.CheckConstraint("email = lower(btrim(email))", name="users_email_normalized"),
    )
    op.create_index("users_newest", "users", [sa.text("created_at DESC"), sa.text("id DESC")])
    op.create_table(
        "refresh_tokens",
        sa.Column("id", UUID(as_uuid=True), primary_key=True),
        sa.Column("family_id", UUID(as_uuid=True), nullable=False),
        sa.Column("user_id", UUID(as_uuid=True), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("token_hash", BYTEA, nullable=False, unique=True),
        sa.Column("issued_at", TZ, nullable=False),
        sa.Column("expires_at", TZ, nullable=False),
        sa.Column("family_expires_at", TZ, nullable=False),
        sa.Column("used_at", TZ),
        sa.Column("revoked_at", TZ),
    )
    op.create_index("refresh_tokens_family", "refresh_tokens", ["family_id"])
    op.create_index("refresh_tokens_user", "refresh_tokens", ["user_id"])
    op.create_table(
        "login_throttle",
        sa.Column("email", sa.Text, primary_key=True),
        sa.Column("client_address", sa.Text, primary_key=True),
        sa.Column("failures", sa.Integer, nullable=False),
        sa.Column("window_started_at", TZ),
        sa.Column("locked_until", TZ),
        sa.Column("lockouts", sa.Integer, nullable=False),
    )
    create_event_tables()


def downgrade() -> None:
    drop_event_tables()
    op.drop_table("login_throttle")
    op.drop_table("refresh_tokens")
    op.drop_table("users")
