"""Audit entries of one call share a call id: a change is stored as STARTED before it runs, and its
outcome follows.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

from services.common.audit import add_call_ids, drop_call_ids

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    add_call_ids()


def downgrade() -> None:
    drop_call_ids()
