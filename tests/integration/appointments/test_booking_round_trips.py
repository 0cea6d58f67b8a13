"""What one booking costs in round trips to PostgreSQL, counted from libpq's trace of the messages."""

from __future__ import annotations

import contextlib
import itertools
import tempfile
import uuid
from collections.abc import Iterator
from typing import IO, Any

import sqlalchemy as sa
from psycopg import pq
from sqlalchemy.ext.asyncio import AsyncEngine

from services.appointments.domain.booking import Appointment, AppointmentType, BookingRequest, Status
from services.appointments.use_cases.appointments import Appointments
from services.common.context import AccountStatus, Principal, Role
from services.common.db import create_engine, create_sessions
from tests.integration.appointments.test_booking import create_session, seed_doctor, session_day
from tests.integration.conftest import AppointmentsHarness, AuthHarness, forge_token


def round_trips_of(trace: IO[str]) -> int:
    """Each reply (B) to what the client sent (F) since the last reply ends one round trip."""
    directions = [line[0] for line in trace if line.startswith(("F\t", "B\t"))]  # not a query's later lines
    return sum(1 for sent, received in itertools.pairwise(directions) if (sent, received) == ("F", "B"))


@contextlib.contextmanager
def round_trips(engine: AsyncEngine) -> Iterator[list[int]]:
    """The round trips of each connection the engine's pool hands out while the block runs, traced
    from its checkout to its checkin (when the pool has reset it)."""
    counted: list[int] = []
    traces: dict[int, IO[str]] = {}

    def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        trace = traces[id(record)] = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed at checkin
        record.driver_connection.pgconn.trace(trace.fileno())
        record.driver_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

    def checkin(dbapi_connection: Any, record: Any) -> None:
        record.driver_connection.pgconn.untrace()  # flushes the trace
        with traces.pop(id(record)) as trace:
            trace.seek(0)
            counted.append(round_trips_of(trace))

    sa.event.listen(engine.sync_engine, "checkout", checkout)
    sa.event.listen(engine.sync_engine, "checkin", checkin)
    try:
        yield counted
    finally:
        sa.event.remove(engine.sync_engine, "checkout", checkout)
        sa.event.remove(engine.sync_engine, "checkin", checkin)


async def test_a_booking_is_two_round_trips(appointments: AppointmentsHarness, auth: AuthHarness) -> None:
    """One reads the session with its override of the day, one runs the booking function (which also
    writes the history and the event): no BEGIN and no COMMIT of their own."""
    day = session_day(13)
    doctor_id = await seed_doctor(appointments)
    session = await create_session(appointments, forge_token(auth, doctor_id, "DOCTOR"), day)
    engine = create_engine(appointments.database_url, 1)
    use_cases = Appointments(create_sessions(engine), engine, pages=appointments.replicas[0].infra.pages)

    async def book_one() -> Appointment:
        patient = Principal(uuid.uuid4(), Role.PATIENT, AccountStatus.ACTIVE, token_id="")
        request = BookingRequest(uuid.UUID(session.id), day, None, AppointmentType.VIRTUAL, "", None)
        return await use_cases.book(patient, request)

    try:
        await book_one()  # a new connection's first use also asks the server what it is
        with round_trips(engine) as counted:
            booked = await book_one()
    finally:
        await engine.dispose()
    assert (booked.queue_number, booked.status) == (2, Status.BOOKED)
    assert counted == [2]
