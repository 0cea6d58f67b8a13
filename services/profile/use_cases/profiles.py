"""Use cases of the common profile every account has."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.context import Principal
from services.common.db import transaction
from services.common.errors import NotYours
from services.profile import events, store
from services.profile.domain.errors import ProfileNotFound
from services.profile.domain.profiles import (
    Profile,
    ProfileChanges,
    check_profile_changes,
    may_manage_profile,
    new_profile,
)


class Profiles:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def get(self, viewer: Principal, user_id: uuid.UUID) -> Profile:
        if not may_manage_profile(viewer, user_id):
            raise NotYours()
        async with self._sessions() as session:
            profile = await store.profiles.get(session, user_id)
        if profile is None:
            raise ProfileNotFound()
        return profile

    async def update(self, viewer: Principal, user_id: uuid.UUID, changes: ProfileChanges) -> Profile:
        if not may_manage_profile(viewer, user_id):
            raise NotYours()
        check_profile_changes(changes)
        async with transaction(self._sessions) as session:
            if not await store.profiles.update(session, user_id, changes):
                raise ProfileNotFound()
            if changes.renames:
                await events.doctor_changed(session, user_id)  # names are mirrored by appointments
            profile = await store.profiles.get(session, user_id)
        assert profile is not None  # updated in this transaction
        return profile

    async def create(self, viewer: Principal, email: str, changes: ProfileChanges) -> Profile:
        """The caller's own profile, created if the registration event has not created it yet."""
        profile = new_profile(viewer, email, changes)
        async with transaction(self._sessions) as session:
            await store.profiles.insert(session, profile, refresh_identity=False)
            created = await store.profiles.get(session, viewer.user_id)
        assert created is not None  # created in this transaction or before
        return created
