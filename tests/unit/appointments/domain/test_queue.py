from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from services.appointments.domain.booking import Status
from services.appointments.domain.queue import (
    Place,
    average_consultation,
    expected_starts,
    next_to_call,
    patients_ahead,
    view,
)

START = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
PLANNED = timedelta(minutes=15)


def at(minutes: int | None) -> datetime | None:
    return START + timedelta(minutes=minutes) if minutes is not None else None


def place(number: int, status: Status, started: int | None = None, ended: int | None = None) -> Place:
    return Place(uuid.uuid4(), number, status, at(started), at(ended))


def test_before_the_session_everyone_is_expected_on_schedule() -> None:
    places = [place(1, Status.BOOKED), place(2, Status.CHECKED_IN), place(3, Status.BOOKED)]
    expected = expected_starts(places, START, PLANNED, START - timedelta(hours=1))
    assert [expected[p.appointment_id] for p in places] == [START, START + PLANNED, START + 2 * PLANNED]


def test_actual_durations_replace_the_plan() -> None:
    places = [place(1, Status.COMPLETED, 0, 30), place(2, Status.IN_PROGRESS, 30), place(3, Status.CHECKED_IN)]
    assert average_consultation(places, PLANNED) == timedelta(minutes=30)
    expected = expected_starts(places, START, PLANNED, START + timedelta(minutes=35))
    assert expected[places[2].appointment_id] == START + timedelta(minutes=60)


def test_cancellations_and_no_shows_take_no_time_and_nobody_is_expected_in_the_past() -> None:
    places = [place(1, Status.NO_SHOW), place(3, Status.BOOKED)]
    now = START + timedelta(minutes=10)
    assert expected_starts(places, START, PLANNED, now)[places[1].appointment_id] == now


def test_the_lowest_checked_in_number_is_called_and_late_arrivals_wait() -> None:
    places = [place(1, Status.BOOKED), place(2, Status.CHECKED_IN), place(3, Status.CHECKED_IN)]
    assert next_to_call(places) == places[1]
    assert next_to_call([place(1, Status.BOOKED)]) is None


def test_the_view_sorts_people_into_serving_waiting_not_arrived_and_done() -> None:
    places = [
        place(4, Status.BOOKED),
        place(1, Status.COMPLETED, 0, 10),
        place(2, Status.IN_PROGRESS, 10),
        place(3, Status.CHECKED_IN),
    ]
    queue = view(places, START, PLANNED, START + timedelta(minutes=12))
    assert queue.now_serving == places[2]
    assert [p.queue_number for p, _ in queue.waiting] == [3]
    assert [p.queue_number for p, _ in queue.not_arrived] == [4]
    assert [p.queue_number for p in queue.done] == [1]
    assert patients_ahead(places, places[0]) == 2
