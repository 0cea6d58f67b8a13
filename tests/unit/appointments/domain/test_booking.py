from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.appointments.domain.booking import (
    TRANSITIONS,
    Status,
    check_bookable,
    check_transition,
    estimated_start,
    lowest_free_number,
    type_fits,
)
from services.appointments.domain.schedule import DateOverride, ServiceType, SessionPlan
from services.common.errors import FailedPrecondition, InvalidArgument

PLAN = SessionPlan(3, time(9, 0), time(12, 0), date(2026, 1, 1), None, "Asia/Colombo")
WEDNESDAY = date(2026, 12, 2)


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 30)), max_size=80), st.integers(1, 12))
def test_queue_numbers_under_any_sequence_of_bookings_and_cancellations(
    ops: list[tuple[bool, int]], capacity: int
) -> None:
    held: list[int] = []
    for is_booking, pick in ops:
        if is_booking:
            number = lowest_free_number(held, capacity)
            if len(held) >= capacity:
                assert number is None
                continue
            assert number is not None
            assert number == min(set(range(1, capacity + 1)) - set(held))
            held.append(number)
        elif held:
            held.pop(pick % len(held))
        assert len(held) == len(set(held)) <= capacity
        assert all(1 <= n <= capacity for n in held)


def test_estimated_start_adds_a_consultation_per_place_ahead() -> None:
    start = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
    assert estimated_start(start, 1, 15) == start
    assert estimated_start(start, 4, 15) == start + timedelta(minutes=45)


def test_the_status_machine() -> None:
    assert TRANSITIONS[Status.BOOKED] == {Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW}
    for terminal in (Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW):
        for target in Status:
            with pytest.raises(FailedPrecondition) as raised:
                check_transition(terminal, target)
            assert raised.value.reason == "INVALID_TRANSITION"
    check_transition(Status.IN_PROGRESS, Status.CANCELLED)
    with pytest.raises(FailedPrecondition):
        check_transition(Status.IN_PROGRESS, Status.NO_SHOW)


def test_types_fit_service_types() -> None:
    assert type_fits(ServiceType.BOTH, "VIRTUAL")
    assert type_fits(ServiceType.IN_PERSON, "IN_PERSON")
    assert not type_fits(ServiceType.VIRTUAL, "IN_PERSON")


def test_bookable_dates() -> None:
    before = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    check_bookable(PLAN, WEDNESDAY, None, before)
    with pytest.raises(InvalidArgument):
        check_bookable(PLAN, WEDNESDAY + timedelta(days=1), None, before)
    with pytest.raises(FailedPrecondition) as raised:
        check_bookable(PLAN, WEDNESDAY, DateOverride(cancelled=True, reason="holiday"), before)
    assert raised.value.reason == "OCCURRENCE_CANCELLED"
    # 12:00 in Colombo is 06:30 UTC: after that the occurrence is over.
    with pytest.raises(FailedPrecondition) as raised:
        check_bookable(PLAN, WEDNESDAY, None, datetime(2026, 12, 2, 6, 31, tzinfo=UTC))
    assert raised.value.reason == "OCCURRENCE_OVER"
    with pytest.raises(FailedPrecondition) as raised:
        check_bookable(PLAN, WEDNESDAY, None, datetime(2026, 12, 3, 0, 0, tzinfo=UTC))
    assert raised.value.reason == "DATE_IN_PAST"
