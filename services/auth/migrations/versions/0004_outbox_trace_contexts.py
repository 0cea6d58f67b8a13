"""The outbox keeps the trace context of what wrote each event, which the relay sends in the event's
NATS headers (services/common/tracing.py): a trace goes on through the events a call caused.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from services.common.event_tables import add_trace_contexts, drop_trace_contexts

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_trace_contexts()


def downgrade() -> None:
    drop_trace_contexts()
