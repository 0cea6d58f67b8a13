"""The facts the appointments service refuses a request with: a stable reason, a kind and metadata each.

Reasons, messages and metadata are part of the contract (SPEC, the e2e tests): keep them as they are.
"""

from __future__ import annotations

import uuid
from datetime import date

from services.common.errors import (
    AlreadyExists,
    FailedPrecondition,
    InvalidArgument,
    NotFound,
    NotYours,
    PermissionDenied,
    Unavailable,
)

# Not found


class SessionNotFound(NotFound):
    default_reason = "SESSION_NOT_FOUND"
    default_message = "no session has this id"


class DoctorNotFound(NotFound):
    default_reason = "DOCTOR_NOT_FOUND"
    default_message = "no doctor has this id"


class PatientNotFound(NotFound):
    """A walk-in named for an id that is not a patient's account: none, or another role's."""

    default_reason = "PATIENT_NOT_FOUND"
    default_message = "no patient has this id"


class ProfileUnavailable(Unavailable):
    """A doctor, an affiliation or a walk-in's patient is not known here yet and the profile service,
    which would know, cannot be asked."""

    default_reason = "PROFILE_UNAVAILABLE"
    default_message = "the profile service cannot confirm this right now; retry later"


class ClinicNotFound(NotFound):
    default_reason = "CLINIC_NOT_FOUND"
    default_message = "no clinic has this id"


class OverrideNotFound(NotFound):
    default_reason = "OVERRIDE_NOT_FOUND"
    default_message = "no override for that date"


class NotesNotFound(NotFound):
    default_reason = "NOTES_NOT_FOUND"
    default_message = "no notes were written for this appointment"


# Someone else's: NOT_OWNER, as every other resource of someone else (common NotYours)


class NotSessionManager(NotYours):
    default_message = "only the session's doctor or its clinic's admin manage it"


class OwnSessionsOnly(NotYours):
    default_message = "doctors manage only their own sessions"


class BooksForSelfOnly(NotYours):
    default_message = "patients book for themselves only"


class OwnClinicSessionsOnly(NotYours):
    default_message = "clinic admins book only at their own clinic's sessions"


class NotInCare(PermissionDenied):
    """A doctor without a care relationship with the patient (SPEC 2) reads none of their history."""

    default_reason = "NOT_IN_CARE"
    default_message = "only the patient and their doctors may read this"


# Sessions, their doctors and clinics


class SessionInactive(FailedPrecondition):
    default_reason = "SESSION_INACTIVE"
    default_message = "the session is not active"


class DoctorNotActive(FailedPrecondition):
    """Only an approved, active doctor gets sessions."""

    default_reason = "DOCTOR_NOT_ACTIVE"
    default_message = "the doctor is not approved and active"


class DoctorNotBookable(DoctorNotActive):
    """A doctor who is no longer active takes no bookings, even in sessions made before."""

    default_message = "the doctor is not available for booking"


class TimeZoneMissing(FailedPrecondition):
    default_reason = "TIME_ZONE_MISSING"
    default_message = "set the doctor's time zone first"


class SessionOverlap(FailedPrecondition):
    default_reason = "SESSION_OVERLAP"
    default_message = "the session overlaps another session of the doctor"

    def __init__(self, other_session_id: uuid.UUID) -> None:
        super().__init__(metadata={"sessionId": str(other_session_id)})


class ClinicInactive(FailedPrecondition):
    default_reason = "CLINIC_INACTIVE"
    default_message = "the clinic is not active"


class NotAffiliated(FailedPrecondition):
    default_reason = "NOT_AFFILIATED"
    default_message = "the doctor is not a confirmed doctor of this clinic"


class SessionHasBookings(FailedPrecondition):
    """Future appointments stand in the way of a change that would move their patients."""

    default_reason = "SESSION_HAS_BOOKINGS"
    default_message = "future appointments are booked: end this session with effectiveUntil and create another"


class DeactivationNeedsForce(SessionHasBookings):
    def __init__(self, booked: int) -> None:
        super().__init__(
            f"{booked} future appointments are booked; pass force=true to cancel them",
            metadata={"appointments": str(booked)},
        )


class BookedAfterEnd(SessionHasBookings):
    default_message = "appointments are booked after that date"


class CapacityBelowBookings(FailedPrecondition):
    default_reason = "CAPACITY_BELOW_BOOKINGS"
    default_message = "capacity cannot drop below the highest queue number booked"


# Booking


class NotASessionDate(InvalidArgument):
    default_reason = "NOT_A_SESSION_DATE"
    default_message = "the session does not take place on that date"

    def __init__(self, day: date) -> None:
        super().__init__(metadata={"date": day.isoformat()})


class OccurrenceCancelled(FailedPrecondition):
    default_reason = "OCCURRENCE_CANCELLED"

    def __init__(self, day: date, reason: str) -> None:
        super().__init__(
            f"the session is cancelled that day: {reason}".rstrip(": "), metadata={"date": day.isoformat()}
        )


class DateInPast(FailedPrecondition):
    default_reason = "DATE_IN_PAST"
    default_message = "that date is in the past"

    def __init__(self, day: date) -> None:
        super().__init__(metadata={"date": day.isoformat()})


class OccurrenceOver(FailedPrecondition):
    default_reason = "OCCURRENCE_OVER"
    default_message = "that session is already over"

    def __init__(self, day: date) -> None:
        super().__init__(metadata={"date": day.isoformat()})


class SessionFull(FailedPrecondition):
    """Every queue number of the occurrence is held (decided under the occurrence's lock, in SQL)."""

    default_reason = "SESSION_FULL"
    default_message = "the session is full that day"

    def __init__(self, day: date) -> None:
        super().__init__(metadata={"date": day.isoformat()})


class NoFreePlaceAhead(SessionFull):
    """Without a date: no occurrence in the bookable range has a free place."""

    def __init__(self, days: int) -> None:
        FailedPrecondition.__init__(self, f"the session has no free place in the next {days} days")


class AlreadyBooked(AlreadyExists):
    default_reason = "ALREADY_BOOKED"
    default_message = "the patient already has an appointment with this doctor that day"


# The status machine


class StatusForbids(FailedPrecondition):
    """The appointment's status does not allow the change (reason INVALID_TRANSITION)."""

    default_reason = "INVALID_TRANSITION"


class InvalidTransition(StatusForbids):
    def __init__(self, current: str, target: str) -> None:
        super().__init__(
            f"an appointment that is {current} cannot become {target}", metadata={"from": current, "to": target}
        )


class AppointmentCancelled(StatusForbids):
    default_message = "the appointment is cancelled"


class OnlyBookedReschedules(StatusForbids):
    default_message = "only a booked appointment can be rescheduled"


class NotesBeforeConsultation(StatusForbids):
    default_message = "notes are written once the consultation is in progress"

    def __init__(self, status: str) -> None:
        super().__init__(metadata={"status": status})


class AlreadyStarted(FailedPrecondition):
    default_reason = "ALREADY_STARTED"
    default_message = "the appointment has started"


class NotTheDay(FailedPrecondition):
    default_reason = "NOT_THE_DAY"
    default_message = "patients check in on the day of the appointment"


class NotStartedYet(FailedPrecondition):
    default_reason = "NOT_STARTED_YET"
    default_message = "a no-show is recorded only after the session started"


# The live queue


class ConsultationInProgress(FailedPrecondition):
    default_reason = "CONSULTATION_IN_PROGRESS"
    default_message = "a consultation is in progress that day"


class FinishConsultationFirst(ConsultationInProgress):
    def __init__(self, queue_number: int) -> None:
        super().__init__("finish the consultation in progress first", metadata={"queueNumber": str(queue_number)})


class QueueEmpty(FailedPrecondition):
    default_reason = "QUEUE_EMPTY"
    default_message = "nobody is checked in"


# Notes


class NotesLocked(FailedPrecondition):
    default_reason = "NOTES_LOCKED"
    default_message = "the notes are locked; add an addendum instead"


class EarlierEventPending(Exception):
    """A video event that cannot apply yet: an earlier event of the same call (the session's link, the
    patient's check-in, the start) has not been applied here, because events of one appointment may
    be handled by different replicas at once. Handling fails, and the event comes again after a
    back-off, by when the earlier one has been applied; dropping it would lose its move for good."""
