"""The audit search reads the newest entries off an index of its own order (time, then id).

Without it, a search filtered only by time, or not at all, sorted the whole trail on every page.
Expand-only, built concurrently: running replicas keep inserting.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from services.common.audit import add_time_index, drop_time_index

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_time_index()


def downgrade() -> None:
    drop_time_index()
