from __future__ import annotations

from datetime import date, time, timedelta

import pytest

from services.appointments.domain.availability import (
    availability_range,
    calendar,
    calendar_range,
    occurrence,
    occurrences,
    service_types_for,
)
from services.appointments.domain.schedule import DateOverride, ServiceType
from services.common.errors import InvalidArgument
from tests.unit.appointments.factories import NINE_LOCAL, WEDNESDAY, session

BEFORE = NINE_LOCAL - timedelta(days=1)


def test_an_occurrence_shows_its_places_and_when_the_next_patient_would_be_seen() -> None:
    weekly = session(max_queue_size=3, estimated_consultation_minutes=15)
    found = occurrence(weekly, WEDNESDAY, None, [1, 3], BEFORE)
    assert (found.capacity, found.booked, found.available) == (3, 2, 1)
    assert found.estimated_start == NINE_LOCAL + timedelta(minutes=15)  # number 2 is free
    full = occurrence(weekly, WEDNESDAY, None, [1, 2, 3], BEFORE)
    assert (full.available, full.estimated_start) == (0, None)
    # Never expected in the past: once the session runs, the next free place is seen from now on.
    assert occurrence(weekly, WEDNESDAY, None, [], NINE_LOCAL + timedelta(minutes=40)).estimated_start == (
        NINE_LOCAL + timedelta(minutes=40)
    )


def test_an_override_changes_capacity_and_a_cancelled_date_says_why() -> None:
    weekly = session(max_queue_size=3)
    assert occurrence(weekly, WEDNESDAY, DateOverride(capacity=5), [1, 2, 3], BEFORE).available == 2
    holiday = occurrence(weekly, WEDNESDAY, DateOverride(cancelled=True, reason="holiday"), [], BEFORE)
    assert (holiday.cancelled, holiday.reason) == (True, "holiday")
    assert (holiday.available, holiday.estimated_start) == (0, None)  # nothing to book there


def test_occurrences_over_are_left_out_unless_cancelled_and_the_rest_come_by_start() -> None:
    at_nine, at_seven = session(), session(session_start_time=time(7, 0))
    over = WEDNESDAY - timedelta(days=7)
    found = occurrences(
        [at_nine, at_seven],
        {(at_seven.id, over): DateOverride(cancelled=True)},
        {},
        first=over,
        last=WEDNESDAY,
        now=BEFORE,
    )
    assert [(o.session.id, o.date) for o in found] == [
        (at_seven.id, over),
        (at_seven.id, WEDNESDAY),
        (at_nine.id, WEDNESDAY),
    ]


def test_the_calendar_says_why_a_day_has_no_place() -> None:
    weekly = session(max_queue_size=1)
    week = [
        occurrence(weekly, WEDNESDAY, None, [1], BEFORE),
        occurrence(weekly, WEDNESDAY + timedelta(days=7), DateOverride(cancelled=True), [], BEFORE),
        occurrence(weekly, WEDNESDAY + timedelta(days=14), None, [], BEFORE),
    ]
    days = calendar(week, WEDNESDAY, WEDNESDAY + timedelta(days=14), BEFORE)
    reasons = {d.date: (d.available, d.unavailable_reason) for d in days}
    assert len(days) == 15
    assert reasons[WEDNESDAY] == (False, "FULL")
    assert reasons[WEDNESDAY + timedelta(days=1)] == (False, "NO_SESSION")
    assert reasons[WEDNESDAY + timedelta(days=7)] == (False, "HOLIDAY")
    assert reasons[WEDNESDAY + timedelta(days=14)] == (True, "")


def test_ranges_default_and_are_bounded() -> None:
    today = date(2026, 12, 1)
    assert availability_range(None, None, today) == (today, today + timedelta(days=6))
    assert availability_range(today, today + timedelta(days=60), today)[1] == today + timedelta(days=60)
    for last in (today - timedelta(days=1), today + timedelta(days=61)):
        with pytest.raises(InvalidArgument):
            availability_range(today, last, today)
    assert calendar_range(None, 0, today) == (today, today + timedelta(days=29))
    with pytest.raises(InvalidArgument):
        calendar_range(None, 61, today)


def test_a_type_is_offered_by_its_sessions_and_by_those_offering_both() -> None:
    assert service_types_for(None) is None
    assert service_types_for(ServiceType.VIRTUAL) == (ServiceType.VIRTUAL, ServiceType.BOTH)
    assert service_types_for(ServiceType.BOTH) == (ServiceType.BOTH,)
