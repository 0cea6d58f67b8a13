"""Named errors keep the reasons, messages, metadata and kinds clients have always seen."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from services.appointments.domain import errors
from services.common.errors import DomainError, ErrorKind

DAY = date(2026, 12, 2)
OTHER = uuid.UUID(int=7)

CASES: list[tuple[DomainError, ErrorKind, str, str, dict[str, str]]] = [
    (errors.SessionNotFound(), ErrorKind.NOT_FOUND, "SESSION_NOT_FOUND", "no session has this id", {}),
    (errors.DoctorNotFound(), ErrorKind.NOT_FOUND, "DOCTOR_NOT_FOUND", "no doctor has this id", {}),
    (errors.PatientNotFound(), ErrorKind.NOT_FOUND, "PATIENT_NOT_FOUND", "no patient has this id", {}),
    (
        errors.ProfileUnavailable(), ErrorKind.UNAVAILABLE, "PROFILE_UNAVAILABLE",
        "the profile service cannot confirm this right now; retry later", {},
    ),
    (errors.ClinicNotFound(), ErrorKind.NOT_FOUND, "CLINIC_NOT_FOUND", "no clinic has this id", {}),
    (errors.OverrideNotFound(), ErrorKind.NOT_FOUND, "OVERRIDE_NOT_FOUND", "no override for that date", {}),
    (
        errors.NotesNotFound(), ErrorKind.NOT_FOUND, "NOTES_NOT_FOUND",
        "no notes were written for this appointment", {},
    ),
    (
        errors.NotSessionManager(), ErrorKind.PERMISSION, "NOT_OWNER",
        "only the session's doctor or its clinic's admin manage it", {},
    ),
    (errors.OwnSessionsOnly(), ErrorKind.PERMISSION, "NOT_OWNER", "doctors manage only their own sessions", {}),
    (errors.BooksForSelfOnly(), ErrorKind.PERMISSION, "NOT_OWNER", "patients book for themselves only", {}),
    (
        errors.OwnClinicSessionsOnly(), ErrorKind.PERMISSION, "NOT_OWNER",
        "clinic admins book only at their own clinic's sessions", {},
    ),
    (errors.NotInCare(), ErrorKind.PERMISSION, "NOT_IN_CARE", "only the patient and their doctors may read this", {}),
    (errors.SessionInactive(), ErrorKind.PRECONDITION, "SESSION_INACTIVE", "the session is not active", {}),
    (
        errors.DoctorNotActive(), ErrorKind.PRECONDITION, "DOCTOR_NOT_ACTIVE",
        "the doctor is not approved and active", {},
    ),
    (
        errors.DoctorNotBookable(), ErrorKind.PRECONDITION, "DOCTOR_NOT_ACTIVE",
        "the doctor is not available for booking", {},
    ),
    (errors.TimeZoneMissing(), ErrorKind.PRECONDITION, "TIME_ZONE_MISSING", "set the doctor's time zone first", {}),
    (
        errors.SessionOverlap(OTHER), ErrorKind.PRECONDITION, "SESSION_OVERLAP",
        "the session overlaps another session of the doctor", {"sessionId": str(OTHER)},
    ),
    (errors.ClinicInactive(), ErrorKind.PRECONDITION, "CLINIC_INACTIVE", "the clinic is not active", {}),
    (
        errors.NotAffiliated(), ErrorKind.PRECONDITION, "NOT_AFFILIATED",
        "the doctor is not a confirmed doctor of this clinic", {},
    ),
    (
        errors.SessionHasBookings(), ErrorKind.PRECONDITION, "SESSION_HAS_BOOKINGS",
        "future appointments are booked: end this session with effectiveUntil and create another", {},
    ),
    (
        errors.DeactivationNeedsForce(3), ErrorKind.PRECONDITION, "SESSION_HAS_BOOKINGS",
        "3 future appointments are booked; pass force=true to cancel them", {"appointments": "3"},
    ),
    (
        errors.BookedAfterEnd(), ErrorKind.PRECONDITION, "SESSION_HAS_BOOKINGS",
        "appointments are booked after that date", {},
    ),
    (
        errors.CapacityBelowBookings(), ErrorKind.PRECONDITION, "CAPACITY_BELOW_BOOKINGS",
        "capacity cannot drop below the highest queue number booked", {},
    ),
    (
        errors.NotASessionDate(DAY), ErrorKind.INVALID, "NOT_A_SESSION_DATE",
        "the session does not take place on that date", {"date": "2026-12-02"},
    ),
    (
        errors.OccurrenceCancelled(DAY, "public holiday"), ErrorKind.PRECONDITION, "OCCURRENCE_CANCELLED",
        "the session is cancelled that day: public holiday", {"date": "2026-12-02"},
    ),
    (
        errors.OccurrenceCancelled(DAY, ""), ErrorKind.PRECONDITION, "OCCURRENCE_CANCELLED",
        "the session is cancelled that day", {"date": "2026-12-02"},
    ),
    (
        errors.DateInPast(DAY), ErrorKind.PRECONDITION, "DATE_IN_PAST",
        "that date is in the past", {"date": "2026-12-02"},
    ),
    (
        errors.OccurrenceOver(DAY), ErrorKind.PRECONDITION, "OCCURRENCE_OVER",
        "that session is already over", {"date": "2026-12-02"},
    ),
    (
        errors.SessionFull(DAY), ErrorKind.PRECONDITION, "SESSION_FULL",
        "the session is full that day", {"date": "2026-12-02"},
    ),
    (
        errors.NoFreePlaceAhead(60), ErrorKind.PRECONDITION, "SESSION_FULL",
        "the session has no free place in the next 60 days", {},
    ),
    (
        errors.AlreadyBooked(), ErrorKind.CONFLICT, "ALREADY_BOOKED",
        "the patient already has an appointment with this doctor that day", {},
    ),
    (
        errors.InvalidTransition("BOOKED", "IN_PROGRESS"), ErrorKind.PRECONDITION, "INVALID_TRANSITION",
        "an appointment that is BOOKED cannot become IN_PROGRESS", {"from": "BOOKED", "to": "IN_PROGRESS"},
    ),
    (errors.AppointmentCancelled(), ErrorKind.PRECONDITION, "INVALID_TRANSITION", "the appointment is cancelled", {}),
    (
        errors.OnlyBookedReschedules(), ErrorKind.PRECONDITION, "INVALID_TRANSITION",
        "only a booked appointment can be rescheduled", {},
    ),
    (
        errors.NotesBeforeConsultation("BOOKED"), ErrorKind.PRECONDITION, "INVALID_TRANSITION",
        "notes are written once the consultation is in progress", {"status": "BOOKED"},
    ),
    (errors.AlreadyStarted(), ErrorKind.PRECONDITION, "ALREADY_STARTED", "the appointment has started", {}),
    (
        errors.NotTheDay(), ErrorKind.PRECONDITION, "NOT_THE_DAY",
        "patients check in on the day of the appointment", {},
    ),
    (
        errors.NotStartedYet(), ErrorKind.PRECONDITION, "NOT_STARTED_YET",
        "a no-show is recorded only after the session started", {},
    ),
    (
        errors.ConsultationInProgress(), ErrorKind.PRECONDITION, "CONSULTATION_IN_PROGRESS",
        "a consultation is in progress that day", {},
    ),
    (
        errors.FinishConsultationFirst(2), ErrorKind.PRECONDITION, "CONSULTATION_IN_PROGRESS",
        "finish the consultation in progress first", {"queueNumber": "2"},
    ),
    (errors.QueueEmpty(), ErrorKind.PRECONDITION, "QUEUE_EMPTY", "nobody is checked in", {}),
    (
        errors.NotesLocked(), ErrorKind.PRECONDITION, "NOTES_LOCKED",
        "the notes are locked; add an addendum instead", {},
    ),
]  # fmt: skip


@pytest.mark.parametrize(("error", "kind", "reason", "message", "metadata"), CASES, ids=lambda c: type(c).__name__)
def test_a_named_error_says_what_it_always_said(
    error: DomainError, kind: ErrorKind, reason: str, message: str, metadata: dict[str, str]
) -> None:
    assert (error.kind, error.reason, error.message, error.metadata) == (kind, reason, message, metadata)


def test_every_error_of_the_module_is_pinned() -> None:
    named = {
        value
        for value in vars(errors).values()
        if isinstance(value, type) and issubclass(value, DomainError) and value.__module__ == errors.__name__
    }
    pinned = {type(case[0]) for case in CASES}
    assert named - {errors.StatusForbids} == pinned
