"""Events of the video service: what it publishes (a session created, a participant joined, a session
ended: the appointments service links, checks in, starts and completes the appointment from them),
and its handlers of appointment events (a VIRTUAL booking gets its session, a cancellation cancels
it, a moved estimate moves it) and of auth events (the accounts mirror)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pulseone.appointments.v1 import events_pb2 as appointment_events
from pulseone.appointments.v1 import resources_pb2 as appointment_resources
from pulseone.video.v1 import events_pb2
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import event_catalogue as catalogue
from services.common.clock import Clock
from services.common.consumer import PermanentFailure, Subscription, subscribe
from services.common.outbox import INSERT_EVENT, outbox_row, record_event
from services.common.projections import account_subscriptions
from services.video import messages, store
from services.video.domain import sessions as rules
from services.video.domain.sessions import Participant, VideoSession


def session_created(session: VideoSession) -> dict[str, Any]:
    """The outbox row that announces a new session."""
    event = events_pb2.VideoSessionCreated(
        session_id=str(session.id),
        appointment_id=str(session.appointment_id or ""),
        doctor_id=str(session.doctor.participant_id),
        patient_id=str(session.patient.participant_id),
    )
    return outbox_row(catalogue.VIDEO_SESSION_CREATED, event, entity_id=session.id, entity_version=session.version)


async def created(db: AsyncSession, session: VideoSession) -> None:
    await db.execute(INSERT_EVENT, session_created(session))


async def joined(db: AsyncSession, session: VideoSession, who: Participant, *, started: bool) -> None:
    event = events_pb2.ParticipantJoined(
        session_id=str(session.id),
        appointment_id=str(session.appointment_id or ""),
        participant_id=str(who.participant_id),
        role=who.role.value,
    )
    if who.join_time is not None:
        event.join_time.FromDatetime(who.join_time)
    if started and session.start_time is not None:
        event.consultation_start_time.FromDatetime(session.start_time)
    await record_event(
        db, catalogue.VIDEO_PARTICIPANT_JOINED, event, entity_id=session.id, entity_version=session.version
    )


async def ended(db: AsyncSession, session: VideoSession) -> None:
    event = events_pb2.VideoSessionEnded(session_id=str(session.id), appointment_id=str(session.appointment_id or ""))
    if session.start_time is not None:
        event.start_time.FromDatetime(session.start_time)
    if session.end_time is not None:
        event.end_time.FromDatetime(session.end_time)
    await record_event(db, catalogue.VIDEO_SESSION_ENDED, event, entity_id=session.id, entity_version=session.version)


def subscriptions(clock: Clock) -> list[Subscription]:
    async def on_booked(db: AsyncSession, event: appointment_events.AppointmentChanged) -> None:
        appointment = event.appointment
        if not messages.is_virtual(appointment):
            return
        appointment_id, doctor_id, patient_id = _ids(appointment)
        start = messages.appointment_start(appointment)
        if start is None:
            raise PermanentFailure("a VIRTUAL appointment without an estimated start")
        session = rules.new_session(
            uuid.uuid4(),
            doctor_id=doctor_id,
            patient_id=patient_id,
            appointment_id=appointment_id,
            scheduled_start_time=start,
            now=clock(),
        )
        await store.insert_for_appointment(db, session, event.metadata.entity_version, session_created(session))

    async def on_changed(db: AsyncSession, event: appointment_events.AppointmentChanged) -> None:
        """Newer events only: a late, older one never moves a session back."""
        appointment_id, _, _ = _ids(event.appointment)
        version = event.metadata.entity_version
        cancelling = event.appointment.status == event.appointment.CANCELLED
        if cancelling:
            await store.remember_cancelled(db, appointment_id, version)
        session = await store.session_of_appointment(db, appointment_id, lock=True)
        if session is None or version <= await store.followed_version(db, session.id):
            return
        changed = _follow(session, event, clock())
        if changed is not None:
            await store.save(db, changed)
        await store.follow(db, session.id, version)

    return [
        *account_subscriptions(),
        subscribe(catalogue.APPOINTMENT_BOOKED, on_booked),
        subscribe(catalogue.APPOINTMENT_CANCELLED, on_changed),
        subscribe(catalogue.APPOINTMENT_UPDATED, on_changed),
    ]


def _ids(appointment: appointment_resources.Appointment) -> tuple[uuid.UUID, uuid.UUID, uuid.UUID]:
    try:
        return uuid.UUID(appointment.id), uuid.UUID(appointment.doctor_id), uuid.UUID(appointment.patient_id)
    except ValueError as error:  # no retry makes these ids
        raise PermanentFailure(f"not an appointment: {error}") from error


def _follow(session: VideoSession, event: appointment_events.AppointmentChanged, now: datetime) -> VideoSession | None:
    """A cancelled appointment cancels its session; a moved estimate moves a SCHEDULED one."""
    if event.appointment.status == event.appointment.CANCELLED:
        return rules.cancel(session, event.appointment.cancellation_reason or "the appointment was cancelled", now)
    start = messages.appointment_start(event.appointment)
    return rules.reschedule(session, start, now) if start is not None else None
