"""The named facts the video service refuses requests with (SPEC 3.6)."""

from __future__ import annotations

from datetime import datetime

from services.common.errors import FailedPrecondition, InvalidField, NotFound, Unavailable


class VideoSessionNotFound(NotFound):
    """No session has this id (told only to a SYSTEM_ADMIN, who may read every session)."""

    default_reason = "VIDEO_SESSION_NOT_FOUND"
    default_message = "no video session has this id"


class JoinNotOpen(FailedPrecondition):
    """Joining opens 15 minutes before the scheduled start."""

    default_reason = "JOIN_NOT_OPEN"

    def __init__(self, opens_at: datetime) -> None:
        super().__init__(
            f"joining opens at {opens_at.isoformat()}, 15 minutes before the scheduled start",
            metadata={"opensAt": opens_at.isoformat()},
        )


class InvalidTransition(FailedPrecondition):
    """SCHEDULED → ACTIVE → COMPLETED, or CANCELLED; an ended session takes no part in a call."""

    default_reason = "INVALID_TRANSITION"

    def __init__(self, status: str, wanted: str) -> None:
        super().__init__(f"a {status} session cannot {wanted}", metadata={"status": status})


class NotPresent(FailedPrecondition):
    """Signals travel between participants who joined the call."""

    default_reason = "NOT_PRESENT"
    default_message = "join the session before sending signals"


class ConsentRequired(FailedPrecondition):
    """Recording needs the consent of both participants."""

    default_reason = "CONSENT_REQUIRED"

    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            "recording needs the consent of both participants", metadata={"withoutConsent": ",".join(missing)}
        )


class RecordingState(FailedPrecondition):
    """START while recording, STOP while not, or a download before there is a file."""

    default_reason = "INVALID_RECORDING_STATE"

    def __init__(self, message: str, status: str) -> None:
        super().__init__(message, metadata={"recordingStatus": status})


class NotTheOtherParticipant(InvalidField):
    """A signal goes to the other participant of the session, or to the recorder."""

    def __init__(self) -> None:
        super().__init__("toParticipantId", "must be the other participant of this session, or recorder")


class NotTheAppointmentsPatient(InvalidField):
    """A session for an appointment is with that appointment's patient."""

    def __init__(self) -> None:
        super().__init__("patientId", "is not the patient of this appointment")


class NotAVirtualVisit(FailedPrecondition):
    """Only an open VIRTUAL appointment has a video session."""

    default_reason = "NOT_A_VIRTUAL_APPOINTMENT"
    default_message = "the appointment is not an open VIRTUAL appointment"


class AppointmentsUnavailable(Unavailable):
    """The appointments service could not confirm the appointment; retry later."""

    default_reason = "APPOINTMENTS_UNAVAILABLE"
    default_message = "the appointment could not be confirmed just now; retry shortly"


class PatientNotFound(NotFound):
    """A session created for an id that is not a patient's account: none, or another role's."""

    default_reason = "PATIENT_NOT_FOUND"
    default_message = "no patient has this id"


class ProfileUnavailable(Unavailable):
    """A patient not known here yet and the profile service, which would know, cannot be asked."""

    default_reason = "PROFILE_UNAVAILABLE"
    default_message = "the profile service cannot confirm this right now; retry later"
