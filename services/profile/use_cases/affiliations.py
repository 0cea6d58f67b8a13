"""Use cases of affiliations: a clinic admin invites a doctor, the doctor confirms or rejects, either
ends it; each change is published, and the doctor's entry (its clinics) with it."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.clock import Clock
from services.common.context import Principal, Role
from services.common.db import transaction
from services.common.errors import NotYours
from services.profile import events, store
from services.profile.domain.affiliations import (
    Affiliation,
    answer_allowed,
    answered,
    end_allowed,
    invitation_allowed,
    is_party,
    listed_statuses,
)
from services.profile.domain.clinics import manages
from services.profile.domain.doctors import sees_unverified_doctors
from services.profile.domain.errors import AffiliationNotFound, ClinicNotFound, DoctorNotFound


class Affiliations:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._now = clock

    async def invite(self, viewer: Principal, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Affiliation:
        """A new invitation, or a renewed one after a rejection or an end."""
        async with transaction(self._sessions) as session:
            await self._require_admin(session, viewer, clinic_id)
            if not await store.doctors.exists(session, doctor_id):
                raise DoctorNotFound()
            if not await store.affiliations.insert_if_missing(session, clinic_id, doctor_id, self._now()):
                current = await store.affiliations.lock(session, clinic_id, doctor_id)
                assert current is not None  # affiliations are never deleted
                invitation_allowed(current.status)
                await store.affiliations.reinvite(session, clinic_id, doctor_id, self._now())
            return await self._published(session, clinic_id, doctor_id)

    async def confirm(self, viewer: Principal, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Affiliation:
        return await self._answer(viewer, clinic_id, doctor_id, accept=True)

    async def reject(self, viewer: Principal, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Affiliation:
        return await self._answer(viewer, clinic_id, doctor_id, accept=False)

    async def _answer(
        self, viewer: Principal, clinic_id: uuid.UUID, doctor_id: uuid.UUID, *, accept: bool
    ) -> Affiliation:
        if viewer.user_id != doctor_id:
            raise NotYours()
        async with transaction(self._sessions) as session:
            current = await store.affiliations.lock(session, clinic_id, doctor_id)
            answer_allowed(current.status if current else None)
            await store.affiliations.answer(session, clinic_id, doctor_id, answered(accept), self._now())
            affiliation = await self._published(session, clinic_id, doctor_id)
            await events.doctor_changed(session, doctor_id)  # its clinics changed
        return affiliation

    async def end(self, viewer: Principal, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Affiliation:
        """By the clinic's admin or by the doctor."""
        async with transaction(self._sessions) as session:
            if viewer.role is Role.CLINIC_ADMIN:
                await self._require_admin(session, viewer, clinic_id)
            elif viewer.user_id != doctor_id:
                raise NotYours()
            current = await store.affiliations.lock(session, clinic_id, doctor_id)
            end_allowed(current.status if current else None)
            await store.affiliations.end(session, clinic_id, doctor_id, self._now())
            affiliation = await self._published(session, clinic_id, doctor_id)
            await events.doctor_changed(session, doctor_id)  # its clinics changed
        return affiliation

    async def get(self, viewer: Principal, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Affiliation:
        """One affiliation, for the clinic's admin or the doctor (other services re-reading a lagging copy)."""
        async with self._sessions() as session:
            if not is_party(viewer, await store.clinics.get(session, clinic_id), doctor_id):
                raise NotYours()
            affiliation = await store.affiliations.get(session, clinic_id, doctor_id)
        if affiliation is None:
            raise AffiliationNotFound()
        return affiliation

    async def of_clinic(self, viewer: Principal, clinic_id: uuid.UUID) -> list[Affiliation]:
        """The clinic's confirmed doctors (verified ones for patients); its admin also sees pending invitations."""
        async with self._sessions() as session:
            clinic = await store.clinics.get(session, clinic_id)
            if clinic is None:
                raise ClinicNotFound()
            return await store.affiliations.of_clinic(
                session,
                clinic_id,
                listed_statuses(manages(viewer, clinic)),
                verified_only=not sees_unverified_doctors(viewer, False),
            )

    async def _require_admin(self, session: AsyncSession, viewer: Principal, clinic_id: uuid.UUID) -> None:
        if not manages(viewer, await store.clinics.get(session, clinic_id)):
            raise NotYours()

    async def _published(self, session: AsyncSession, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Affiliation:
        """The affiliation as this transaction left it, published."""
        affiliation = await store.affiliations.get(session, clinic_id, doctor_id)
        assert affiliation is not None  # written in this transaction
        await events.affiliation_updated(session, affiliation)
        return affiliation
