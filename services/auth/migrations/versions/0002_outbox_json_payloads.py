"""Events may be written by SQL as proto3 JSON (the relay encodes them), so a hot path records its
change and its event in one round trip.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from services.common.event_tables import add_json_payloads, drop_json_payloads

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_json_payloads()


def downgrade() -> None:
    drop_json_payloads()
