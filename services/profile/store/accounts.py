"""Auth's accounts as this service mirrors them from their events."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.context import Role
from services.profile.store.tables import accounts


async def has_role(session: AsyncSession, user_id: uuid.UUID, role: Role) -> bool:
    query = sa.select(accounts.c.user_id).where(accounts.c.user_id == user_id, accounts.c.role == role.value)
    return (await session.execute(query)).first() is not None
