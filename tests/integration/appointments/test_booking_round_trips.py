"""What one booking costs in round trips to PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy.ext.asyncio import AsyncEngine

from services.appointments.domain.booking import Appointment, AppointmentType, BookingRequest, Status
from services.appointments.use_cases.appointments import Appointments
from services.common import tracing
from services.common.context import AccountStatus, Principal, Role
from services.common.db import create_engine, create_sessions
from services.common.event_catalogue import APPOINTMENT_BOOKED
from tests.integration.appointments.test_booking import create_session, seed_doctor, session_day
from tests.integration.conftest import AppointmentsHarness, AuthHarness, forge_token, round_trips, run_sql


@asynccontextmanager
async def one_connection_booking(
    appointments: AppointmentsHarness, auth: AuthHarness, days_ahead: int
) -> AsyncIterator[tuple[AsyncEngine, Callable[[], Awaitable[Appointment]]]]:
    """The booking use case on an engine of one connection, already used once (a new connection's
    first use also asks the server what it is), and a call that books a new patient on a session."""
    day = session_day(days_ahead)
    doctor_id = await seed_doctor(appointments)
    session = await create_session(appointments, forge_token(auth, doctor_id, "DOCTOR"), day)
    engine = create_engine(appointments.database_url, 1)
    use_cases = Appointments(create_sessions(engine), engine, pages=appointments.replicas[0].infra.pages)

    async def book_one() -> Appointment:
        patient = Principal(uuid.uuid4(), Role.PATIENT, AccountStatus.ACTIVE, token_id="")
        request = BookingRequest(uuid.UUID(session.id), day, None, AppointmentType.VIRTUAL, "", None)
        return await use_cases.book(patient, request)

    try:
        await book_one()
        yield engine, book_one
    finally:
        await engine.dispose()


async def test_a_booking_is_two_round_trips(appointments: AppointmentsHarness, auth: AuthHarness) -> None:
    """One reads the session with its override of the day, one runs the booking function (which also
    writes the history and the event): no BEGIN and no COMMIT of their own."""
    async with one_connection_booking(appointments, auth, days_ahead=13) as (engine, book_one):
        with round_trips(engine) as counted:
            booked = await book_one()
    assert (booked.queue_number, booked.status) == (2, Status.BOOKED)
    assert counted == [2]


@pytest.fixture
def traced() -> Iterator[InMemorySpanExporter]:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    yield exporter
    tracing.install(None)
    provider.shutdown()


async def test_a_traced_booking_is_still_two_round_trips_and_its_event_carries_the_trace(
    appointments: AppointmentsHarness, auth: AuthHarness, traced: InMemorySpanExporter
) -> None:
    """The booking function's traced overload takes the context as a parameter: no statement more."""
    async with one_connection_booking(appointments, auth, days_ahead=14) as (engine, book_one):
        with round_trips(engine) as counted, tracing.tracer().start_as_current_span("BookAppointment") as call:
            booked = await book_one()
    assert counted == [2]
    [producer] = [s for s in traced.get_finished_spans() if s.kind is SpanKind.PRODUCER and s.parent is not None
                  and s.parent.span_id == call.get_span_context().span_id]  # fmt: skip
    assert producer.name == f"create {APPOINTMENT_BOOKED.subject}"
    rows = await run_sql(
        appointments.database_url,
        "SELECT trace_context->>'traceparent' FROM outbox WHERE subject = :subject"
        " AND payload_json->'appointment'->>'id' = :id",
        subject=APPOINTMENT_BOOKED.subject,
        id=str(booked.id),
    )
    assert rows == [
        (f"00-{producer.context.trace_id:032x}-{producer.context.span_id:016x}-{producer.context.trace_flags:02x}",)
    ]
