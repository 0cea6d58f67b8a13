"""The audit trail is append-only, enforced by the database, and each entry may name its patient.

Triggers refuse UPDATE, DELETE and TRUNCATE of audit_entries whoever runs them (the owner and the
superuser included; the service's runtime role has no such privilege either, see
services/common/privileges.py), and a nullable patient_id with its index lets a SYSTEM_ADMIN ask
who touched a patient's data. Expand-only: the previous release inserts entries without a patient and never
changes one.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

from services.common.audit import make_append_only_with_patients, undo_append_only_with_patients

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    make_append_only_with_patients()


def downgrade() -> None:
    undo_append_only_with_patients()
