"""Live queue rules (pure): who is served, who waits, when each is expected to start, who is next."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from services.appointments.domain.booking import ACTIVE, Appointment, Status
from services.appointments.domain.errors import FinishConsultationFirst, QueueEmpty


@dataclass(frozen=True)
class Place:
    """One appointment of an occurrence, as the queue sees it."""

    appointment_id: uuid.UUID
    queue_number: int
    status: Status
    actual_start: datetime | None = None
    actual_end: datetime | None = None

    @classmethod
    def of(cls, appointment: Appointment) -> Place:
        return cls(
            appointment.id,
            appointment.queue_number,
            appointment.status,
            appointment.actual_start_time,
            appointment.actual_end_time,
        )


@dataclass(frozen=True)
class QueueView:
    now_serving: Place | None
    waiting: list[tuple[Place, datetime]]  # checked in, in queue order
    not_arrived: list[tuple[Place, datetime]]  # booked, in queue order
    done: list[Place]


@dataclass(frozen=True)
class QueueEntry:
    appointment_id: uuid.UUID
    queue_number: int
    patient_id: uuid.UUID
    status: Status
    expected_start: datetime | None
    actual_start: datetime | None


@dataclass(frozen=True)
class Queue:
    """The queue of one occurrence, as its doctor and clinic see it."""

    session_id: uuid.UUID
    date: date
    now_serving: QueueEntry | None
    waiting: list[QueueEntry]
    not_arrived: list[QueueEntry]
    done: list[QueueEntry]
    average_consultation: timedelta


@dataclass(frozen=True)
class Position:
    """Where a patient stands: patients ahead, the number now served (0: none), the expected start."""

    appointment_id: uuid.UUID
    queue_number: int
    status: Status
    patients_ahead: int
    now_serving: int
    expected_start: datetime | None


def average_consultation(places: Sequence[Place], planned: timedelta) -> timedelta:
    """The mean actual duration of the occurrence's completed consultations, else the planned one."""
    durations = [
        p.actual_end - p.actual_start
        for p in places
        if p.status is Status.COMPLETED and p.actual_start and p.actual_end and p.actual_end >= p.actual_start
    ]
    if not durations:
        return planned
    return sum(durations, timedelta()) / len(durations)


def expected_starts(
    places: Sequence[Place], occurrence_start: datetime, planned: timedelta, now: datetime
) -> dict[uuid.UUID, datetime]:
    """Expected start of every appointment not yet started, in queue order, never earlier than now.

    It starts from the schedule and follows what happens: the current consultation's actual start
    plus the average duration, cancellations and no-shows taking no time.
    """
    average = average_consultation(places, planned)
    cursor = max(now, occurrence_start)
    serving = next((p for p in places if p.status is Status.IN_PROGRESS), None)
    if serving is not None and serving.actual_start is not None:
        cursor = max(now, serving.actual_start + average)
    expected: dict[uuid.UUID, datetime] = {}
    for place in sorted(places, key=lambda p: p.queue_number):
        if place.status in (Status.BOOKED, Status.CHECKED_IN):
            expected[place.appointment_id] = cursor
            cursor += average
    return expected


def view(places: Sequence[Place], occurrence_start: datetime, planned: timedelta, now: datetime) -> QueueView:
    expected = expected_starts(places, occurrence_start, planned, now)
    ordered = sorted(places, key=lambda p: p.queue_number)
    return QueueView(
        now_serving=next((p for p in ordered if p.status is Status.IN_PROGRESS), None),
        waiting=[(p, expected[p.appointment_id]) for p in ordered if p.status is Status.CHECKED_IN],
        not_arrived=[(p, expected[p.appointment_id]) for p in ordered if p.status is Status.BOOKED],
        done=[p for p in ordered if p.status in (Status.COMPLETED, Status.NO_SHOW)],
    )


def next_to_call(places: Sequence[Place]) -> Place | None:
    """The lowest-numbered checked-in appointment."""
    waiting = [p for p in places if p.status is Status.CHECKED_IN]
    return min(waiting, key=lambda p: p.queue_number) if waiting else None


def patients_ahead(places: Sequence[Place], mine: Place) -> int:
    """Active appointments with a lower number: the ones still to be seen before this one."""
    return sum(1 for p in places if p.status in ACTIVE and p.queue_number < mine.queue_number)


def queue_of(
    session_id: uuid.UUID,
    day: date,
    appointments: Sequence[Appointment],
    *,
    occurrence_start: datetime,
    planned: timedelta,
    now: datetime,
) -> Queue:
    """The queue of an occurrence from its appointments (every one but the cancelled)."""
    places = [Place.of(a) for a in appointments]
    seen = view(places, occurrence_start, planned, now)
    by_id = {a.id: a for a in appointments}

    def entry(place: Place, expected: datetime | None = None) -> QueueEntry:
        appointment = by_id[place.appointment_id]
        return QueueEntry(
            appointment.id,
            appointment.queue_number,
            appointment.patient_id,
            appointment.status,
            expected,
            appointment.actual_start_time,
        )

    return Queue(
        session_id=session_id,
        date=day,
        now_serving=entry(seen.now_serving) if seen.now_serving is not None else None,
        waiting=[entry(p, at) for p, at in seen.waiting],
        not_arrived=[entry(p, at) for p, at in seen.not_arrived],
        done=[entry(p) for p in seen.done],
        average_consultation=average_consultation(places, planned),
    )


def position_of(
    mine: Appointment,
    occurrence: Sequence[Appointment],
    occurrence_start: datetime,
    planned: timedelta,
    now: datetime,
) -> Position:
    """A patient's place in the queue of their appointment's occurrence."""
    places = [Place.of(a) for a in occurrence]
    seen = view(places, occurrence_start, planned, now)
    place = Place.of(mine)
    expected = {p.appointment_id: at for p, at in seen.waiting + seen.not_arrived}.get(mine.id)
    return Position(
        appointment_id=mine.id,
        queue_number=mine.queue_number,
        status=mine.status,
        patients_ahead=patients_ahead(places, place),
        now_serving=seen.now_serving.queue_number if seen.now_serving else 0,
        expected_start=expected,
    )


def to_call(occurrence: Sequence[Appointment]) -> Appointment:
    """Whom the doctor calls next: the lowest-numbered checked-in patient, once nobody is being seen."""
    places = [Place.of(a) for a in occurrence]
    serving = next((p for p in sorted(places, key=lambda p: p.queue_number) if p.status is Status.IN_PROGRESS), None)
    if serving is not None:
        raise FinishConsultationFirst(serving.queue_number)
    chosen = next_to_call(places)
    if chosen is None:
        raise QueueEmpty()
    return next(a for a in occurrence if a.id == chosen.appointment_id)
