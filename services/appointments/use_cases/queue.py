"""Live-queue use cases: the queue of an occurrence, calling the next patient, a patient's position."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.appointments.domain import booking
from services.appointments.domain.booking import Actor, Appointment, Status
from services.appointments.domain.errors import SessionNotFound
from services.appointments.domain.queue import Position, Queue, position_of, queue_of, to_call
from services.appointments.domain.schedule import today_in, window
from services.appointments.store import appointments as appointment_store
from services.appointments.store import queue as store
from services.appointments.store import sessions as session_store
from services.appointments.use_cases.appointments import moved
from services.appointments.use_cases.sessions import managed_session
from services.common.clock import Clock
from services.common.context import Principal
from services.common.db import transaction
from services.common.errors import NotYours


class Queues:
    def __init__(self, database: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._db = database
        self._now = clock

    async def get_queue(self, viewer: Principal, session_id: uuid.UUID, day: date | None) -> Queue:
        async with self._db() as db:
            session = await managed_session(db, viewer, session_id, lock=False)
            day = day or today_in(session.time_zone, self._now())
            override = await session_store.override(db, session_id, day)
            occurrence = await appointment_store.occurrence_appointments(db, session_id, day)
        start, _ = window(session.plan, day, override.changes if override else None)
        planned = timedelta(minutes=session.estimated_consultation_minutes)
        return queue_of(session_id, day, occurrence, occurrence_start=start, planned=planned, now=self._now())

    async def call_next(
        self, viewer: Principal, session_id: uuid.UUID, day: date | None, request_id: uuid.UUID | None = None
    ) -> Appointment:
        """Start the lowest-numbered checked-in patient's consultation; a retried request starts nobody else."""
        async with transaction(self._db) as db:
            session = await managed_session(db, viewer, session_id, lock=False)
            if session.doctor_id != viewer.user_id:
                raise NotYours()
            day = day or today_in(session.time_zone, self._now())
            await session_store.lock_occurrence(db, session_id, day)
            if request_id is not None:
                earlier = await store.called_for(db, viewer.user_id, request_id)
                if earlier is not None:
                    repeated = await appointment_store.appointment(db, earlier)
                    assert repeated is not None
                    return repeated
            occurrence = await appointment_store.occurrence_appointments(db, session_id, day, lock=True)
            chosen = to_call(occurrence)
            started = booking.move(Status.IN_PROGRESS, Actor.of(viewer), actual_start_time=self._now())
            after = await moved(db, chosen, started)
            if request_id is not None:
                await store.remember_call(db, viewer.user_id, request_id, chosen.id)
        return after

    async def position(self, viewer: Principal, appointment_id: uuid.UUID) -> Position:
        """Patients ahead, the number now served (0: none) and the expected start of the caller's appointment."""
        async with self._db() as db:
            mine = await appointment_store.appointment(db, appointment_id)
            if mine is None or mine.patient_id != viewer.user_id:
                raise NotYours()
            session = await session_store.session(db, mine.session_id)
            if session is None:
                raise SessionNotFound()
            override = await session_store.override(db, session.id, mine.appointment_date)
            occurrence = await appointment_store.occurrence_appointments(db, session.id, mine.appointment_date)
        start, _ = window(session.plan, mine.appointment_date, override.changes if override else None)
        planned = timedelta(minutes=session.estimated_consultation_minutes)
        return position_of(mine, occurrence, start, planned, self._now())
