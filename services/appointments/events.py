"""Events of the appointments service: what it publishes (through the outbox, in the transaction of the
change) and what it does with the events it consumes (auth's accounts, profile's directory, video calls)."""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import TYPE_CHECKING, Any

from pulseone.profile.v1 import events_pb2 as profile_events
from pulseone.video.v1 import events_pb2 as video_events
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments import messages
from services.appointments.domain.booking import Appointment, Status
from services.appointments.domain.schedule import Session
from services.appointments.domain.visibility import as_published
from services.common import event_catalogue as catalogue
from services.common.consumer import Subscription, subscribe
from services.common.event_catalogue import EventType
from services.common.outbox import record_event
from services.common.projections import StatusEvent, account_subscriptions

if TYPE_CHECKING:  # the use cases publish through this module; its handlers are handed them (app.py)
    from services.appointments.use_cases.appointments import Appointments
    from services.appointments.use_cases.directory import Directory

# Published

# The subject of the event for the status an appointment reached. The `booked` event is written by
# the booking function itself, in SQL (store/appointments.py, `book`): the same AppointmentChanged
# that `appointment_changed` records, as proto3 JSON (tests/integration/appointments prove them equal).
EVENT_OF = {
    Status.BOOKED: catalogue.APPOINTMENT_BOOKED,
    Status.CHECKED_IN: catalogue.APPOINTMENT_CHECKED_IN,
    Status.IN_PROGRESS: catalogue.APPOINTMENT_STARTED,
    Status.COMPLETED: catalogue.APPOINTMENT_COMPLETED,
    Status.CANCELLED: catalogue.APPOINTMENT_CANCELLED,
    Status.NO_SHOW: catalogue.APPOINTMENT_NO_SHOW,
}


async def appointment_changed(db: AsyncSession, appointment: Appointment, previous: Status | None) -> None:
    """`pulseone.appointments.appointment.<booked|checked_in|...>`: the appointment reached a status."""
    await _appointment_event(db, EVENT_OF[appointment.status], appointment, previous)


async def appointment_updated(db: AsyncSession, appointment: Appointment) -> None:
    """`pulseone.appointments.appointment.updated`: anything but its status changed."""
    await _appointment_event(db, catalogue.APPOINTMENT_UPDATED, appointment, appointment.status)


async def _appointment_event(
    db: AsyncSession, event_type: EventType[Any], appointment: Appointment, previous: Status | None
) -> None:
    event = messages.appointment_changed(as_published(appointment), previous)
    await record_event(db, event_type, event, entity_id=appointment.id, entity_version=appointment.version)


async def session_created(db: AsyncSession, session: Session) -> None:
    await _session_event(db, catalogue.SESSION_CREATED, session)


async def session_updated(db: AsyncSession, session: Session) -> None:
    await _session_event(db, catalogue.SESSION_UPDATED, session)


async def session_deactivated(db: AsyncSession, session: Session) -> None:
    await _session_event(db, catalogue.SESSION_DEACTIVATED, session)


async def _session_event(db: AsyncSession, event_type: EventType[Any], session: Session) -> None:
    event = messages.session_changed(session)
    await record_event(db, event_type, event, entity_id=session.id, entity_version=session.version)


# Consumed: each handler decodes its event and makes one use-case call, in the consumer's transaction.


def subscriptions(appointments: Appointments, directory: Directory) -> list[Subscription]:
    async def on_account_status(db: AsyncSession, event: StatusEvent, applied: bool) -> None:
        change = messages.account_change_of(event.user)
        await directory.account_changed(db, change, applied=applied, actor=messages.actor_of(event.metadata))

    async def on_doctor_updated(db: AsyncSession, event: profile_events.DoctorUpdated) -> None:
        await directory.doctor_updated(db, messages.doctor_of(event))

    async def on_clinic_updated(db: AsyncSession, event: profile_events.ClinicUpdated) -> None:
        await directory.clinic_updated(db, messages.clinic_of(event), actor=messages.actor_of(event.metadata))

    async def on_affiliation_updated(db: AsyncSession, event: profile_events.AffiliationUpdated) -> None:
        affiliation = messages.affiliation_of(event)
        await directory.affiliation_updated(db, affiliation, actor=messages.actor_of(event.metadata))

    async def on_consent_changed(db: AsyncSession, event: profile_events.ConsentChanged) -> None:
        await directory.consent_changed(db, messages.consent_of(event))

    async def on_video_session_created(db: AsyncSession, event: video_events.VideoSessionCreated) -> None:
        if event.appointment_id:
            await appointments.link_video_session(
                db,
                uuid.UUID(event.appointment_id),
                uuid.UUID(event.session_id),
                doctor_id=uuid.UUID(event.doctor_id),
                patient_id=uuid.UUID(event.patient_id),
            )

    async def on_participant_joined(db: AsyncSession, event: video_events.ParticipantJoined) -> None:
        if event.appointment_id:
            await appointments.video_participant_joined(
                db,
                uuid.UUID(event.appointment_id),
                video_session_id=uuid.UUID(event.session_id),
                participant_id=uuid.UUID(event.participant_id),
                role=event.role,
                joined=event.join_time.ToDatetime(tzinfo=UTC),
                consultation_started=event.consultation_start_time.ToDatetime(tzinfo=UTC)
                if event.HasField("consultation_start_time")
                else None,
            )

    async def on_video_session_ended(db: AsyncSession, event: video_events.VideoSessionEnded) -> None:
        if event.appointment_id:
            await appointments.video_call_ended(
                db,
                uuid.UUID(event.appointment_id),
                video_session_id=uuid.UUID(event.session_id),
                started=event.start_time.ToDatetime(tzinfo=UTC) if event.HasField("start_time") else None,
                ended=event.end_time.ToDatetime(tzinfo=UTC),
                actor=messages.actor_of(event.metadata),
            )

    return [
        *account_subscriptions(on_status_changed=on_account_status),
        subscribe(catalogue.DOCTOR_UPDATED, on_doctor_updated),
        subscribe(catalogue.CLINIC_UPDATED, on_clinic_updated),
        subscribe(catalogue.AFFILIATION_UPDATED, on_affiliation_updated),
        subscribe(catalogue.CONSENT_GRANTED, on_consent_changed),
        subscribe(catalogue.CONSENT_REVOKED, on_consent_changed),
        subscribe(catalogue.VIDEO_SESSION_CREATED, on_video_session_created),
        subscribe(catalogue.VIDEO_PARTICIPANT_JOINED, on_participant_joined),
        subscribe(catalogue.VIDEO_SESSION_ENDED, on_video_session_ended),
    ]
