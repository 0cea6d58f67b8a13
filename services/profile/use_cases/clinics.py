"""Use cases of clinics: the directory, and clinic admins keeping their clinic."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.context import Principal, Role
from services.common.db import transaction
from services.common.errors import NotYours
from services.common.pagination import Keyset, Page, PageTokens
from services.profile import events, store
from services.profile.domain.clinics import (
    Clinic,
    ClinicChanges,
    check_clinic_changes,
    clinic_owner,
    manages,
    with_default_currency,
)
from services.profile.domain.errors import ClinicExists, ClinicNotFound, NotAClinicAdmin

CLINICS = Keyset("profile.clinics", (datetime, uuid.UUID))


class Clinics:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], pages: PageTokens) -> None:
        self._sessions = sessions
        self._pages = pages

    async def search(self, query: str, size: int, token: str) -> Page[Clinic]:
        """Newest first, optionally by part of the name."""
        page = self._pages.page(CLINICS, size=size, token=token, filters={"query": query})
        async with self._sessions() as session:
            found = await store.clinics.newest(session, query=query, after=page.after, limit=page.fetch)
        return page.split(found, lambda c: (c.create_time, c.id))

    async def get(self, clinic_id: uuid.UUID) -> Clinic:
        async with self._sessions() as session:
            clinic = await store.clinics.get(session, clinic_id)
        if clinic is None:
            raise ClinicNotFound()
        return clinic

    async def create(self, viewer: Principal, admin_id: str, changes: ClinicChanges) -> Clinic:
        """A clinic admin creates their one clinic; a SYSTEM_ADMIN may assign more to an admin."""
        owner = clinic_owner(viewer, admin_id)
        check_clinic_changes(changes, creating=True)
        async with transaction(self._sessions) as session:
            if viewer.role is Role.SYSTEM_ADMIN:
                if not await store.accounts.has_role(session, owner, Role.CLINIC_ADMIN):
                    raise NotAClinicAdmin()
            else:
                await store.clinics.lock_admin(session, owner)
                if await store.clinics.any_of_admin(session, owner):
                    raise ClinicExists()
            clinic = await store.clinics.insert(session, owner, with_default_currency(changes))
            await events.clinic_updated(session, clinic)
        return clinic

    async def update(self, viewer: Principal, clinic_id: uuid.UUID, changes: ClinicChanges) -> Clinic:
        check_clinic_changes(changes, creating=False)
        async with transaction(self._sessions) as session:
            if not manages(viewer, await store.clinics.lock(session, clinic_id)):
                raise NotYours()  # also for unknown ids, which cannot be probed
            clinic = await store.clinics.update(session, clinic_id, changes)
            await events.clinic_updated(session, clinic)
        return clinic
