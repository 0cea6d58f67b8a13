"""Booking rules (pure): what may be booked, queue numbers, estimated times, the status machine."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from services.appointments.schedule import DateOverride, SessionPlan, occurs_on, today_in, window
from services.common.errors import FailedPrecondition, InvalidArgument


class Status(enum.StrEnum):
    BOOKED = "BOOKED"
    CHECKED_IN = "CHECKED_IN"
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"
    NO_SHOW = "NO_SHOW"


ACTIVE = frozenset({Status.BOOKED, Status.CHECKED_IN, Status.IN_PROGRESS})
TERMINAL = frozenset({Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW})
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.BOOKED: frozenset({Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW}),
    Status.CHECKED_IN: frozenset({Status.IN_PROGRESS, Status.CANCELLED, Status.NO_SHOW}),
    Status.IN_PROGRESS: frozenset({Status.COMPLETED, Status.CANCELLED}),
    Status.COMPLETED: frozenset(),
    Status.CANCELLED: frozenset(),
    Status.NO_SHOW: frozenset(),
}
# Event subject suffix per status reached.


def check_transition(current: Status, target: Status) -> None:
    """Anything the machine does not allow is FAILED_PRECONDITION `INVALID_TRANSITION`."""
    if target not in TRANSITIONS[current]:
        raise FailedPrecondition(
            f"an appointment that is {current} cannot become {target}",
            reason="INVALID_TRANSITION",
            metadata={"from": current.value, "to": target.value},
        )


class ServiceType(enum.StrEnum):
    VIRTUAL = "VIRTUAL"
    IN_PERSON = "IN_PERSON"
    BOTH = "BOTH"


def type_fits(service_type: ServiceType, appointment_type: str) -> bool:
    return service_type is ServiceType.BOTH or service_type.value == appointment_type


def lowest_free_number(taken: Iterable[int], capacity: int) -> int | None:
    """The lowest queue number in 1..capacity that no place-holding appointment has."""
    held = set(taken)
    return next((n for n in range(1, capacity + 1) if n not in held), None)


def estimated_start(occurrence_start: datetime, queue_number: int, consultation_minutes: int) -> datetime:
    return occurrence_start + timedelta(minutes=(queue_number - 1) * consultation_minutes)


def capacity_of(session_capacity: int, override: DateOverride | None) -> int:
    return override.capacity if override and override.capacity else session_capacity


def check_bookable(plan: SessionPlan, day: date, override: DateOverride | None, now: datetime) -> None:
    """The date is one of the session's, not cancelled, not past and not already over today."""
    if not occurs_on(plan, day):
        raise InvalidArgument(
            "the session does not take place on that date",
            reason="NOT_A_SESSION_DATE",
            metadata={"date": day.isoformat()},
        )
    if override is not None and override.cancelled:
        raise FailedPrecondition(
            f"the session is cancelled that day: {override.reason}".rstrip(": "),
            reason="OCCURRENCE_CANCELLED",
            metadata={"date": day.isoformat()},
        )
    if day < today_in(plan.time_zone, now):
        raise FailedPrecondition("that date is in the past", reason="DATE_IN_PAST", metadata={"date": day.isoformat()})
    _, end = window(plan, day, override)
    if end <= now:
        raise FailedPrecondition(
            "that session is already over", reason="OCCURRENCE_OVER", metadata={"date": day.isoformat()}
        )
