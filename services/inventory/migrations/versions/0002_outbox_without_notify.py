"""The outbox no longer notifies on insert: its NOTIFY serialised every commit that wrote an event,
and the relay now polls adaptively (services/common/outbox.py).

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from services.common.event_tables import notify_again, stop_notifying

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    stop_notifying()


def downgrade() -> None:
    notify_again()
