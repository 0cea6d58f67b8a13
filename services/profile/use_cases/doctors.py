"""Use cases of the doctors' directory: searching and reading it, and doctors keeping their own entry."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.context import Principal
from services.common.db import transaction
from services.common.errors import NotYours
from services.common.pagination import Keyset, Page, PageTokens
from services.profile import events, store
from services.profile.domain.doctors import (
    Doctor,
    DoctorChanges,
    check_doctor_changes,
    sees_unverified_doctors,
    visible_to,
)
from services.profile.domain.errors import DoctorNotFound
from services.profile.domain.licenses import changed_license

DOCTORS = Keyset("profile.doctors", (str, str, uuid.UUID))


class Doctors:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], pages: PageTokens) -> None:
        self._sessions = sessions
        self._pages = pages

    async def search(
        self,
        viewer: Principal,
        *,
        specialization: str,
        clinic_id: uuid.UUID | None,
        query: str,
        verified_only: bool | None,
        size: int,
        token: str,
    ) -> Page[Doctor]:
        """Doctors by name, specialization and clinic; patients only ever get verified ones."""
        only_verified = not sees_unverified_doctors(viewer, verified_only)
        filters = {"specialization": specialization, "clinicId": clinic_id, "query": query, "verified": only_verified}
        page = self._pages.page(DOCTORS, size=size, token=token, filters=filters)
        async with self._sessions() as session:
            found = await store.doctors.search(
                session,
                specialization=specialization,
                clinic_id=clinic_id,
                query=query,
                verified_only=only_verified,
                after=page.after,
                limit=page.fetch,
            )
        return page.split(found, lambda d: (d.last_name, d.first_name, d.id))

    async def get(self, viewer: Principal, doctor_id: uuid.UUID) -> Doctor:
        async with self._sessions() as session:
            doctor = await store.doctors.get(session, doctor_id)
        if doctor is None or not visible_to(viewer, doctor):
            raise DoctorNotFound()
        return doctor

    async def create(self, viewer: Principal, changes: DoctorChanges) -> Doctor:
        """The caller's own entry, idempotently: one that exists already is returned as it is."""
        return await self._save(viewer, viewer.user_id, changes, create=True)

    async def update(self, viewer: Principal, doctor_id: uuid.UUID, changes: DoctorChanges) -> Doctor:
        """A new license number sends the account back to approval (SPEC 3.2)."""
        return await self._save(viewer, doctor_id, changes, create=False)

    async def _save(self, viewer: Principal, doctor_id: uuid.UUID, changes: DoctorChanges, *, create: bool) -> Doctor:
        if viewer.user_id != doctor_id:
            raise NotYours()
        update = check_doctor_changes(changes)
        async with transaction(self._sessions) as session:
            inserted = await store.doctors.insert_if_missing(session, doctor_id)
            doctor = await store.doctors.lock(session, doctor_id)
            assert doctor is not None  # written in this transaction or before
            if update.requested and (inserted or not create):
                before, doctor = doctor, await store.doctors.update(session, doctor_id, update)
                new_license = changed_license(before.license_number, update.requested_license)
                if new_license:
                    await events.license_changed(session, doctor_id, new_license, doctor.version)
            if inserted or (update.requested and not create):
                await events.doctor_updated(session, doctor)
        return doctor
