"""Protobuf ⇄ domain values of pulseone.video.v1 (and of the appointment events it reads)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from google.protobuf.timestamp_pb2 import Timestamp
from pulseone.appointments.v1 import resources_pb2 as appointment_resources
from pulseone.video.v1 import resources_pb2, video_pb2

from services.common.errors import InvalidArgument, invalid_field
from services.common.fields import optional_uuid, parse_uuid
from services.common.timestamps import set_time
from services.video.domain.ice import IceServer
from services.video.domain.sessions import Participant, Recording, VideoSession
from services.video.domain.signals import Candidate, EventType, LiveEvent

Event = resources_pb2.SessionEvent


def instant(timestamp: Timestamp) -> datetime:
    return timestamp.ToDatetime(tzinfo=UTC)


def event_type(value: int) -> EventType | None:
    return EventType(Event.Type.Name(value)) if value else None


def candidate_of(message: resources_pb2.IceCandidate) -> Candidate:
    return Candidate(message.candidate, message.sdp_mid, message.sdp_m_line_index)


def signal_candidate(request: video_pb2.SendSignalRequest) -> Candidate | None:
    return candidate_of(request.candidate) if request.HasField("candidate") else None


def new_session_fields(
    request: video_pb2.CreateVideoSessionRequest,
) -> tuple[uuid.UUID, uuid.UUID | None, datetime]:
    if not request.HasField("scheduled_start_time"):
        raise invalid_field("scheduledStartTime", "is required")
    scheduled = instant(request.scheduled_start_time)
    return (
        parse_uuid(request.patient_id, "patientId"),
        optional_uuid(request.appointment_id, "appointmentId"),
        scheduled,
    )


def participant_message(participant: Participant) -> resources_pb2.Participant:
    message = resources_pb2.Participant(
        participant_id=str(participant.participant_id),
        role=participant.role.value,
        present=participant.present,
        recording_consent=participant.recording_consent,
    )
    set_time(message.join_time, participant.join_time)
    set_time(message.leave_time, participant.leave_time)
    return message


def recording_message(recording: Recording) -> resources_pb2.Recording:
    message = resources_pb2.Recording(
        status=recording.status.value,
        duration_seconds=recording.duration_seconds,
        size_bytes=recording.size_bytes,
        frames=recording.frames,
        content_type=recording.content_type,
    )
    set_time(message.started_at, recording.started_at)
    return message


def session_message(session: VideoSession) -> resources_pb2.VideoSession:
    message = resources_pb2.VideoSession(
        id=str(session.id),
        doctor_id=str(session.doctor.participant_id),
        patient_id=str(session.patient.participant_id),
        status=session.status.value,
        participants=[participant_message(p) for p in session.participants],
        recording=recording_message(session.recording),
        cancellation_reason=session.cancellation_reason,
    )
    if session.appointment_id is not None:
        message.appointment_id = str(session.appointment_id)
    set_time(message.scheduled_start_time, session.scheduled_start_time)
    set_time(message.start_time, session.start_time)
    set_time(message.end_time, session.end_time)
    set_time(message.create_time, session.create_time)
    set_time(message.update_time, session.update_time)
    return message


def ice_server_message(server: IceServer) -> resources_pb2.IceServer:
    return resources_pb2.IceServer(urls=list(server.urls), username=server.username, credential=server.credential)


def event_message(event: LiveEvent) -> resources_pb2.SessionEvent:
    message = resources_pb2.SessionEvent(
        type=event.type.value,
        from_participant_id=event.from_participant_id,
        to_participant_id=event.to_participant_id,
        sdp=event.sdp,
        participant_id=event.participant_id,
    )
    if event.candidate is not None:
        c = event.candidate
        message.candidate.CopyFrom(
            resources_pb2.IceCandidate(candidate=c.candidate, sdp_mid=c.sdp_mid, sdp_m_line_index=c.sdp_m_line_index)
        )
    set_time(message.time, event.time)
    return message


def live_event(message: resources_pb2.SessionEvent) -> LiveEvent:
    type_ = event_type(message.type)
    if type_ is None:
        raise ValueError("an event without a type")
    return LiveEvent(
        type=type_,
        time=instant(message.time),
        from_participant_id=message.from_participant_id,
        to_participant_id=message.to_participant_id,
        participant_id=message.participant_id,
        sdp=message.sdp,
        candidate=candidate_of(message.candidate) if message.HasField("candidate") else None,
    )


def is_virtual(appointment: appointment_resources.Appointment) -> bool:
    return appointment.appointment_type == appointment_resources.Appointment.VIRTUAL


def appointment_start(appointment: appointment_resources.Appointment) -> datetime | None:
    """When a VIRTUAL appointment is expected to start: its estimate, moved as the queue moves."""
    return instant(appointment.estimated_start_time) if appointment.HasField("estimated_start_time") else None


def invalid_action() -> InvalidArgument:
    return invalid_field("action", "must be START or STOP")
