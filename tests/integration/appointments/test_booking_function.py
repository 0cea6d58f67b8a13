"""The booking function (SQL) against what Python says: the event it writes is the one messages.py
builds from the stored appointment, and the queue number it takes is the one the specification in
domain/booking.py gives."""

from __future__ import annotations

import contextlib
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import nats
import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pulseone.appointments.v1 import appointments_pb2, events_pb2, resources_pb2

from scripts.stack import Nats
from services.appointments import messages
from services.appointments.domain.booking import lowest_free_number
from services.appointments.store import appointments as store
from services.common import event_catalogue as catalogue
from services.common.db import create_engine, create_sessions
from services.common.outbox import encoded, libpq_url
from tests.integration.appointments.test_booking import patient, sql
from tests.integration.conftest import AppointmentsHarness, AuthHarness, bearer, eventually, forge_token

BOOKED = catalogue.APPOINTMENT_BOOKED
NEW_YORK = "America/New_York"


async def seed_doctor_in(harness: AppointmentsHarness, zone: str) -> str:
    doctor_id = uuid.uuid4()
    await sql(harness, "INSERT INTO accounts VALUES (:id, 'DOCTOR', 'ACTIVE', 1)", id=doctor_id)
    await sql(
        harness,
        "INSERT INTO doctors (id, first_name, last_name, specialization, consultation_fee, currency, time_zone,"
        " version) VALUES (:id, 'Lisa', '', 'Endocrinology', 80.5, 'USD', :zone, 1)",
        id=doctor_id,
        zone=zone,
    )
    return str(doctor_id)


def next_spring_forward(zone: str) -> date:
    """The next date on which the zone's clocks jump forward (a DST gap inside the day)."""
    day = datetime.now(UTC).date() + timedelta(days=2)
    tz = ZoneInfo(zone)
    while True:
        before = datetime.combine(day, datetime.min.time(), tz).utcoffset()
        after = datetime.combine(day + timedelta(days=1), datetime.min.time(), tz).utcoffset()
        assert before is not None
        assert after is not None
        if after > before:
            return day
        day += timedelta(days=1)


async def stored(harness: AppointmentsHarness, appointment_id: str) -> Any:
    engine = create_engine(harness.database_url, 1)
    try:
        async with create_sessions(engine)() as db:
            return await store.appointment(db, uuid.UUID(appointment_id))
    finally:
        await engine.dispose()


async def published(nats_url: str, appointment_id: str) -> events_pb2.AppointmentChanged:
    """The `booked` event of an appointment as subscribers receive it from JetStream."""
    client = await nats.connect(nats_url)
    try:
        subscription = await client.jetstream().pull_subscribe(
            BOOKED.subject,
            stream="PULSEONE",
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
        )

        async def found() -> events_pb2.AppointmentChanged:
            with contextlib.suppress(TimeoutError):
                for message in await subscription.fetch(200, timeout=0.3):
                    event = BOOKED.decode(message.data)
                    if event.appointment.id == appointment_id:
                        return event
            raise AssertionError(f"no booked event of {appointment_id} yet")

        return await eventually(found)
    finally:
        await client.close()


async def assert_booked_event_is_pythons(
    harness: AppointmentsHarness, nats_url: str, booked: resources_pb2.Appointment, actor_id: str, request_id: str
) -> None:
    rows = await sql(
        harness,
        "SELECT event_id, subject, payload, payload_json FROM outbox"
        " WHERE payload_json -> 'appointment' ->> 'id' = :id",
        id=booked.id,
    )
    assert len(rows) == 1
    event_id, subject, payload, payload_json = rows[0]
    assert (subject, payload) == (BOOKED.subject, None)
    appointment = await stored(harness, booked.id)
    expected = events_pb2.AppointmentChanged(appointment=messages.appointment_message(appointment))
    # What the relay encodes from the outbox row, and what subscribers receive, are that event.
    for event in (BOOKED.decode(encoded(subject, payload, payload_json)), await published(nats_url, booked.id)):
        metadata = events_pb2.AppointmentChanged()
        metadata.metadata.CopyFrom(event.metadata)
        event.ClearField("metadata")
        assert event == expected
        m = metadata.metadata
        assert (m.event_id, m.entity_id, m.entity_version, m.actor_id, m.actor_role, m.request_id) == (
            str(event_id), booked.id, 1, actor_id, "PATIENT", request_id,
        )  # fmt: skip
        assert abs(m.occur_time.ToDatetime(tzinfo=UTC) - datetime.now(UTC)) < timedelta(minutes=1)
    # The reply is the row the function returned: the stored appointment, too.
    assert booked == messages.appointment_message(appointment)


async def test_the_booked_event_the_function_writes_is_the_one_python_builds(
    appointments: AppointmentsHarness, auth: AuthHarness, nats_server: Nats
) -> None:
    doctor_id = await seed_doctor_in(appointments, NEW_YORK)
    doctor_token = forge_token(auth, doctor_id, "DOCTOR")
    # A spring-forward date, hourly consultations from 00:30: the third patient is expected at 03:30
    # local time, 120 real minutes but 180 wall-clock minutes after the start.
    day = next_spring_forward(NEW_YORK)
    session = resources_pb2.Session(
        day_of_week=resources_pb2.Session.DayOfWeek.Name(day.isoweekday()),
        session_start_time="00:30",
        session_end_time="06:00",
        service_type="VIRTUAL",
        max_queue_size=5,
        estimated_consultation_minutes=60,
    )
    created = await appointments.sessions().CreateSession(
        appointments_pb2.CreateSessionRequest(session=session), metadata=bearer(doctor_token)
    )
    api = appointments.appointments()
    booked = []
    for complaint in ("", "headache", "dizzy"):
        patient_id, token = patient(auth)
        request_id = f"trace-{uuid.uuid4()}"
        reply = await api.BookAppointment(
            appointments_pb2.BookAppointmentRequest(
                session_id=created.id,
                appointment_date=day.isoformat(),
                appointment_type="VIRTUAL",
                chief_complaint=complaint,
                request_id=str(uuid.uuid4()),
            ),
            metadata=(*bearer(token), ("x-request-id", request_id)),
        )
        booked.append((reply, patient_id, request_id, token))
    assert [b[0].estimated_wait_minutes for b in booked] == [0, 60, 180]
    for reply, patient_id, request_id, _ in booked:
        await assert_booked_event_is_pythons(appointments, nats_server.url, reply, patient_id, request_id)
    # A rescheduled booking names the one it replaces.
    reply, patient_id, _, token = booked[1]
    request_id = f"trace-{uuid.uuid4()}"
    moved = await api.RescheduleAppointment(
        appointments_pb2.RescheduleAppointmentRequest(
            appointment_id=reply.id, appointment_date=(day + timedelta(days=7)).isoformat()
        ),
        metadata=(*bearer(token), ("x-request-id", request_id)),
    )
    assert moved.rescheduled_from_id == reply.id
    await assert_booked_event_is_pythons(appointments, nats_server.url, moved, patient_id, request_id)


async def in_person_session_at_a_clinic(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor_id: str, clinic: str, days_ahead: int
) -> tuple[resources_pb2.Session, date, uuid.UUID, uuid.UUID]:
    """An IN_PERSON session (09:00-12:00, 5 places) of an affiliated doctor at a new clinic in
    Colombo: the session, a date it occurs on, the clinic's id and its admin's."""
    clinic_id, admin_id = uuid.uuid4(), uuid.uuid4()
    await sql(
        appointments,
        "INSERT INTO clinics VALUES (:id, :admin, :name, 'Asia/Colombo', 'LKR', true, 1)",
        id=clinic_id,
        admin=admin_id,
        name=clinic,
    )
    await sql(
        appointments,
        "INSERT INTO affiliations VALUES (:clinic, :doctor, 'CONFIRMED', 1)",
        clinic=clinic_id,
        doctor=uuid.UUID(doctor_id),
    )
    day = datetime.now(ZoneInfo("Asia/Colombo")).date() + timedelta(days=days_ahead)
    session = resources_pb2.Session(
        clinic_id=str(clinic_id),
        day_of_week=resources_pb2.Session.DayOfWeek.Name(day.isoweekday()),
        session_start_time="09:00",
        session_end_time="12:00",
        service_type="IN_PERSON",
        max_queue_size=5,
        estimated_consultation_minutes=20,
    )
    created = await appointments.sessions().CreateSession(
        appointments_pb2.CreateSessionRequest(session=session),
        metadata=bearer(forge_token(auth, doctor_id, "DOCTOR")),
    )
    return created, day, clinic_id, admin_id


async def test_a_booking_at_a_clinic_carries_the_clinic_in_its_event(
    appointments: AppointmentsHarness, auth: AuthHarness, nats_server: Nats
) -> None:
    doctor_id = await seed_doctor_in(appointments, "Asia/Colombo")
    created, day, clinic_id, _ = await in_person_session_at_a_clinic(appointments, auth, doctor_id, "Lanka Clinic", 23)
    patient_id, token = patient(auth)
    request_id = f"trace-{uuid.uuid4()}"
    reply = await appointments.appointments().BookAppointment(
        appointments_pb2.BookAppointmentRequest(
            session_id=created.id, appointment_date=day.isoformat(), appointment_type="IN_PERSON"
        ),
        metadata=(*bearer(token), ("x-request-id", request_id)),
    )
    assert (reply.clinic_id, reply.clinic_name, reply.fee, reply.currency, reply.doctor_name) == (
        str(clinic_id), "Lanka Clinic", "80.50", "LKR", "Lisa",
    )  # fmt: skip
    await assert_booked_event_is_pythons(appointments, nats_server.url, reply, patient_id, request_id)


# The queue-number rule: SQL owns it, domain/booking.py specifies it.

BOOK = (
    "SELECT queue_number FROM book_appointment_with_event("
    " p_session_id => %(session)s, p_appointment_date => %(day)s, p_patient_id => %(patient)s,"
    " p_doctor_id => %(doctor)s, p_clinic_id => NULL, p_appointment_type => 'VIRTUAL', p_chief_complaint => '',"
    " p_capacity => %(capacity)s, p_occurrence_start => %(start)s, p_estimated_consultation_minutes => 10,"
    " p_fee => 0, p_currency => 'USD', p_booked_by => %(patient)s, p_request_id => NULL, p_actor_role => 'PATIENT',"
    " p_rescheduled_from_id => NULL, p_event_id => gen_random_uuid(), p_event_subject => %(subject)s,"
    " p_event_time => now(), p_event_request_id => '')"
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(st.booleans(), st.integers(0, 30)), min_size=1, max_size=25),
    st.integers(1, 6),
)
def test_the_function_takes_the_number_its_specification_gives(
    appointments: AppointmentsHarness, ops: list[tuple[bool, int]], capacity: int
) -> None:
    """Any sequence of bookings and cancellations: the function's number is `lowest_free_number`."""
    session_id, doctor_id, day = uuid.uuid4(), uuid.uuid4(), date(2031, 1, 6)
    with psycopg.connect(libpq_url(appointments.database_url), autocommit=True) as connection:
        connection.execute(
            "INSERT INTO sessions (id, doctor_id, day_of_week, session_start_time, session_end_time, service_type,"
            " max_queue_size, estimated_consultation_minutes, effective_from, active, time_zone, created_by, version)"
            " VALUES (%s, %s, 1, '09:00', '17:00', 'VIRTUAL', 100, 10, '2031-01-01', true, 'UTC', %s, 1)",
            (session_id, doctor_id, doctor_id),
        )
        held: dict[int, uuid.UUID] = {}
        for is_booking, pick in ops:
            if is_booking:
                expected = lowest_free_number(held, capacity)
                values = {
                    "session": session_id, "day": day, "patient": uuid.uuid4(), "doctor": doctor_id,
                    "capacity": capacity, "start": datetime(2031, 1, 6, 9, tzinfo=UTC), "subject": BOOKED.subject,
                }  # fmt: skip
                if expected is None:
                    with pytest.raises(psycopg.errors.RaiseException, match="SESSION_FULL"):
                        connection.execute(BOOK, values)
                    continue
                row = connection.execute(BOOK, values).fetchone()
                assert row is not None
                assert row[0] == expected
                held[row[0]] = values["patient"]  # type: ignore[assignment]
            elif held:
                number = sorted(held)[pick % len(held)]
                connection.execute(
                    "UPDATE appointments SET status = 'CANCELLED' WHERE session_id = %s AND patient_id = %s",
                    (session_id, held.pop(number)),
                )
