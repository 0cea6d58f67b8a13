"""Session use cases: create, read, join, leave, end, consent and history (SPEC 3.6). Each change is
made under the session's row lock with its events in the same transaction; what participants'
streams must show is published on the live channel once it committed."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.clock import Clock, utc_now
from services.common.context import Principal, Role
from services.common.db import transaction
from services.common.errors import NotYours
from services.common.pagination import Keyset, Page, PageTokens
from services.common.projections import PatientOwner, account_role, is_patient
from services.video import events, store
from services.video.domain import sessions as rules
from services.video.domain.errors import PatientNotFound, VideoSessionNotFound
from services.video.domain.ice import IceConfig, IceServer, ice_servers
from services.video.domain.sessions import AppointmentFacts, Participant, VideoSession
from services.video.domain.signals import EventType, LiveEvent, presence
from services.video.live import LiveChannel

HISTORY = Keyset("video.history", (datetime, uuid.UUID))

AppointmentSource = Callable[[uuid.UUID], Awaitable[AppointmentFacts | None]]
"""The appointments service's answer about an appointment, asked on the caller's behalf: None when it
does not exist or is not the caller's; AppointmentsUnavailable when it cannot answer."""

RecordingHook = Callable[[VideoSession], Awaitable[None]]
"""What recording does after a change of presence or consent (offer a joiner, stop on withdrawal)."""


async def _nothing(_: VideoSession) -> None:
    return None


class Sessions:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        live: LiveChannel,
        appointments: AppointmentSource,
        *,
        pages: PageTokens,
        ice: IceConfig,
        clock: Clock = utc_now,
        patient_owner: PatientOwner | None = None,
    ) -> None:
        self._db = database
        self._patient_owner = patient_owner
        self._live = live
        self._appointments = appointments
        self._pages = pages
        self._ice = ice
        self._now = clock
        self.after_presence: RecordingHook = _nothing
        self.after_consent: RecordingHook = _nothing

    async def create(
        self, viewer: Principal, patient_id: uuid.UUID, appointment_id: uuid.UUID | None, start: datetime
    ) -> VideoSession:
        """A doctor's session for a patient, or for one of their open VIRTUAL appointments with its
        patient (confirmed by the appointments service); an appointment that has its session already
        gets that session."""
        if appointment_id is not None:
            appointment = await self._appointments(appointment_id)
            if appointment is None:
                raise NotYours()
            rules.check_session_for(appointment, viewer.user_id, patient_id)
        else:
            await self._check_patient(patient_id)
        now = self._now()
        session = rules.new_session(
            uuid.uuid4(),
            doctor_id=viewer.user_id,
            patient_id=patient_id,
            appointment_id=appointment_id,
            scheduled_start_time=start,
            now=now,
        )
        try:
            async with transaction(self._db) as db:
                await store.insert(db, session)
                await events.created(db, session)
        except store.AppointmentHasSession:
            assert appointment_id is not None
            async with self._db() as db:
                existing = await store.session_of_appointment(db, appointment_id)
            assert existing is not None
            if existing.doctor.participant_id != viewer.user_id or existing.patient.participant_id != patient_id:
                raise NotYours() from None
            return existing
        return session

    async def _check_patient(self, patient_id: uuid.UUID) -> None:
        """Participants are a doctor and a patient (SPEC 3.6): any other id, or another role's, is
        PATIENT_NOT_FOUND (an appointment's patient is the appointment's). An id auth's events have
        not told here yet is re-read from its owner before the refusal (DESIGN 6)."""
        async with self._db() as db:
            role = await account_role(db, patient_id)
        if not await is_patient(role, patient_id, self._patient_owner):
            raise PatientNotFound()

    async def get(self, viewer: Principal, session_id: uuid.UUID) -> VideoSession:
        async with self._db() as db:
            found = await store.video_session(db, session_id)
        return self._readable(viewer, found)

    async def join(self, viewer: Principal, session_id: uuid.UUID) -> tuple[Participant, VideoSession, list[IceServer]]:
        now = self._now()
        async with transaction(self._db) as db:
            current = await self._claimed(db, viewer, session_id)
            joined = rules.join(current, rules.participant_of(viewer, current), now)
            await store.save(db, joined.session)
            who = rules.participant_of(viewer, joined.session)
            await events.joined(db, joined.session, who, started=joined.started)
        await self._live.publish(session_id, presence(EventType.PARTICIPANT_JOINED, viewer.user_id, now))
        if joined.started:
            await self._live.publish(session_id, LiveEvent(EventType.SESSION_STARTED, now))
        await self.after_presence(joined.session)
        return who, joined.session, ice_servers(self._ice, str(viewer.user_id), now)

    async def leave(self, viewer: Principal, session_id: uuid.UUID) -> VideoSession:
        now = self._now()
        async with transaction(self._db) as db:
            current = await self._claimed(db, viewer, session_id)
            left = rules.leave(current, rules.participant_of(viewer, current), now)
            if left is not current:
                await store.save(db, left)
        if left is not current:
            await self._live.publish(session_id, presence(EventType.PARTICIPANT_LEFT, viewer.user_id, now))
            await self.after_presence(left)
        return left

    async def end(self, viewer: Principal, session_id: uuid.UUID) -> VideoSession:
        """By its doctor: COMPLETED, and through the ended event its appointment too."""
        now = self._now()
        async with transaction(self._db) as db:
            current = await self._claimed(db, viewer, session_id)
            if rules.participant_of(viewer, current).role is not Role.DOCTOR:
                raise NotYours()
            finished = rules.end(current, now)
            await store.save(db, finished)
            await events.ended(db, finished)
        await self.after_presence(finished)
        await self._live.publish(session_id, LiveEvent(EventType.SESSION_ENDED, now))
        return finished

    async def consent(self, viewer: Principal, session_id: uuid.UUID, given: bool) -> VideoSession:
        now = self._now()
        async with transaction(self._db) as db:
            current = await self._claimed(db, viewer, session_id)
            changed = rules.consent(current, rules.participant_of(viewer, current), given, now)
            await store.save(db, changed)
        await self.after_consent(changed)
        return changed

    async def history(self, viewer: Principal, user_id: uuid.UUID, *, size: int, token: str) -> Page[VideoSession]:
        """A user's ended sessions, to that user and to a SYSTEM_ADMIN."""
        if viewer.user_id != user_id and viewer.role is not Role.SYSTEM_ADMIN:
            raise NotYours()
        page = self._pages.page(HISTORY, size=size, token=token, filters={"userId": user_id})
        async with self._db() as db:
            rows = await store.history(db, user_id, after=page.after, limit=page.fetch)  # type: ignore[arg-type]
        return page.split(rows, lambda s: (s.create_time, s.id))

    async def _claimed(self, db: AsyncSession, viewer: Principal, session_id: uuid.UUID) -> VideoSession:
        found = await store.video_session(db, session_id, lock=True)
        if found is None:
            raise NotYours()
        return found

    def _readable(self, viewer: Principal, found: VideoSession | None) -> VideoSession:
        """Participants and SYSTEM_ADMIN read a session; an unknown id is someone else's, except to a
        SYSTEM_ADMIN, who is told it does not exist."""
        if found is None:
            if viewer.role is Role.SYSTEM_ADMIN:
                raise VideoSessionNotFound()
            raise NotYours()
        rules.check_readable(viewer, found)
        return found
