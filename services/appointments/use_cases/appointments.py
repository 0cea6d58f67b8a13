"""Appointment use cases: booking that never overbooks, the status machine, rescheduling, history,
and what the system itself does to appointments (clinic-side cancellations, the leftover sweep,
the video call's check-in, start and end)."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.appointments import events
from services.appointments.domain import booking, visibility
from services.appointments.domain.booking import (
    Actor,
    Appointment,
    BookingRequest,
    Details,
    Move,
    Rescheduling,
    Status,
    StatusChange,
)
from services.appointments.domain.errors import EarlierEventPending, PatientNotFound, SessionNotFound
from services.appointments.domain.schedule import MAX_RANGE_DAYS, DateOverride, Session, today_in
from services.appointments.domain.visibility import AppointmentQuery, as_seen_by, scope_of
from services.appointments.store import appointments as store
from services.appointments.store import sessions as session_store
from services.common.clock import Clock, utc_now
from services.common.context import Principal, Role
from services.common.db import Autocommit, Driver, driver_of, run_to_completion, transaction
from services.common.errors import NotYours, invalid_field
from services.common.pagination import Keyset, Page, PageTokens
from services.common.projections import PatientOwner, account_role, is_patient

log = logging.getLogger("pulseone.appointments")

APPOINTMENTS = Keyset("appointments.appointments", (date, int, uuid.UUID))
SWEEP_SECONDS = 60.0


async def moved(db: AsyncSession, appointment: Appointment, move: Move) -> Appointment:
    """Record a status change the caller decided (it checked the machine and holds the row lock):
    the row, its history and its event, in the caller's transaction."""
    await store.change_status(db, appointment, move)
    after = await store.appointment(db, appointment.id)
    assert after is not None
    await events.appointment_changed(db, after, appointment.status)
    return after


async def cancel_future(
    db: AsyncSession,
    *,
    from_date: date,
    doctor_id: uuid.UUID | None = None,
    clinic_id: uuid.UUID | None = None,
    actor: Actor,
    reason: str,
) -> int:
    """Cancellations from the clinic side: each future active appointment like any cancellation."""
    cancelled = 0
    for appointment in await store.future_active_of(db, from_date=from_date, doctor_id=doctor_id, clinic_id=clinic_id):
        if appointment.status is Status.IN_PROGRESS:
            continue  # a consultation under way is finished, not cancelled from afar
        await moved(db, appointment, booking.move(Status.CANCELLED, actor, reason))
        cancelled += 1
    return cancelled


async def close_leftovers(database: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Close what is left open two hours after its occurrence ended (SPEC 3.3); returns how many."""
    closed = 0
    async with transaction(database) as db:
        for appointment in await store.open_before(db, now.date() + timedelta(days=1)):
            override = await session_store.override(db, appointment.session_id, appointment.appointment_date)
            move = booking.leftover_move(appointment, override.changes if override else None, now)
            if move is not None:
                await moved(db, appointment, move)
                closed += 1
    return closed


def sweeper(database: async_sessionmaker[AsyncSession], clock: Clock) -> Callable[[], Coroutine[Any, Any, None]]:
    """A worker that closes leftovers every minute; replicas skip each other's locked rows."""

    async def sweep_forever() -> None:
        while True:
            try:
                await close_leftovers(database, clock())
            except Exception as error:  # noqa: BLE001 - the next round retries
                log.warning("closing leftover appointments failed", extra={"error": repr(error)})
            await asyncio.sleep(SWEEP_SECONDS)

    return sweep_forever


class Appointments:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        engine: AsyncEngine,
        *,
        pages: PageTokens,
        clock: Clock = utc_now,
        patient_owner: PatientOwner | None = None,
    ) -> None:
        self._db = database
        self._autocommit = Autocommit(engine)
        self._pages = pages
        self._now = clock
        self._patient_owner = patient_owner

    # Booking

    async def book(self, viewer: Principal, request: BookingRequest) -> Appointment:
        """The lowest free place of the occurrence asked for (the next bookable one without a date)."""
        patient_id = booking.patient_of(viewer, request.patient_id)
        if viewer.role is not Role.PATIENT:  # the admin's own id is no patient's either
            await self._check_walk_in(viewer, request.session_id, patient_id)
        try:
            if request.appointment_date is None:
                booked = await self._book_next(viewer, request, patient_id)
            else:
                # Run to its end even if the caller hangs up meanwhile: setting up the autocommit
                # connection awaits psycopg before any context manager owns that connection.
                booked = await run_to_completion(self._book_on(viewer, request, request.appointment_date, patient_id))
        except store.RequestIdTaken:
            booked = await self._first_booking(viewer, request.request_id)
        return as_seen_by(viewer, booked)

    async def _check_walk_in(self, viewer: Principal, session_id: uuid.UUID, patient_id: uuid.UUID) -> None:
        """A walk-in is for a patient's account (SPEC 3.3): any other id, or another role's, is
        PATIENT_NOT_FOUND. The session comes first, as in the booking itself: another clinic's is
        NOT_OWNER whoever the patient (SPEC 2: other people's resources are 403). An id auth's events
        have not told here yet is re-read from its owner before the refusal (DESIGN 6), outside any
        transaction; an owner that cannot answer is PROFILE_UNAVAILABLE."""
        async with self._db() as db:
            session = await session_store.session(db, session_id)
            role = await account_role(db, patient_id)
        if session is None:
            raise SessionNotFound()
        booking.check_may_book_at(viewer, session)
        if not await is_patient(role, patient_id, self._patient_owner):
            raise PatientNotFound()

    async def _book_on(
        self, viewer: Principal, request: BookingRequest, day: date, patient_id: uuid.UUID
    ) -> Appointment:
        """The hot path, two round trips: the session with its override of the day, then the booking
        function, each statement a transaction of its own. A transaction around them would guard
        nothing more: under READ COMMITTED the read locks nothing and sees its own snapshot either
        way, and the function locks the occurrence before it looks at what is booked."""
        async with self._autocommit.connection() as connection:
            session, override = await session_store.session_on(connection, request.session_id, day)
            if session is None:
                raise SessionNotFound()
            booking.check_may_book_at(viewer, session)
            booking.check_takes_bookings(session, request.appointment_type)
            return await self._book_in(
                connection, viewer, request, session, day=day, override=override, patient_id=patient_id
            )

    async def _book_next(self, viewer: Principal, request: BookingRequest, patient_id: uuid.UUID) -> Appointment:
        """Without a date: the next occurrence with a free place, found and booked in one transaction."""
        async with transaction(self._db) as db:
            session = await session_store.session(db, request.session_id)
            if session is None:
                raise SessionNotFound()
            booking.check_may_book_at(viewer, session)
            booking.check_takes_bookings(session, request.appointment_type)
            day = await self._next_bookable(db, session)
            found = await session_store.override(db, session.id, day)
            override = found.changes if found else None
            return await self._book_in(
                await driver_of(db), viewer, request, session, day=day, override=override, patient_id=patient_id
            )

    async def _book_in(
        self,
        connection: Driver,
        viewer: Principal,
        request: BookingRequest,
        session: Session,
        *,
        day: date,
        override: DateOverride | None,
        patient_id: uuid.UUID,
        rescheduled_from_id: uuid.UUID | None = None,
    ) -> Appointment:
        """The rules of the occurrence (the caller checked the session takes the booking), then the
        booking function (one round trip)."""
        terms = booking.terms_of(
            request,
            session,
            day,
            override,
            patient_id=patient_id,
            actor=viewer,
            now=self._now(),
            rescheduled_from_id=rescheduled_from_id,
        )
        return (await store.book(connection, request, terms)).appointment

    async def _next_bookable(self, db: AsyncSession, session: Session) -> date:
        today = today_in(session.time_zone, self._now())
        last = today + timedelta(days=MAX_RANGE_DAYS)
        overrides = {o.date: o.changes for o in await session_store.session_overrides(db, [session.id], today, last)}
        held = await session_store.held_numbers(db, [session.id], today, last)
        counts = {day: len(numbers) for (_, day), numbers in held.items()}
        return booking.next_bookable_day(session, overrides, counts, self._now())

    async def _first_booking(self, viewer: Principal, request_id: uuid.UUID | None) -> Appointment:
        """What a concurrent booking with the same request id booked (it committed before this one failed)."""
        assert request_id is not None
        async with self._db() as db:
            found = await store.booked_with_request(db, viewer.user_id, request_id)
        assert found is not None
        return found

    # Reading

    async def get_appointment(self, viewer: Principal, appointment_id: uuid.UUID) -> Appointment:
        async with self._db() as db:
            found = await store.appointment(db, appointment_id)
        if found is None or not visibility.may_see(viewer, found):
            raise NotYours()
        return as_seen_by(viewer, found)

    async def list_appointments(
        self, viewer: Principal, query: AppointmentQuery, *, size: int, token: str
    ) -> Page[Appointment]:
        """What the caller may see, by date then queue number."""
        scope = scope_of(viewer, query)
        filters = {
            # What the caller may see is part of the query: a token never moves to another caller's list.
            "viewer": viewer.user_id,
            "patientId": query.patient_id,
            "doctorId": query.doctor_id,
            "clinicId": query.clinic_id,
            "date": query.day,
            "status": query.status,
            "upcoming": query.upcoming,
        }
        page = self._pages.page(APPOINTMENTS, size=size, token=token, filters=filters)
        from_date = self._now().date() - timedelta(days=1) if query.upcoming else None
        async with self._db() as db:
            found = await store.list_appointments(
                db, scope, query, from_date=from_date, after=page.after, limit=page.fetch
            )
        listed = page.split(found, lambda a: (a.appointment_date, a.queue_number, a.id))
        return Page([as_seen_by(viewer, a) for a in listed.items], listed.next_page_token)

    async def history(self, viewer: Principal, appointment_id: uuid.UUID) -> list[StatusChange]:
        async with self._db() as db:
            found = await store.appointment(db, appointment_id)
            if found is None or not visibility.may_see(viewer, found):
                raise NotYours()
            return await store.status_changes(db, appointment_id)

    # The status machine

    async def _transition(
        self,
        viewer: Principal,
        appointment_id: uuid.UUID,
        allowed: Callable[[Principal, Appointment], bool],
        decide: Callable[[Appointment], Move],
    ) -> Appointment:
        async with transaction(self._db) as db:
            current = await store.appointment(db, appointment_id, lock=True)
            if current is None or not allowed(viewer, current):
                raise NotYours()
            after = await moved(db, current, decide(current))
        return as_seen_by(viewer, after)

    async def check_in(self, viewer: Principal, appointment_id: uuid.UUID) -> Appointment:
        return await self._transition(
            viewer, appointment_id, visibility.may_see, lambda a: booking.check_in(viewer, a, self._now())
        )

    async def start(self, viewer: Principal, appointment_id: uuid.UUID, started: datetime | None) -> Appointment:
        return await self._transition(
            viewer, appointment_id, visibility.is_its_doctor, lambda a: booking.start(viewer, a, started, self._now())
        )

    async def complete(
        self,
        viewer: Principal,
        appointment_id: uuid.UUID,
        started: datetime | None,
        ended: datetime | None,
        doctor_notes: str,
    ) -> Appointment:
        return await self._transition(
            viewer,
            appointment_id,
            visibility.is_its_doctor,
            lambda a: booking.complete(
                viewer, a, started=started, ended=ended, doctor_notes=doctor_notes, now=self._now()
            ),
        )

    async def no_show(self, viewer: Principal, appointment_id: uuid.UUID) -> Appointment:
        def allowed(viewer: Principal, appointment: Appointment) -> bool:
            return visibility.is_its_doctor(viewer, appointment) or visibility.is_its_clinic_admin(viewer, appointment)

        return await self._transition(
            viewer, appointment_id, allowed, lambda a: booking.no_show(viewer, a, self._now())
        )

    async def cancel(self, viewer: Principal, appointment_id: uuid.UUID, reason: str) -> Appointment:
        return await self._transition(
            viewer, appointment_id, visibility.may_see, lambda a: booking.cancel(viewer, a, reason)
        )

    async def update_appointment(self, viewer: Principal, appointment_id: uuid.UUID, details: Details) -> Appointment:
        """Its doctor records actual times, notes and the complaint; a cancelled appointment is closed."""
        async with transaction(self._db) as db:
            current = await store.appointment(db, appointment_id, lock=True)
            if current is None or not visibility.is_its_doctor(viewer, current):
                raise NotYours()
            booking.check_details(current, details)
            await store.record_details(db, appointment_id, details)
            after = await store.appointment(db, appointment_id)
            assert after is not None
            await events.appointment_updated(db, after)
        return as_seen_by(viewer, after)

    async def reschedule(self, viewer: Principal, rescheduling: Rescheduling) -> Appointment:
        """Book the new occurrence under the same rules and cancel the old one, in one transaction."""
        try:
            async with transaction(self._db) as db:
                moved_to = await self._reschedule(db, viewer, rescheduling)
        except store.RequestIdTaken:
            moved_to = await self._first_booking(viewer, rescheduling.request_id)
        return as_seen_by(viewer, moved_to)

    async def _reschedule(self, db: AsyncSession, viewer: Principal, rescheduling: Rescheduling) -> Appointment:
        appointment_id, request_id = rescheduling.appointment_id, rescheduling.request_id
        if request_id is not None:
            earlier = await store.booked_with_request(db, viewer.user_id, request_id)
            if earlier is not None:
                return earlier
        old = await store.appointment(db, appointment_id, lock=True)
        if old is None or not (visibility.is_its_patient(viewer, old) or visibility.is_its_clinic_admin(viewer, old)):
            raise NotYours()
        booking.check_reschedulable(old, self._now())
        connection = await driver_of(db)
        target, override = await session_store.session_on(
            connection, rescheduling.session_id or old.session_id, rescheduling.appointment_date
        )
        if target is None:
            raise SessionNotFound()
        if target.doctor_id != old.doctor_id:
            raise invalid_field("sessionId", "must be a session of the same doctor", "OTHER_DOCTOR")
        await moved(db, old, booking.move(Status.CANCELLED, Actor.of(viewer), "rescheduled"))
        request = BookingRequest(
            session_id=target.id,
            appointment_date=rescheduling.appointment_date,
            patient_id=old.patient_id,
            appointment_type=old.appointment_type,
            chief_complaint=old.chief_complaint,
            request_id=request_id,
        )
        booking.check_takes_bookings(target, request.appointment_type)
        return await self._book_in(
            connection,
            viewer,
            request,
            target,
            day=rescheduling.appointment_date,
            override=override,
            patient_id=old.patient_id,
            rescheduled_from_id=old.id,
        )

    # What the video call does (in the transaction of the consumed event)

    async def link_video_session(
        self,
        db: AsyncSession,
        appointment_id: uuid.UUID,
        video_session_id: uuid.UUID,
        *,
        doctor_id: uuid.UUID,
        patient_id: uuid.UUID,
    ) -> None:
        """A VIRTUAL appointment shows its video session once the video service has created it: a
        session of its own doctor and patient, never one that merely names the appointment."""
        current = await store.appointment(db, appointment_id, lock=True)
        if current is None or current.video_session_id is not None:
            return
        if (current.doctor_id, current.patient_id) != (doctor_id, patient_id):
            return
        await events.appointment_updated(db, await store.link_video_session(db, current, video_session_id))

    async def video_participant_joined(
        self,
        db: AsyncSession,
        appointment_id: uuid.UUID,
        *,
        video_session_id: uuid.UUID,
        participant_id: uuid.UUID,
        role: str,
        joined: datetime,
        consultation_started: datetime | None = None,
    ) -> None:
        """The patient joining checks in; the join that makes both present starts the consultation,
        whichever of the two joined first. Only the appointment's own video session moves it."""
        await _move_if_due(
            db,
            appointment_id,
            _of_session(video_session_id, lambda a: booking.on_join(a, participant_id, role, joined)),
        )
        if consultation_started is not None:
            start = _of_session(video_session_id, lambda a: booking.on_consultation_start(a, consultation_started))
            await _move_if_due(db, appointment_id, start)

    async def video_call_ended(
        self,
        db: AsyncSession,
        appointment_id: uuid.UUID,
        *,
        video_session_id: uuid.UUID,
        started: datetime | None,
        ended: datetime,
        actor: Actor,
    ) -> None:
        await _move_if_due(
            db, appointment_id, _of_session(video_session_id, lambda a: booking.on_call_end(a, started, ended, actor))
        )


def _of_session(
    video_session_id: uuid.UUID, decide: Callable[[Appointment], Move | None]
) -> Callable[[Appointment], Move | None]:
    """A video event moves an appointment only when it comes from the session linked to it; before the
    link is applied here, it waits for it (an open appointment's session is always linked)."""

    def decided(appointment: Appointment) -> Move | None:
        if appointment.video_session_id is None and appointment.status in booking.OPEN:
            raise EarlierEventPending("the video session's link is not applied yet")
        return decide(appointment) if appointment.video_session_id == video_session_id else None

    return decided


async def _move_if_due(
    db: AsyncSession, appointment_id: uuid.UUID, decide: Callable[[Appointment], Move | None]
) -> None:
    """The move a system event calls for, if any (none for an unknown appointment)."""
    current = await store.appointment(db, appointment_id, lock=True)
    move = decide(current) if current is not None else None
    if current is not None and move is not None:
        await moved(db, current, move)
