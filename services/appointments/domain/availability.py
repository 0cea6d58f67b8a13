"""Availability rules (pure): the occurrences of sessions in a date range with their free places,
and the doctor's calendar saying why a day has no place."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.appointments.domain.booking import capacity_of, estimated_start, lowest_free_number
from services.appointments.domain.schedule import (
    DEFAULT_RANGE_DAYS,
    MAX_RANGE_DAYS,
    DateOverride,
    ServiceType,
    Session,
    dates,
    window,
)
from services.common.errors import invalid_field

DEFAULT_CALENDAR_DAYS = 30
NO_SESSION = "NO_SESSION"
HOLIDAY = "HOLIDAY"
FULL = "FULL"


@dataclass(frozen=True)
class Occurrence:
    """One date of a session: its hours, places, and when the next booking would be seen."""

    session: Session
    date: date
    start: datetime
    end: datetime
    capacity: int
    booked: int
    available: int
    estimated_start: datetime | None
    cancelled: bool
    reason: str


@dataclass(frozen=True)
class CalendarDay:
    """A day of a doctor's calendar; `unavailable_reason` is "" when it has a free place."""

    date: date
    available: bool
    unavailable_reason: str
    occurrences: list[Occurrence]


def availability_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The range asked for: by default today and the next six days; at most 60 days."""
    start = first or today
    end = last or start + timedelta(days=DEFAULT_RANGE_DAYS)
    if end < start:
        raise invalid_field("to", "must not be before from")
    if (end - start).days > MAX_RANGE_DAYS:
        raise invalid_field("to", f"the range may span at most {MAX_RANGE_DAYS} days")
    return start, end


def service_types_for(service_type: ServiceType | None) -> tuple[ServiceType, ...] | None:
    """Sessions that offer a type: those of that type and those offering both (None: any)."""
    if service_type is None:
        return None
    if service_type is ServiceType.BOTH:
        return (ServiceType.BOTH,)
    return (service_type, ServiceType.BOTH)


def occurrence(
    session: Session, day: date, override: DateOverride | None, held: Sequence[int], now: datetime
) -> Occurrence:
    start, end = window(session.plan, day, override)
    capacity = capacity_of(session.max_queue_size, override)
    cancelled = bool(override and override.cancelled)
    # A cancelled date has no place to offer: none available, no next start to estimate.
    number = None if cancelled else lowest_free_number(held, capacity)
    estimated = estimated_start(start, number, session.estimated_consultation_minutes) if number else None
    return Occurrence(
        session=session,
        date=day,
        start=start,
        end=end,
        capacity=capacity,
        booked=len(held),
        available=0 if cancelled else max(0, capacity - len(held)),
        estimated_start=max(estimated, now) if estimated else None,
        cancelled=cancelled,
        reason=override.reason if override else "",
    )


def occurrences(
    sessions: Sequence[Session],
    overrides: Mapping[tuple[uuid.UUID, date], DateOverride],
    held: Mapping[tuple[uuid.UUID, date], Sequence[int]],
    *,
    first: date,
    last: date,
    now: datetime,
) -> list[Occurrence]:
    """Every occurrence in [first, last] not yet over (cancelled ones shown, to say why), by start."""
    found = []
    for session in sessions:
        for day in dates(session.plan, first, last):
            item = occurrence(session, day, overrides.get((session.id, day)), held.get((session.id, day), []), now)
            if item.end > now or item.cancelled:
                found.append(item)
    return sorted(found, key=lambda o: (o.start, str(o.session.id)))


def calendar_range(first: date | None, days: int, today: date) -> tuple[date, date]:
    """The calendar's days: from `first` (today), `days` of them (30 by default), at most 60."""
    if days < 0 or days > MAX_RANGE_DAYS:
        raise invalid_field("days", f"must be between 1 and {MAX_RANGE_DAYS}")
    start = first or today
    return start, start + timedelta(days=(days or DEFAULT_CALENDAR_DAYS) - 1)


def calendar(occurrences: Sequence[Occurrence], first: date, last: date, now: datetime) -> list[CalendarDay]:
    """Per day: the doctor's occurrences, and why a day has no place (NO_SESSION, HOLIDAY, FULL)."""
    result = []
    day = first
    while day <= last:
        todays = [o for o in occurrences if o.date == day]
        open_places = [o for o in todays if not o.cancelled and o.available > 0 and o.end > now]
        if open_places:
            reason = ""
        elif not todays:
            reason = NO_SESSION
        elif all(o.cancelled for o in todays):
            reason = HOLIDAY
        else:
            reason = FULL
        result.append(CalendarDay(day, bool(open_places), reason, todays))
        day += timedelta(days=1)
    return result
