"""Use cases of consents: a patient grants, lists and revokes them; each change is published."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.context import Principal
from services.common.db import transaction
from services.common.errors import NotYours
from services.profile import events, store
from services.profile.domain.consents import Consent
from services.profile.domain.errors import DoctorNotFound


class Consents:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def of_patient(self, viewer: Principal, patient_id: uuid.UUID) -> list[Consent]:
        if viewer.user_id != patient_id:
            raise NotYours()
        async with self._sessions() as session:
            return await store.consents.of_patient(session, patient_id)

    async def grant(self, viewer: Principal, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> Consent:
        """Idempotent: granting a consent held already changes nothing and publishes nothing."""
        if viewer.user_id != patient_id:
            raise NotYours()
        async with transaction(self._sessions) as session:
            if not await store.doctors.exists(session, doctor_id):
                raise DoctorNotFound()
            if await store.consents.insert_if_missing(session, patient_id, doctor_id):
                await events.consent_changed(session, patient_id, doctor_id, granted=True)
            consent = await store.consents.get(session, patient_id, doctor_id)
        assert consent is not None  # written in this transaction or before
        return consent

    async def revoke(self, viewer: Principal, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> None:
        if viewer.user_id != patient_id:
            raise NotYours()
        async with transaction(self._sessions) as session:
            if await store.consents.delete(session, patient_id, doctor_id):
                await events.consent_changed(session, patient_id, doctor_id, granted=False)
