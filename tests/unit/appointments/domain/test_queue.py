from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.appointments.domain.booking import Status
from services.appointments.domain.errors import FinishConsultationFirst, QueueEmpty
from services.appointments.domain.queue import (
    Place,
    average_consultation,
    expected_starts,
    next_to_call,
    patients_ahead,
    position_of,
    queue_of,
    to_call,
    view,
)
from tests.unit.appointments.factories import WEDNESDAY, appointment

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


def test_the_doctor_calls_the_lowest_checked_in_number_once_nobody_is_being_seen() -> None:
    waiting = [appointment(queue_number=n, status=s) for n, s in ((1, Status.BOOKED), (3, Status.CHECKED_IN))]
    assert to_call(waiting) == waiting[1]
    with pytest.raises(FinishConsultationFirst) as raised:
        to_call([*waiting, appointment(queue_number=2, status=Status.IN_PROGRESS)])
    assert raised.value.metadata == {"queueNumber": "2"}
    with pytest.raises(QueueEmpty):
        to_call(waiting[:1])


def test_the_queue_and_a_patients_position_in_it() -> None:
    occurrence = [
        appointment(queue_number=1, status=Status.COMPLETED, actual_start_time=START, actual_end_time=at(20)),
        appointment(queue_number=2, status=Status.IN_PROGRESS, actual_start_time=at(20)),
        appointment(queue_number=3, status=Status.CHECKED_IN),
        appointment(queue_number=4, status=Status.BOOKED),
    ]
    now = START + timedelta(minutes=25)
    queue = queue_of(occurrence[0].session_id, WEDNESDAY, occurrence, occurrence_start=START, planned=PLANNED, now=now)
    assert queue.now_serving is not None
    assert (queue.now_serving.queue_number, queue.average_consultation) == (2, timedelta(minutes=20))
    assert [(e.queue_number, e.expected_start) for e in queue.waiting + queue.not_arrived] == [(3, at(40)), (4, at(60))]
    assert [(e.queue_number, e.patient_id) for e in queue.done] == [(1, occurrence[0].patient_id)]
    mine = position_of(occurrence[3], occurrence, START, PLANNED, now)
    assert (mine.patients_ahead, mine.now_serving, mine.expected_start) == (2, 2, at(60))
