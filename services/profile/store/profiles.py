"""Common profiles."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.context import Role
from services.profile.domain.profiles import NewProfile, Profile, ProfileChanges
from services.profile.store.tables import accounts, new_version, profiles, requested, verified


def _profile(row: sa.Row[Any]) -> Profile:
    return Profile(
        id=row.id,
        email=row.email,
        role=Role(row.role),
        first_name=row.first_name,
        last_name=row.last_name,
        phone_number=row.phone_number,
        verified=bool(row.verified),
        create_time=row.created_at,
        update_time=row.updated_at,
        version=row.version,
    )


async def get(session: AsyncSession, user_id: uuid.UUID) -> Profile | None:
    query = (
        sa.select(profiles, verified)
        .select_from(profiles.outerjoin(accounts, accounts.c.user_id == profiles.c.id))
        .where(profiles.c.id == user_id)
    )
    row = (await session.execute(query)).first()
    return _profile(row) if row is not None else None


async def insert(session: AsyncSession, profile: NewProfile, *, refresh_identity: bool) -> None:
    """Create a profile, or (from the registration event) only correct email and role of one that exists."""
    statement = postgresql.insert(profiles).values(
        id=profile.id,
        email=profile.email,
        role=profile.role.value,
        first_name=profile.first_name,
        last_name=profile.last_name,
        phone_number=profile.phone_number,
        version=1,
    )
    if refresh_identity:
        statement = statement.on_conflict_do_update(
            index_elements=["id"], set_={"email": profile.email, "role": profile.role.value}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["id"])
    await session.execute(statement)


async def update(session: AsyncSession, user_id: uuid.UUID, changes: ProfileChanges) -> bool:
    """Apply the requested fields as a new version; False when there is no such profile."""
    values = requested(
        changes.requested,
        first_name=changes.first_name,
        last_name=changes.last_name,
        phone_number=changes.phone_number,
    )
    statement = (
        sa.update(profiles)
        .where(profiles.c.id == user_id)
        .values(**values, **new_version(profiles))
        .returning(profiles.c.id)
    )
    return (await session.execute(statement)).first() is not None
