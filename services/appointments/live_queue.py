"""The live-queue use cases: the queue of an occurrence, calling the next patient, a patient's position."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.appointments import lifecycle, queue, store
from services.appointments.booking import Status
from services.appointments.schedule import Clock, today_in, window
from services.appointments.scheduling import managed_session
from services.appointments.store import override_of, plan_of
from services.common.context import Principal
from services.common.db import Row, transaction
from services.common.errors import FailedPrecondition, NotYours


def place_of(row: Row) -> queue.Place:
    return queue.Place(
        row["id"], row["queue_number"], Status(row["status"]), row["actual_start_time"], row["actual_end_time"]
    )


@dataclass(frozen=True)
class QueueSnapshot:
    session_id: uuid.UUID
    day: date
    rows: dict[uuid.UUID, Row]
    view: queue.QueueView
    average: timedelta


class LiveQueue:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._now = clock

    async def _snapshot(self, session: AsyncSession, row: Row, day: date, *, lock: bool = False) -> QueueSnapshot:
        occurrence_start, _ = window(plan_of(row), day, override_of(await store.override(session, row["id"], day)))
        rows = await store.occurrence_appointments(session, row["id"], day, lock=lock)
        planned = timedelta(minutes=row["estimated_consultation_minutes"])
        places = [place_of(r) for r in rows]
        return QueueSnapshot(
            session_id=row["id"],
            day=day,
            rows={r["id"]: r for r in rows},
            view=queue.view(places, occurrence_start, planned, self._now()),
            average=queue.average_consultation(places, planned),
        )

    async def get_queue(self, viewer: Principal, session_id: uuid.UUID, day: date | None) -> QueueSnapshot:
        async with self._sessions() as session:
            row = await managed_session(session, viewer, session_id, lock=False)
            return await self._snapshot(session, row, day or today_in(row["time_zone"], self._now()))

    async def call_next(
        self, viewer: Principal, session_id: uuid.UUID, day: date | None, request_id: uuid.UUID | None = None
    ) -> Row:
        async with transaction(self._sessions) as session:
            row = await managed_session(session, viewer, session_id, lock=False)
            if row["doctor_id"] != viewer.user_id:
                raise NotYours()
            day = day or today_in(row["time_zone"], self._now())
            await store.lock_occurrence(session, session_id, day)
            if request_id is not None:
                earlier = await store.called_for(session, viewer.user_id, request_id)
                if earlier is not None:
                    repeated = await store.appointment(session, earlier)
                    assert repeated is not None
                    return repeated
            snapshot = await self._snapshot(session, row, day, lock=True)
            if snapshot.view.now_serving is not None:
                raise FailedPrecondition(
                    "finish the consultation in progress first",
                    reason="CONSULTATION_IN_PROGRESS",
                    metadata={"queueNumber": str(snapshot.view.now_serving.queue_number)},
                )
            chosen = queue.next_to_call([place_of(r) for r in snapshot.rows.values()])
            if chosen is None:
                raise FailedPrecondition("nobody is checked in", reason="QUEUE_EMPTY")
            after = await lifecycle.move(
                session, snapshot.rows[chosen.appointment_id], Status.IN_PROGRESS, actor_id=viewer.user_id,
                actor_role=viewer.role.value, values={"actual_start_time": self._now()},
            )  # fmt: skip
            if request_id is not None:
                await store.remember_call(session, viewer.user_id, request_id, chosen.appointment_id)
        return after

    async def position(self, viewer: Principal, appointment_id: uuid.UUID) -> tuple[Row, int, int, datetime | None]:
        """The appointment, patients ahead, the number now served (0: none) and the expected start."""
        async with self._sessions() as session:
            row = await store.appointment(session, appointment_id)
            if row is None or row["patient_id"] != viewer.user_id:
                raise NotYours()
            session_row = await store.session_row(session, row["session_id"])
            assert session_row is not None
            snapshot = await self._snapshot(session, session_row, row["appointment_date"])
        places = [place_of(r) for r in snapshot.rows.values()]
        mine = place_of(row)
        expected = dict(snapshot.view.waiting + snapshot.view.not_arrived).get(mine)
        serving = snapshot.view.now_serving.queue_number if snapshot.view.now_serving else 0
        return row, queue.patients_ahead(places, mine), serving, expected
