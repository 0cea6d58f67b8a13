"""The appointments prescriptions are issued in. The projection fed by appointment events may lag
(the consultation started a moment ago, its event is on its way), so an appointment missing here, or
not yet in consultation here, is re-read from the appointments service before a request is refused
(DESIGN 6)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.context import Principal
from services.common.db import transaction
from services.common.errors import NotYours
from services.prescriptions.domain.appointments import (
    AppointmentFacts,
    check_prescribable,
    is_party,
    may_prescribe_in,
)
from services.prescriptions.store import appointments as store

AppointmentSource = Callable[[uuid.UUID], Awaitable[AppointmentFacts | None]]
"""The appointments service's answer about an appointment, asked on the caller's behalf: None when it
does not exist or is not the caller's; AppointmentsUnavailable when it cannot answer."""


class Appointments:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], source: AppointmentSource) -> None:
        self._sessions = sessions
        self._source = source

    async def prescribable(self, viewer: Principal, appointment_id: uuid.UUID) -> AppointmentFacts:
        """The viewer's appointment, in consultation or after it."""
        async with self._sessions() as session:
            known = await store.appointment(session, appointment_id)
        if known is not None and may_prescribe_in(viewer, known):
            return known
        fresh = await self._fresh(appointment_id)
        check_prescribable(viewer, fresh)
        if known is None:
            await self._remember(fresh)
        return fresh

    async def check_party(self, viewer: Principal, appointment_id: uuid.UUID) -> None:
        """The viewer is the appointment's patient or doctor; anyone else is refused, existing or not."""
        async with self._sessions() as session:
            known = await store.appointment(session, appointment_id)
        if known is None:
            known = await self._fresh(appointment_id)
            await self._remember(known)
        if not is_party(viewer, known):
            raise NotYours()

    async def in_care_of(self, doctor_id: uuid.UUID, patient_id: uuid.UUID) -> bool:
        """Whether the doctor has had an appointment with the patient (as far as events tell)."""
        async with self._sessions() as session:
            return await store.has_appointment_between(session, doctor_id, patient_id)

    async def _fresh(self, appointment_id: uuid.UUID) -> AppointmentFacts:
        fresh = await self._source(appointment_id)
        if fresh is None:
            raise NotYours()
        return fresh

    async def _remember(self, appointment: AppointmentFacts) -> None:
        async with transaction(self._sessions) as session:
            await store.remember_appointment(session, appointment)
