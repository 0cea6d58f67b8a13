"""Live queue rules (pure): who is served, who waits, and when each is expected to start."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.appointments.booking import Status


@dataclass(frozen=True)
class Place:
    """One appointment of an occurrence, as the queue sees it."""

    appointment_id: uuid.UUID
    queue_number: int
    status: Status
    actual_start: datetime | None = None
    actual_end: datetime | None = None


@dataclass(frozen=True)
class QueueView:
    now_serving: Place | None
    waiting: list[tuple[Place, datetime]]  # checked in, in queue order
    not_arrived: list[tuple[Place, datetime]]  # booked, in queue order
    done: list[Place]


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
    active = (Status.BOOKED, Status.CHECKED_IN, Status.IN_PROGRESS)
    return sum(1 for p in places if p.status in active and p.queue_number < mine.queue_number)
