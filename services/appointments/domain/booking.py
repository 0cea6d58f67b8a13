"""Booking rules (pure): appointments, their status machine, what may be booked, queue numbers and
estimated times, and what the system makes of appointments left open."""

from __future__ import annotations

import dataclasses
import enum
import uuid
import zoneinfo
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from services.appointments.domain.directory import display_name
from services.appointments.domain.errors import (
    AlreadyStarted,
    AppointmentCancelled,
    BookedAfterEnd,
    BooksForSelfOnly,
    CapacityBelowBookings,
    DateInPast,
    DoctorNotBookable,
    EarlierEventPending,
    InvalidTransition,
    NoFreePlaceAhead,
    NotASessionDate,
    NotStartedYet,
    NotTheDay,
    OccurrenceCancelled,
    OccurrenceOver,
    OnlyBookedReschedules,
    OwnClinicSessionsOnly,
    SessionHasBookings,
    SessionInactive,
)
from services.appointments.domain.schedule import (
    MAX_RANGE_DAYS,
    MOVING_FIELDS,
    DateOverride,
    ServiceType,
    Session,
    SessionPlan,
    SessionSpec,
    dates,
    instant,
    occurs_on,
    today_in,
    window,
)
from services.common.context import AccountStatus, Principal, Role
from services.common.errors import invalid_field


class Status(enum.StrEnum):
    BOOKED = "BOOKED"
    CHECKED_IN = "CHECKED_IN"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    NO_SHOW = "NO_SHOW"


ACTIVE = frozenset({Status.BOOKED, Status.CHECKED_IN, Status.IN_PROGRESS})
TERMINAL = frozenset({Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW})
# Still open when its occurrence is long over: the leftover sweep closes these.
OPEN = frozenset({Status.BOOKED, Status.CHECKED_IN})
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.BOOKED: frozenset({Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW}),
    Status.CHECKED_IN: frozenset({Status.IN_PROGRESS, Status.CANCELLED, Status.NO_SHOW}),
    Status.IN_PROGRESS: frozenset({Status.COMPLETED, Status.CANCELLED}),
    Status.COMPLETED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.NO_SHOW: frozenset(),
}


class AppointmentType(enum.StrEnum):
    IN_PERSON = "IN_PERSON"
    VIRTUAL = "VIRTUAL"


@dataclass(frozen=True)
class Actor:
    """Who caused a change: a user in a role, or the system (no user)."""

    id: uuid.UUID | None
    role: str

    @classmethod
    def of(cls, principal: Principal) -> Actor:
        return cls(principal.user_id, principal.role.value)


SYSTEM = Actor(None, "SYSTEM")


@dataclass(frozen=True)
class Appointment:
    """An appointment, with what it shows of its session, doctor and clinic."""

    id: uuid.UUID
    session_id: uuid.UUID
    appointment_date: date
    patient_id: uuid.UUID
    doctor_id: uuid.UUID
    clinic_id: uuid.UUID | None
    appointment_type: AppointmentType
    status: Status
    queue_number: int
    chief_complaint: str
    estimated_start_time: datetime
    actual_start_time: datetime | None
    actual_end_time: datetime | None
    doctor_notes: str
    fee: Decimal
    currency: str
    cancellation_reason: str
    cancelled_by_role: str
    rescheduled_from_id: uuid.UUID | None
    video_session_id: uuid.UUID | None
    booked_by: uuid.UUID
    request_id: uuid.UUID | None
    version: int
    created_at: datetime
    updated_at: datetime
    # Of its doctor, clinic and session
    doctor_first_name: str | None
    doctor_last_name: str | None
    specialization: str | None
    clinic_name: str | None
    clinic_admin_id: uuid.UUID | None
    time_zone: str
    session_start_time: time
    session_end_time: time
    estimated_consultation_minutes: int

    @property
    def doctor_name(self) -> str:
        return display_name(self.doctor_first_name, self.doctor_last_name)

    @property
    def estimated_wait_minutes(self) -> int:
        """Minutes from the session's start to the expected start of this consultation, local wall clock."""
        occurrence_start = datetime.combine(self.appointment_date, self.session_start_time)
        local = self.estimated_start_time.astimezone(zoneinfo.ZoneInfo(self.time_zone)).replace(tzinfo=None)
        return max(0, int((local - occurrence_start).total_seconds() // 60))

    @property
    def session_started_at(self) -> datetime:
        """When the session's occurrence of this appointment starts (its usual hours)."""
        return instant(self.appointment_date, self.session_start_time, self.time_zone)

    def without_clinical_notes(self) -> Appointment:
        return dataclasses.replace(self, doctor_notes="")


@dataclass(frozen=True)
class StatusChange:
    """One step of an appointment's history."""

    from_status: Status | None
    to_status: Status
    actor_id: uuid.UUID | None
    actor_role: str
    reason: str
    changed_at: datetime


@dataclass(frozen=True)
class Move:
    """A status change as recorded: the new status, who and why, and the fields it sets (None: unchanged)."""

    target: Status
    actor: Actor
    reason: str = ""
    actual_start_time: datetime | None = None
    actual_end_time: datetime | None = None
    doctor_notes: str | None = None
    cancellation_reason: str | None = None
    cancelled_by_role: str | None = None


def move(
    target: Status,
    actor: Actor,
    reason: str = "",
    *,
    actual_start_time: datetime | None = None,
    actual_end_time: datetime | None = None,
    doctor_notes: str | None = None,
) -> Move:
    """A move to `target`; a cancellation records its reason and the role of whoever cancelled."""
    cancelled = target is Status.CANCELLED
    return Move(
        target,
        actor,
        reason,
        actual_start_time=actual_start_time,
        actual_end_time=actual_end_time,
        doctor_notes=doctor_notes,
        cancellation_reason=reason if cancelled else None,
        cancelled_by_role=actor.role if cancelled else None,
    )


@dataclass(frozen=True)
class Details:
    """What its doctor records of an appointment besides its status: None leaves a field as it is."""

    actual_start_time: datetime | None = None
    actual_end_time: datetime | None = None
    doctor_notes: str | None = None
    chief_complaint: str | None = None


def check_details(appointment: Appointment, details: Details) -> None:
    """A cancelled appointment is closed; actual times stay consistent with what is recorded."""
    if appointment.status is Status.CANCELLED:
        raise AppointmentCancelled()
    check_actual_times(
        details.actual_start_time or appointment.actual_start_time,
        details.actual_end_time or appointment.actual_end_time,
    )


def check_transition(current: Status, target: Status) -> None:
    """Anything the machine does not allow is FAILED_PRECONDITION `INVALID_TRANSITION`."""
    if target not in TRANSITIONS[current]:
        raise InvalidTransition(current.value, target.value)


def check_actual_times(start: datetime | None, end: datetime | None) -> None:
    """An actual end needs an actual start, and does not come before it."""
    if start is not None and end is not None and end < start:
        raise invalid_field("actualEndTime", "must not be before the actual start time")
    if end is not None and start is None:
        raise invalid_field("actualStartTime", "is required with an actual end time")


def completion_times(
    appointment: Appointment, started: datetime | None, ended: datetime | None, now: datetime
) -> tuple[datetime, datetime]:
    """A completion's actual times: as given, else as recorded, else now."""
    start = started or appointment.actual_start_time or now
    end = ended or now
    if end < start:
        raise invalid_field("actualEndTime", "must not be before the actual start time")
    return start, end


# Booking


@dataclass(frozen=True)
class BookingRequest:
    """A booking as the caller asked for it: messages.py reads it from the request, and the store
    hands it, with the terms the rules decided, to the booking function."""

    session_id: uuid.UUID
    appointment_date: date | None  # None: the next bookable occurrence
    patient_id: uuid.UUID | None  # None: the calling patient
    appointment_type: AppointmentType
    chief_complaint: str
    request_id: uuid.UUID | None


@dataclass(frozen=True)
class Rescheduling:
    """A move of a booked appointment to another occurrence of its doctor (its own session by default)."""

    appointment_id: uuid.UUID
    session_id: uuid.UUID | None
    appointment_date: date
    request_id: uuid.UUID | None


@dataclass(frozen=True)
class BookingTerms:
    """What the rules decided for one booking: the occurrence, the patient, capacity, times and price."""

    appointment_date: date
    patient_id: uuid.UUID
    doctor_id: uuid.UUID
    clinic_id: uuid.UUID | None
    capacity: int
    occurrence_start: datetime
    estimated_consultation_minutes: int
    fee: Decimal
    currency: str
    booked_by: uuid.UUID
    actor_role: str
    rescheduled_from_id: uuid.UUID | None = None


def patient_of(viewer: Principal, asked: uuid.UUID | None) -> uuid.UUID:
    """Patients book for themselves; a clinic admin names the patient."""
    if viewer.role is Role.PATIENT:
        if asked not in (None, viewer.user_id):
            raise BooksForSelfOnly()
        return viewer.user_id
    if asked is None:
        raise invalid_field("patientId", "is required when a clinic admin books")
    return asked


def type_fits(service_type: ServiceType, appointment_type: str) -> bool:
    return service_type is ServiceType.BOTH or service_type.value == appointment_type


def check_takes_bookings(session: Session, appointment_type: AppointmentType) -> None:
    """An active session of an active doctor, offering the type asked for."""
    if not session.active:
        raise SessionInactive()
    if session.doctor_status != AccountStatus.ACTIVE:
        raise DoctorNotBookable()
    if not type_fits(session.service_type, appointment_type):
        raise invalid_field(
            "appointmentType", f"the session offers {session.service_type.value} only", "TYPE_NOT_OFFERED"
        )


def lowest_free_number(taken: Iterable[int], capacity: int) -> int | None:
    """The lowest queue number in 1..capacity that no place-holding appointment has.

    The booking function (SQL, migration 0006) owns this rule and applies it under the occurrence's
    lock; this is its specification, property-tested against it, and what availability shows.
    """
    held = set(taken)
    return next((n for n in range(1, capacity + 1) if n not in held), None)


def estimated_start(occurrence_start: datetime, queue_number: int, consultation_minutes: int) -> datetime:
    return occurrence_start + timedelta(minutes=(queue_number - 1) * consultation_minutes)


def capacity_of(session_capacity: int, override: DateOverride | None) -> int:
    return override.capacity if override and override.capacity else session_capacity


def check_bookable(plan: SessionPlan, day: date, override: DateOverride | None, now: datetime) -> None:
    """The date is one of the session's, not cancelled, not past and not already over today."""
    if not occurs_on(plan, day):
        raise NotASessionDate(day)
    if override is not None and override.cancelled:
        raise OccurrenceCancelled(day, override.reason)
    if day < today_in(plan.time_zone, now):
        raise DateInPast(day)
    _, end = window(plan, day, override)
    if end <= now:
        raise OccurrenceOver(day)


def next_bookable_day(
    session: Session, overrides: Mapping[date, DateOverride], held: Mapping[date, int], now: datetime
) -> date:
    """Without a date: the next occurrence from today on that is not cancelled, over, or full."""
    plan = session.plan
    today = today_in(plan.time_zone, now)
    for day in dates(plan, today, today + timedelta(days=MAX_RANGE_DAYS)):
        override = overrides.get(day)
        if override and override.cancelled:
            continue
        if window(plan, day, override)[1] <= now:
            continue
        if held.get(day, 0) < capacity_of(session.max_queue_size, override):
            return day
    raise NoFreePlaceAhead(MAX_RANGE_DAYS)


def terms_of(
    request: BookingRequest,
    session: Session,
    day: date,
    override: DateOverride | None,
    *,
    patient_id: uuid.UUID,
    actor: Principal,
    now: datetime,
    rescheduled_from_id: uuid.UUID | None = None,
) -> BookingTerms:
    """Every rule of the occurrence, then what the booking function is asked to book."""
    check_bookable(session.plan, day, override, now)
    start, _ = window(session.plan, day, override)
    return BookingTerms(
        appointment_date=day,
        patient_id=patient_id,
        doctor_id=session.doctor_id,
        clinic_id=session.clinic_id,
        capacity=capacity_of(session.max_queue_size, override),
        occurrence_start=start,
        estimated_consultation_minutes=session.estimated_consultation_minutes,
        fee=session.fee,
        currency=session.currency,
        booked_by=actor.user_id,
        actor_role=actor.role.value,
        rescheduled_from_id=rescheduled_from_id,
    )


# What the system closes


CLOSE_AFTER = timedelta(hours=2)


def leftover_status(status: Status) -> tuple[Status, str] | None:
    """What the system makes of an appointment still open two hours after its occurrence ended."""
    if status is Status.BOOKED:
        return Status.NO_SHOW, ""
    if status is Status.CHECKED_IN:
        return Status.CANCELLED, "NOT_SEEN"
    return None


def leftover_move(appointment: Appointment, override: DateOverride | None, now: datetime) -> Move | None:
    """The system's move of an appointment left open two hours after its occurrence ended (SPEC 3.3)."""
    end_time = override.end if override and override.end else appointment.session_end_time
    if instant(appointment.appointment_date, end_time, appointment.time_zone) + CLOSE_AFTER > now:
        return None
    outcome = leftover_status(appointment.status)
    if outcome is None:
        return None
    target, reason = outcome
    return move(target, SYSTEM, reason)


# The status machine, per step: each checks the machine and its own rule, and says what is recorded.


def check_in(viewer: Principal, appointment: Appointment, now: datetime) -> Move:
    """Its patient checks in on the day; its doctor or clinic any time before it ends."""
    check_transition(appointment.status, Status.CHECKED_IN)
    if viewer.role is Role.PATIENT and today_in(appointment.time_zone, now) != appointment.appointment_date:
        raise NotTheDay()
    return move(Status.CHECKED_IN, Actor.of(viewer))


def start(viewer: Principal, appointment: Appointment, started: datetime | None, now: datetime) -> Move:
    check_transition(appointment.status, Status.IN_PROGRESS)
    return move(Status.IN_PROGRESS, Actor.of(viewer), actual_start_time=started or now)


def complete(
    viewer: Principal,
    appointment: Appointment,
    *,
    started: datetime | None,
    ended: datetime | None,
    doctor_notes: str,
    now: datetime,
) -> Move:
    check_transition(appointment.status, Status.COMPLETED)
    start_time, end_time = completion_times(appointment, started, ended, now)
    return move(
        Status.COMPLETED,
        Actor.of(viewer),
        actual_start_time=start_time,
        actual_end_time=end_time,
        doctor_notes=doctor_notes or None,
    )


def no_show(viewer: Principal, appointment: Appointment, now: datetime) -> Move:
    """Recorded only once the session started."""
    check_transition(appointment.status, Status.NO_SHOW)
    if now < appointment.session_started_at:
        raise NotStartedYet()
    return move(Status.NO_SHOW, Actor.of(viewer))


def cancel(viewer: Principal, appointment: Appointment, reason: str) -> Move:
    check_transition(appointment.status, Status.CANCELLED)
    return move(Status.CANCELLED, Actor.of(viewer), reason)


def check_reschedulable(appointment: Appointment, now: datetime) -> None:
    """Only a booked appointment whose session has not started moves to another date."""
    if appointment.status is not Status.BOOKED:
        raise OnlyBookedReschedules()
    if appointment.session_started_at <= now:
        raise AlreadyStarted()


def check_may_book_at(viewer: Principal, session: Session) -> None:
    """A clinic admin books at their own clinic's sessions only."""
    if viewer.role is Role.CLINIC_ADMIN and (session.clinic_id is None or session.clinic_admin_id != viewer.user_id):
        raise OwnClinicSessionsOnly()


def check_capacity(capacity: int, highest_booked: int) -> None:
    """Capacity never drops below a queue number somebody holds."""
    if highest_booked > capacity:
        raise CapacityBelowBookings()


def check_not_moving(current: Session, wanted: SessionSpec, booked: Sequence[Appointment]) -> None:
    """While future appointments are booked, nothing changes that would move their patients."""
    if booked and any(getattr(wanted, name) != getattr(current, name) for name in MOVING_FIELDS):
        raise SessionHasBookings()


def check_keeps_bookings(wanted: SessionSpec, booked: Sequence[Appointment]) -> None:
    """Booked queue numbers stay within the capacity, and booked dates within the effective dates."""
    if booked:
        check_capacity(wanted.max_queue_size, max(a.queue_number for a in booked))
    if wanted.effective_until is not None and any(a.appointment_date > wanted.effective_until for a in booked):
        raise BookedAfterEnd()


# What the video call means for its appointment


def on_join(appointment: Appointment, participant_id: uuid.UUID, role: str, joined: datetime) -> Move | None:
    """The patient joining is the check-in; the doctor joining after the patient is the start."""
    if role == Role.PATIENT.value and participant_id == appointment.patient_id and appointment.status is Status.BOOKED:
        return move(Status.CHECKED_IN, Actor(participant_id, Role.PATIENT.value))
    if (
        role == Role.DOCTOR.value
        and participant_id == appointment.doctor_id
        and appointment.status is Status.CHECKED_IN
    ):
        return move(Status.IN_PROGRESS, Actor(participant_id, Role.DOCTOR.value), actual_start_time=joined)
    return None


def on_consultation_start(appointment: Appointment, started: datetime) -> Move | None:
    """Both participants of its video session are present: a checked-in appointment is IN_PROGRESS,
    started by its doctor at that moment. Still BOOKED, the patient's join has not been applied yet."""
    if appointment.status is Status.BOOKED:
        raise EarlierEventPending("the patient's join is not applied yet")
    if appointment.status is not Status.CHECKED_IN:
        return None
    return move(Status.IN_PROGRESS, Actor(appointment.doctor_id, Role.DOCTOR.value), actual_start_time=started)


def on_call_end(appointment: Appointment, started: datetime | None, ended: datetime, actor: Actor) -> Move | None:
    """The end of the call completes its appointment with the call's times, only from IN_PROGRESS. A
    call that started (it has a start time) while the appointment is not started here yet: the start
    has not been applied yet."""
    if started is not None and appointment.status in (Status.BOOKED, Status.CHECKED_IN):
        raise EarlierEventPending("the call's start is not applied yet")
    if appointment.status is not Status.IN_PROGRESS:
        return None
    started = started or appointment.actual_start_time
    return move(
        Status.COMPLETED, actor, actual_start_time=started, actual_end_time=max(ended, started) if started else ended
    )
