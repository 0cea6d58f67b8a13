"""Video sessions: SCHEDULED → ACTIVE (first participant joined) → COMPLETED (ended by its doctor),
or CANCELLED (its appointment was cancelled); exactly two participants, the doctor and the patient,
whose presence, consent and times the session keeps (SPEC 3.6)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from services.common.context import Principal, Role
from services.common.errors import NotYours
from services.video.domain.errors import (
    ConsentRequired,
    InvalidTransition,
    JoinNotOpen,
    NotAVirtualVisit,
    NotTheAppointmentsPatient,
    RecordingState,
)

JOIN_OPENS_BEFORE = timedelta(minutes=15)
RECORDER = "recorder"
"""The participant id of the service's own recording peer: not a participant, never sends media."""


class Status(enum.StrEnum):
    SCHEDULED = "SCHEDULED"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


OPEN = frozenset({Status.SCHEDULED, Status.ACTIVE})
ENDED = frozenset({Status.COMPLETED, Status.CANCELLED})


class RecordingStatus(enum.StrEnum):
    NOT_STARTED = "NOT_STARTED"
    RECORDING = "RECORDING"
    STOPPED = "STOPPED"
    FAILED = "FAILED"


@dataclass(frozen=True)
class Participant:
    participant_id: uuid.UUID
    role: Role
    present: bool = False
    join_time: datetime | None = None
    leave_time: datetime | None = None
    recording_consent: bool = False


@dataclass(frozen=True)
class Recording:
    status: RecordingStatus = RecordingStatus.NOT_STARTED
    started_at: datetime | None = None
    duration_seconds: float = 0.0
    size_bytes: int = 0
    frames: int = 0
    content_type: str = ""


@dataclass(frozen=True)
class VideoSession:
    id: uuid.UUID
    appointment_id: uuid.UUID | None
    doctor: Participant
    patient: Participant
    status: Status
    scheduled_start_time: datetime
    start_time: datetime | None
    end_time: datetime | None
    recording: Recording
    cancellation_reason: str
    create_time: datetime
    update_time: datetime
    version: int

    @property
    def participants(self) -> tuple[Participant, Participant]:
        return self.doctor, self.patient

    def participant(self, user_id: uuid.UUID) -> Participant | None:
        return next((p for p in self.participants if p.participant_id == user_id), None)

    def other_than(self, user_id: uuid.UUID) -> Participant:
        return self.patient if self.doctor.participant_id == user_id else self.doctor

    @property
    def present(self) -> list[Participant]:
        return [p for p in self.participants if p.present]


@dataclass(frozen=True)
class Joined:
    """A join's outcome: the session after it, and whether this join started the consultation."""

    session: VideoSession
    started: bool


def new_session(
    session_id: uuid.UUID,
    *,
    doctor_id: uuid.UUID,
    patient_id: uuid.UUID,
    appointment_id: uuid.UUID | None,
    scheduled_start_time: datetime,
    now: datetime,
) -> VideoSession:
    return VideoSession(
        id=session_id,
        appointment_id=appointment_id,
        doctor=Participant(doctor_id, Role.DOCTOR),
        patient=Participant(patient_id, Role.PATIENT),
        status=Status.SCHEDULED,
        scheduled_start_time=scheduled_start_time,
        start_time=None,
        end_time=None,
        recording=Recording(),
        cancellation_reason="",
        create_time=now,
        update_time=now,
        version=1,
    )


def check_readable(viewer: Principal, session: VideoSession) -> None:
    """Its participants read it; so does a SYSTEM_ADMIN (operations); everyone else is refused."""
    if viewer.role is not Role.SYSTEM_ADMIN and session.participant(viewer.user_id) is None:
        raise NotYours()


def participant_of(viewer: Principal, session: VideoSession) -> Participant:
    """The viewer as a participant: the doctor or the patient of the session, nobody else."""
    found = session.participant(viewer.user_id)
    if found is None or found.role is not viewer.role:
        raise NotYours()
    return found


def _with(session: VideoSession, changed: Participant, now: datetime, **fields: object) -> VideoSession:
    doctor = changed if changed.participant_id == session.doctor.participant_id else session.doctor
    patient = changed if changed.participant_id == session.patient.participant_id else session.patient
    return replace(session, doctor=doctor, patient=patient, update_time=now, version=session.version + 1, **fields)  # type: ignore[arg-type]


def check_open(session: VideoSession, wanted: str) -> None:
    if session.status in ENDED:
        raise InvalidTransition(session.status.value, wanted)


def join(session: VideoSession, who: Participant, now: datetime) -> Joined:
    """Present from now; the session is ACTIVE; the first time both are present the consultation starts."""
    check_open(session, "be joined")
    opens_at = session.scheduled_start_time - JOIN_OPENS_BEFORE
    if now < opens_at:
        raise JoinNotOpen(opens_at)
    joined = _with(session, replace(who, present=True, join_time=now), now, status=Status.ACTIVE)
    started = joined.start_time is None and all(p.present for p in joined.participants)
    if started:
        joined = replace(joined, start_time=now)
    return Joined(joined, started)


def leave(session: VideoSession, who: Participant, now: datetime) -> VideoSession:
    """Not present any more; the session stays open for a rejoin."""
    if not who.present:
        return session
    return _with(session, replace(who, present=False, leave_time=now), now)


def end(session: VideoSession, now: datetime) -> VideoSession:
    """COMPLETED by its doctor; whoever is still present leaves."""
    check_open(session, "be ended")
    return replace(
        session,
        doctor=replace(session.doctor, present=False, leave_time=now) if session.doctor.present else session.doctor,
        patient=replace(session.patient, present=False, leave_time=now) if session.patient.present else session.patient,
        status=Status.COMPLETED,
        end_time=now,
        update_time=now,
        version=session.version + 1,
    )


def cancel(session: VideoSession, reason: str, now: datetime) -> VideoSession | None:
    """CANCELLED because its appointment was; None when it has ended already (nothing to change)."""
    if session.status in ENDED:
        return None
    return replace(
        session, status=Status.CANCELLED, cancellation_reason=reason, update_time=now, version=session.version + 1
    )


def reschedule(session: VideoSession, start: datetime, now: datetime) -> VideoSession | None:
    """A SCHEDULED session follows its appointment's estimated start; None when nothing changes."""
    if session.status is not Status.SCHEDULED or session.scheduled_start_time == start:
        return None
    return replace(session, scheduled_start_time=start, update_time=now, version=session.version + 1)


def consent(session: VideoSession, who: Participant, given: bool, now: datetime) -> VideoSession:
    check_open(session, "change consent")
    return _with(session, replace(who, recording_consent=given), now)


def check_may_start_recording(session: VideoSession) -> None:
    if session.status is not Status.ACTIVE:
        raise InvalidTransition(session.status.value, "be recorded")
    if session.recording.status is not RecordingStatus.NOT_STARTED:
        # One recording per session: a second would replace the file the participants may download.
        raise RecordingState("the session has been recorded already", session.recording.status.value)
    missing = [p.role.value for p in session.participants if not p.recording_consent]
    if missing:
        raise ConsentRequired(missing)


def check_recording(session: VideoSession) -> None:
    if session.recording.status is not RecordingStatus.RECORDING:
        raise RecordingState("the session is not being recorded", session.recording.status.value)


def with_recording(session: VideoSession, recording: Recording, now: datetime) -> VideoSession:
    return replace(session, recording=recording, update_time=now, version=session.version + 1)


def check_downloadable(session: VideoSession) -> None:
    if session.recording.status not in (RecordingStatus.STOPPED, RecordingStatus.FAILED):
        raise RecordingState("there is no finished recording to download", session.recording.status.value)


@dataclass(frozen=True)
class AppointmentFacts:
    """What the appointments service says of an appointment a doctor names for a session."""

    id: uuid.UUID
    doctor_id: uuid.UUID
    patient_id: uuid.UUID
    virtual: bool
    open: bool
    """Not COMPLETED, CANCELLED or NO_SHOW."""


def check_session_for(appointment: AppointmentFacts, doctor_id: uuid.UUID, patient_id: uuid.UUID) -> None:
    """A doctor makes a session for one of their own open VIRTUAL appointments, with its patient."""
    if appointment.doctor_id != doctor_id:
        raise NotYours()
    if appointment.patient_id != patient_id:
        raise NotTheAppointmentsPatient()
    if not appointment.virtual or not appointment.open:
        raise NotAVirtualVisit()
