"""Use cases of patients' medical profiles: reading them within the care relationship, editing one's
own, and looking patients up."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.clock import Clock
from services.common.context import Principal, Role
from services.common.db import transaction
from services.common.errors import NotYours
from services.profile import store
from services.profile.domain.errors import NoSuchPatient, NotInCare, PatientNotFound
from services.profile.domain.medical_access import may_read_medical_data
from services.profile.domain.patients import (
    Patient,
    PatientChanges,
    PatientMatch,
    check_patient_changes,
    patient_lookup,
)


class Patients:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._now = clock

    async def get(self, viewer: Principal, patient_id: uuid.UUID) -> Patient:
        """The medical profile, for the patient and their doctors in care (audited by the interceptor)."""
        async with self._sessions() as session:
            relationship = None
            if viewer.role is Role.DOCTOR:
                relationship = await store.visits.care_relationship(session, patient_id, viewer.user_id)
            allowed = may_read_medical_data(viewer, patient_id, relationship, self._now())
            patient = await store.patients.get(session, patient_id) if allowed else None
        if not allowed:
            raise NotInCare()
        if patient is None:
            raise PatientNotFound()
        return patient

    async def create(self, viewer: Principal, changes: PatientChanges) -> Patient:
        """The caller's own medical profile, idempotently: one that exists already is returned as it is."""
        return await self._save(viewer, viewer.user_id, changes, create=True)

    async def update(self, viewer: Principal, patient_id: uuid.UUID, changes: PatientChanges) -> Patient:
        return await self._save(viewer, patient_id, changes, create=False)

    async def _save(
        self, viewer: Principal, patient_id: uuid.UUID, changes: PatientChanges, *, create: bool
    ) -> Patient:
        if viewer.user_id != patient_id:
            raise NotYours()
        update = check_patient_changes(changes, self._now().date())
        async with transaction(self._sessions) as session:
            inserted = await store.patients.insert_if_missing(session, patient_id)
            if update.requested and (inserted or not create):
                await store.patients.update(session, patient_id, update)
            patient = await store.patients.get(session, patient_id)
        assert patient is not None  # written in this transaction or before
        return patient

    async def lookup(self, email: str, phone: str) -> list[PatientMatch]:
        """Patients by exact email or phone (who may ask is declared on the method)."""
        lookup = patient_lookup(email, phone)
        async with self._sessions() as session:
            return await store.patients.find(session, lookup)

    async def match(self, patient_id: uuid.UUID) -> PatientMatch:
        """Whose a patient id is, for a service whose copy of the accounts may lag (who may ask is
        declared on the method); NOT_FOUND for an id that is not a patient's."""
        async with self._sessions() as session:
            found = await store.patients.match(session, patient_id)
        if found is None:
            raise NoSuchPatient()
        return found
