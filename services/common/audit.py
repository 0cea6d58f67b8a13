"""The audit trail of clinical data: who read or changed what, when, and with what outcome (SPEC 5)."""

from __future__ import annotations

import enum
import uuid

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.context import principal_var, request_id_var

metadata = sa.MetaData()

audit_entries = sa.Table(
    "audit_entries",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    sa.Column("actor_id", UUID(as_uuid=True)),
    sa.Column("actor_role", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("resource_type", sa.Text, nullable=False),
    sa.Column("resource_id", sa.Text, nullable=False),
    sa.Column("outcome", sa.Text, nullable=False),
    sa.Column("request_id", sa.Text, nullable=False),
    sa.Index("audit_entries_resource", "resource_type", "resource_id", "at"),
    sa.Index("audit_entries_actor", "actor_id", "at"),
)


class Outcome(enum.StrEnum):
    ALLOWED = "ALLOWED"
    DENIED = "DENIED"
    NOT_FOUND = "NOT_FOUND"


def create_audit_table() -> None:
    """For a migration of a service that holds clinical data."""
    metadata.create_all(op.get_bind())


def drop_audit_table() -> None:
    metadata.drop_all(op.get_bind())


async def record(
    session: AsyncSession, action: str, resource_type: str, resource_id: uuid.UUID | str, outcome: Outcome
) -> None:
    """One audit entry for the current caller, in the caller's transaction."""
    principal = principal_var.get()
    await session.execute(
        sa.insert(audit_entries).values(
            actor_id=principal.user_id if principal else None,
            actor_role=principal.role.value if principal else "SYSTEM",
            action=action,
            resource_type=resource_type,
            resource_id=str(resource_id),
            outcome=outcome.value,
            request_id=request_id_var.get(),
        )
    )


async def record_alone(
    sessions: async_sessionmaker[AsyncSession],
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str,
    outcome: Outcome,
) -> None:
    """An audit entry in a transaction of its own: for refusals, whose own transaction rolls back."""
    async with sessions() as session, session.begin():
        await record(session, action, resource_type, resource_id, outcome)
