"""Booking against real PostgreSQL through two running replicas: never overbooked, lowest free numbers."""

from __future__ import annotations

import asyncio
import gc
import random
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import nats
import pytest
from pulseone.appointments.v1 import appointments_pb2, appointments_pb2_grpc, resources_pb2
from pulseone.auth.v1 import auth_pb2
from pulseone.auth.v1 import events_pb2 as auth_events
from pulseone.video.v1 import events_pb2 as video_events

from scripts.stack import Nats
from services.appointments.use_cases.appointments import close_leftovers
from services.common.db import create_engine, create_sessions
from tests.integration.conftest import (
    AppointmentsHarness,
    AuthHarness,
    bearer,
    checked_out,
    eventually,
    forge_token,
    run_sql,
)
from tests.rpc import failure_of

ZONE = "Asia/Colombo"


async def sql(harness: AppointmentsHarness, statement: str, **values: object) -> list[Any]:
    return await run_sql(harness.database_url, statement, **values)


async def seed_doctor(harness: AppointmentsHarness, *, status: str = "ACTIVE") -> str:
    """A doctor in the service's directory, as auth and profile events would leave it."""
    doctor_id = uuid.uuid4()
    await sql(harness, "INSERT INTO accounts VALUES (:id, 'DOCTOR', :status, 1)", id=doctor_id, status=status)
    await sql(
        harness,
        "INSERT INTO doctors (id, first_name, last_name, specialization, consultation_fee, currency, time_zone,"
        " version) VALUES (:id, 'Gregory', 'House', 'Diagnostics', 2500.00, 'LKR', :zone, 1)",
        id=doctor_id,
        zone=ZONE,
    )
    return str(doctor_id)


def session_day(days_ahead: int = 2) -> date:
    return datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=days_ahead)


async def create_session(
    harness: AppointmentsHarness, token: str, day: date, capacity: int = 10, service_type: str = "VIRTUAL"
) -> resources_pb2.Session:
    session = resources_pb2.Session(
        day_of_week=resources_pb2.Session.DayOfWeek.Name(day.isoweekday()),
        session_start_time="09:00",
        session_end_time="17:00",
        service_type=service_type,
        max_queue_size=capacity,
        estimated_consultation_minutes=15,
    )
    return await harness.sessions().CreateSession(
        appointments_pb2.CreateSessionRequest(session=session), metadata=bearer(token)
    )


def book(
    harness: AppointmentsHarness, token: str, session_id: str, day: date | None, replica: int = 0, **fields: Any
) -> Any:
    request = appointments_pb2.BookAppointmentRequest(
        session_id=session_id,
        appointment_date=day.isoformat() if day else "",
        **{"appointment_type": "VIRTUAL", "chief_complaint": "headache", **fields},
    )
    return harness.appointments(replica).BookAppointment(request, metadata=bearer(token))


@pytest.fixture
async def doctor(appointments: AppointmentsHarness, auth: AuthHarness) -> tuple[str, str]:
    doctor_id = await seed_doctor(appointments)
    return doctor_id, forge_token(auth, doctor_id, "DOCTOR")


def patient(auth: AuthHarness) -> tuple[str, str]:
    patient_id = str(uuid.uuid4())
    return patient_id, forge_token(auth, patient_id, "PATIENT")


async def test_concurrent_bookings_through_two_replicas_never_overbook(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day()
    session = await create_session(appointments, doctor[1], day, capacity=10)
    patients = [patient(auth) for _ in range(40)]
    results = await asyncio.gather(
        *(book(appointments, token, session.id, day, replica=i % 2) for i, (_, token) in enumerate(patients)),
        return_exceptions=True,
    )
    booked = [r for r in results if isinstance(r, resources_pb2.Appointment)]
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert len(booked) == 10
    assert sorted(a.queue_number for a in booked) == list(range(1, 11))
    assert len(refused) == 30
    assert Counter(failure_of(r).reason for r in refused) == {"SESSION_FULL": 30}
    rows = await sql(
        appointments,
        "SELECT count(*), count(DISTINCT queue_number) FROM appointments"
        " WHERE session_id = :s AND status <> 'CANCELLED'",
        s=uuid.UUID(session.id),
    )
    assert tuple(rows[0]) == (10, 10)


async def test_a_cancelled_number_is_given_to_the_next_booking(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(3)
    session = await create_session(appointments, doctor[1], day, capacity=5)
    first = [await book(appointments, token, session.id, day) for _, token in [patient(auth) for _ in range(4)]]
    assert [a.queue_number for a in first] == [1, 2, 3, 4]
    third = first[2]
    cancelled = await appointments.appointments().CancelAppointment(
        appointments_pb2.CancelAppointmentRequest(appointment_id=third.id, reason="travel"), metadata=bearer(doctor[1])
    )
    assert (resources_pb2.Appointment.Status.Name(cancelled.status), cancelled.cancelled_by_role) == (
        "CANCELLED",
        "DOCTOR",
    )
    replacement = await book(appointments, patient(auth)[1], session.id, day)
    assert replacement.queue_number == 3
    assert replacement.estimated_wait_minutes == 30


async def test_one_active_appointment_per_patient_doctor_and_day(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(4)
    session = await create_session(appointments, doctor[1], day)
    _, token = patient(auth)
    await book(appointments, token, session.id, day)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await book(appointments, token, session.id, day, replica=1)
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.ALREADY_EXISTS, "ALREADY_BOOKED")


async def test_a_repeated_request_id_returns_the_first_booking(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(5)
    session = await create_session(appointments, doctor[1], day)
    _, token = patient(auth)
    request_id = str(uuid.uuid4())
    results = await asyncio.gather(
        *(book(appointments, token, session.id, day, replica=i % 2, request_id=request_id) for i in range(6))
    )
    assert len({r.id for r in results}) == 1
    rows = await sql(appointments, "SELECT count(*) FROM appointments WHERE request_id = :r", r=uuid.UUID(request_id))
    assert rows[0][0] == 1


async def test_without_a_date_the_next_occurrence_is_booked(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(6)
    session = await create_session(appointments, doctor[1], day)
    booked = await book(appointments, patient(auth)[1], session.id, None)
    today = datetime.now(ZoneInfo(ZONE)).date()
    expected = today + timedelta(days=(day.isoweekday() - today.isoweekday()) % 7)
    if expected == today and datetime.now(UTC) > datetime.combine(today, datetime.min.time(), ZoneInfo(ZONE)).replace(
        hour=17
    ):
        expected += timedelta(days=7)
    assert booked.appointment_date == expected.isoformat()
    assert (booked.fee, booked.currency, booked.doctor_name) == ("2500.00", "LKR", "Gregory House")


async def test_the_status_machine_and_its_history(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(7)
    session = await create_session(appointments, doctor[1], day)
    patient_id, token = patient(auth)
    booked = await book(appointments, token, session.id, day)
    api = appointments.appointments()
    doctor_token = bearer(doctor[1])
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await api.StartAppointment(
            appointments_pb2.StartAppointmentRequest(appointment_id=booked.id), metadata=doctor_token
        )
    assert failure_of(raised.value).reason == "INVALID_TRANSITION"
    await api.CheckInAppointment(
        appointments_pb2.CheckInAppointmentRequest(appointment_id=booked.id), metadata=doctor_token
    )
    await api.StartAppointment(
        appointments_pb2.StartAppointmentRequest(appointment_id=booked.id, actual_start_time="2030-01-01T09:05:00Z"),
        metadata=doctor_token,
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await api.CompleteAppointment(
            appointments_pb2.CompleteAppointmentRequest(
                appointment_id=booked.id, actual_end_time="2030-01-01T09:00:00Z"
            ),
            metadata=doctor_token,
        )
    assert failure_of(raised.value).fields == {"actualEndTime": "INVALID_FIELD"}
    done = await api.CompleteAppointment(
        appointments_pb2.CompleteAppointmentRequest(appointment_id=booked.id, actual_end_time="2030-01-01T09:20:00Z"),
        metadata=doctor_token,
    )
    assert resources_pb2.Appointment.Status.Name(done.status) == "COMPLETED"
    assert done.actual_end_time.ToDatetime() - done.actual_start_time.ToDatetime() == timedelta(minutes=15)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await api.CancelAppointment(
            appointments_pb2.CancelAppointmentRequest(appointment_id=booked.id), metadata=bearer(token)
        )
    assert failure_of(raised.value).reason == "INVALID_TRANSITION"
    changes = await api.ListStatusChanges(
        appointments_pb2.ListStatusChangesRequest(appointment_id=booked.id), metadata=bearer(token)
    )
    steps = [
        (
            resources_pb2.Appointment.Status.Name(c.from_status),
            resources_pb2.Appointment.Status.Name(c.to_status),
            c.actor_role,
        )
        for c in changes.status_changes
    ]
    assert steps == [
        ("STATUS_UNSPECIFIED", "BOOKED", "PATIENT"),
        ("BOOKED", "CHECKED_IN", "DOCTOR"),
        ("CHECKED_IN", "IN_PROGRESS", "DOCTOR"),
        ("IN_PROGRESS", "COMPLETED", "DOCTOR"),
    ]
    subjects = await sql(
        appointments, "SELECT subject FROM outbox WHERE subject LIKE 'pulseone.appointments.appointment.%' ORDER BY seq"
    )
    assert {s[0] for s in subjects} >= {
        "pulseone.appointments.appointment.booked",
        "pulseone.appointments.appointment.checked_in",
        "pulseone.appointments.appointment.started",
        "pulseone.appointments.appointment.completed",
    }
    assert patient_id


async def test_patients_cannot_see_or_cancel_others_appointments(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(8)
    session = await create_session(appointments, doctor[1], day)
    booked = await book(appointments, patient(auth)[1], session.id, day)
    _, stranger = patient(auth)
    api = appointments.appointments()
    for call in (
        api.GetAppointment(appointments_pb2.GetAppointmentRequest(appointment_id=booked.id), metadata=bearer(stranger)),
        api.CancelAppointment(
            appointments_pb2.CancelAppointmentRequest(appointment_id=booked.id), metadata=bearer(stranger)
        ),
        api.CheckInAppointment(
            appointments_pb2.CheckInAppointmentRequest(appointment_id=booked.id), metadata=bearer(stranger)
        ),
        api.GetAppointment(
            appointments_pb2.GetAppointmentRequest(appointment_id=str(uuid.uuid4())), metadata=bearer(stranger)
        ),
    ):
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await call
        assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
    other_doctor = forge_token(auth, await seed_doctor(appointments), "DOCTOR")
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await appointments.sessions().DeactivateSession(
            appointments_pb2.DeactivateSessionRequest(session_id=session.id), metadata=bearer(other_doctor)
        )
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_sessions_follow_the_rules(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(9)
    # The seed's example: BOTH without a clinic is refused clearly.
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await create_session(appointments, doctor[1], day, service_type="BOTH")
    assert failure_of(raised.value).fields == {"serviceType": "CLINIC_REQUIRED"}
    await create_session(appointments, doctor[1], day)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await create_session(appointments, doctor[1], day)
    assert failure_of(raised.value).reason == "SESSION_OVERLAP"
    pending = forge_token(
        auth, await seed_doctor(appointments, status="PENDING_APPROVAL"), "DOCTOR", "PENDING_APPROVAL"
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await create_session(appointments, pending, day)
    assert failure_of(raised.value).reason == "ACCOUNT_NOT_APPROVED"


async def test_a_page_token_from_one_replica_pages_on_the_other(
    appointments: AppointmentsHarness, doctor: tuple[str, str]
) -> None:
    """Replicas share the page-token key (settings), so a client may be balanced to any of them."""
    for days_ahead in (20, 21, 22):
        await create_session(appointments, doctor[1], session_day(days_ahead))
    request = appointments_pb2.ListSessionsRequest(doctor_id=doctor[0], page_size=1)
    whole = await appointments.sessions().ListSessions(
        appointments_pb2.ListSessionsRequest(doctor_id=doctor[0]), metadata=bearer(doctor[1])
    )
    walked, tokens = [], []
    for replica in range(3):
        page = await appointments.sessions(replica % 2).ListSessions(request, metadata=bearer(doctor[1]))
        walked += [s.id for s in page.sessions]
        tokens.append(page.next_page_token)
        request.page_token = page.next_page_token
    assert walked == [s.id for s in whole.sessions][:3]
    other_filters = appointments_pb2.ListSessionsRequest(doctor_id=doctor[0], active_only=True, page_token=tokens[0])
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await appointments.sessions(1).ListSessions(other_filters, metadata=bearer(doctor[1]))
    assert failure_of(raised.value).fields == {"pageToken": "INVALID_PAGE_TOKEN"}


async def test_a_cancelled_date_cancels_its_bookings_and_refuses_new_ones(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(10)
    session = await create_session(appointments, doctor[1], day)
    booked = await book(appointments, patient(auth)[1], session.id, day)
    override = resources_pb2.SessionOverride(date=day.isoformat(), cancelled=True, reason="public holiday")
    await appointments.sessions().CreateOverride(
        appointments_pb2.CreateOverrideRequest(session_id=session.id, override=override), metadata=bearer(doctor[1])
    )
    rows = await sql(
        appointments, "SELECT status, cancellation_reason FROM appointments WHERE id = :id", id=uuid.UUID(booked.id)
    )
    assert tuple(rows[0]) == ("CANCELLED", "public holiday")
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await book(appointments, patient(auth)[1], session.id, day)
    assert failure_of(raised.value).reason == "OCCURRENCE_CANCELLED"
    availability = await appointments.sessions().ListAvailability(
        appointments_pb2.ListAvailabilityRequest(doctor_id=doctor[0], to=(day + timedelta(days=1)).isoformat()),
        metadata=bearer(doctor[1]),
    )
    cancelled = [o for o in availability.occurrences if o.date == day.isoformat()]
    assert [(o.cancelled, o.cancellation_reason) for o in cancelled] == [(True, "public holiday")]


async def test_the_live_queue(appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]) -> None:
    day = datetime.now(ZoneInfo(ZONE)).date()
    session = await create_session(appointments, doctor[1], day + timedelta(days=7))
    # Today's occurrence: the session recurs weekly, so book a week ahead and look at that date.
    target = day + timedelta(days=7)
    patients = [patient(auth) for _ in range(3)]
    booked = [await book(appointments, token, session.id, target) for _, token in patients]
    queue_api = appointments.queues()
    doctor_meta = bearer(doctor[1])
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await queue_api.CallNext(
            appointments_pb2.CallNextRequest(session_id=session.id, date=target.isoformat()), metadata=doctor_meta
        )
    assert failure_of(raised.value).reason == "QUEUE_EMPTY"
    api = appointments.appointments()
    for appointment in (booked[2], booked[1]):
        await api.CheckInAppointment(
            appointments_pb2.CheckInAppointmentRequest(appointment_id=appointment.id), metadata=doctor_meta
        )
    request_id = str(uuid.uuid4())
    called = await queue_api.CallNext(
        appointments_pb2.CallNextRequest(session_id=session.id, date=target.isoformat(), request_id=request_id),
        metadata=doctor_meta,
    )
    assert called.queue_number == 2
    # A retry of the same call returns the same appointment and starts nobody else.
    retried = await queue_api.CallNext(
        appointments_pb2.CallNextRequest(session_id=session.id, date=target.isoformat(), request_id=request_id),
        metadata=doctor_meta,
    )
    assert retried.id == called.id
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await queue_api.CallNext(
            appointments_pb2.CallNextRequest(session_id=session.id, date=target.isoformat()), metadata=doctor_meta
        )
    assert failure_of(raised.value).reason == "CONSULTATION_IN_PROGRESS"
    view = await queue_api.GetQueue(
        appointments_pb2.GetQueueRequest(session_id=session.id, date=target.isoformat()), metadata=doctor_meta
    )
    assert view.now_serving.queue_number == 2
    assert [e.queue_number for e in view.waiting] == [3]
    assert [e.queue_number for e in view.not_arrived] == [1]
    position = await queue_api.GetPosition(
        appointments_pb2.GetPositionRequest(appointment_id=booked[2].id), metadata=bearer(patients[2][1])
    )
    assert (position.queue_number, position.patients_ahead, position.now_serving) == (3, 2, 2)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await queue_api.GetPosition(
            appointments_pb2.GetPositionRequest(appointment_id=booked[2].id), metadata=bearer(patients[0][1])
        )
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED


async def test_consultation_notes_and_the_patients_history(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(11)
    session = await create_session(appointments, doctor[1], day)
    patient_id, patient_token = patient(auth)
    booked = await book(appointments, patient_token, session.id, day)
    api, notes_api = appointments.appointments(), appointments.notes()
    doctor_meta = bearer(doctor[1])
    write = appointments_pb2.UpdateNotesRequest(
        appointment_id=booked.id,
        notes=resources_pb2.ConsultationNotes(diagnosis="migraine", vital_signs={"bloodPressure": "120/80"}),
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await notes_api.UpdateNotes(write, metadata=doctor_meta)
    assert failure_of(raised.value).reason == "INVALID_TRANSITION"
    await api.CheckInAppointment(
        appointments_pb2.CheckInAppointmentRequest(appointment_id=booked.id), metadata=doctor_meta
    )
    await api.StartAppointment(appointments_pb2.StartAppointmentRequest(appointment_id=booked.id), metadata=doctor_meta)
    written = await notes_api.UpdateNotes(write, metadata=doctor_meta)
    assert (written.diagnosis, dict(written.vital_signs)) == ("migraine", {"bloodPressure": "120/80"})
    partial = await notes_api.UpdateNotes(
        appointments_pb2.UpdateNotesRequest(
            appointment_id=booked.id, notes=resources_pb2.ConsultationNotes(treatment_plan="rest")
        ),
        metadata=doctor_meta,
    )
    assert (partial.diagnosis, partial.treatment_plan) == ("migraine", "rest")
    await api.CompleteAppointment(
        appointments_pb2.CompleteAppointmentRequest(appointment_id=booked.id), metadata=doctor_meta
    )
    read = await notes_api.GetNotes(
        appointments_pb2.GetNotesRequest(appointment_id=booked.id), metadata=bearer(patient_token)
    )
    assert read.diagnosis == "migraine"
    other_id = await seed_doctor(appointments)
    other = bearer(forge_token(auth, other_id, "DOCTOR"))
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await notes_api.GetNotes(appointments_pb2.GetNotesRequest(appointment_id=booked.id), metadata=other)
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
    await sql(
        appointments, "INSERT INTO consents VALUES (:p, :d, true, 1)", p=uuid.UUID(patient_id), d=uuid.UUID(other_id)
    )
    assert (
        await notes_api.GetNotes(appointments_pb2.GetNotesRequest(appointment_id=booked.id), metadata=other)
    ).diagnosis == "migraine"
    # A day later the notes are locked; corrections are appended.
    appointments.clock.advance(timedelta(hours=25))
    try:
        with pytest.raises(grpc.aio.AioRpcError) as raised:
            await notes_api.UpdateNotes(write, metadata=doctor_meta)
        assert failure_of(raised.value).reason == "NOTES_LOCKED"
        amended = await notes_api.AddAddendum(
            appointments_pb2.AddAddendumRequest(appointment_id=booked.id, text="also dehydrated"), metadata=doctor_meta
        )
        assert amended.locked
        assert [a.text for a in amended.addenda] == ["also dehydrated"]
    finally:
        appointments.clock.advance(-timedelta(hours=25))
    history = await notes_api.ListPatientHistory(
        appointments_pb2.ListPatientHistoryRequest(patient_id=patient_id), metadata=bearer(patient_token)
    )
    assert [(e.appointment.id, e.notes.diagnosis) for e in history.appointments] == [(booked.id, "migraine")]
    # A doctor without a care relationship with the patient sees nothing at all.
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await notes_api.ListPatientHistory(
            appointments_pb2.ListPatientHistoryRequest(patient_id=patient_id), metadata=other
        )
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
    audit = await sql(appointments, "SELECT count(*) FROM audit_entries WHERE resource_id = :id", id=booked.id)
    assert audit[0][0] >= 4


async def test_rescheduling_books_the_new_date_and_cancels_the_old_in_one_step(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(12)
    session = await create_session(appointments, doctor[1], day, capacity=1)
    _, token = patient(auth)
    booked = await book(appointments, token, session.id, day)
    api = appointments.appointments()
    later = day + timedelta(days=7)
    moved = await api.RescheduleAppointment(
        appointments_pb2.RescheduleAppointmentRequest(appointment_id=booked.id, appointment_date=later.isoformat()),
        metadata=bearer(token),
    )
    assert (moved.appointment_date, moved.rescheduled_from_id, moved.queue_number) == (later.isoformat(), booked.id, 1)
    old = await api.GetAppointment(
        appointments_pb2.GetAppointmentRequest(appointment_id=booked.id), metadata=bearer(token)
    )
    assert (resources_pb2.Appointment.Status.Name(old.status), old.cancellation_reason) == ("CANCELLED", "rescheduled")
    # The freed place can be booked again; a move into a full occurrence changes nothing.
    other = await book(appointments, patient(auth)[1], session.id, day)
    assert other.queue_number == 1
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await api.RescheduleAppointment(
            appointments_pb2.RescheduleAppointmentRequest(appointment_id=moved.id, appointment_date=day.isoformat()),
            metadata=bearer(token),
        )
    assert failure_of(raised.value).reason == "SESSION_FULL"
    still = await api.GetAppointment(
        appointments_pb2.GetAppointmentRequest(appointment_id=moved.id), metadata=bearer(token)
    )
    assert resources_pb2.Appointment.Status.Name(still.status) == "BOOKED"


async def test_session_changes_that_would_move_patients_are_refused(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(13)
    session = await create_session(appointments, doctor[1], day)
    booked = await book(appointments, patient(auth)[1], session.id, day)
    await book(appointments, patient(auth)[1], session.id, day)
    sessions = appointments.sessions()
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await sessions.UpdateSession(
            appointments_pb2.UpdateSessionRequest(
                session_id=session.id, session=resources_pb2.Session(session_start_time="10:00")
            ),
            metadata=bearer(doctor[1]),
        )
    assert failure_of(raised.value).reason == "SESSION_HAS_BOOKINGS"
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await sessions.UpdateSession(
            appointments_pb2.UpdateSessionRequest(
                session_id=session.id, session=resources_pb2.Session(max_queue_size=1)
            ),
            metadata=bearer(doctor[1]),
        )
    assert failure_of(raised.value).reason == "CAPACITY_BELOW_BOOKINGS"
    updated = await sessions.UpdateSession(
        appointments_pb2.UpdateSessionRequest(
            session_id=session.id, session=resources_pb2.Session(estimated_consultation_minutes=30, max_queue_size=20)
        ),
        metadata=bearer(doctor[1]),
    )
    assert (updated.estimated_consultation_minutes, updated.max_queue_size, updated.session_start_time) == (
        30,
        20,
        "09:00",
    )
    rows = await sql(
        appointments,
        "SELECT queue_number, estimated_start_time FROM appointments WHERE session_id = :s ORDER BY queue_number",
        s=uuid.UUID(session.id),
    )
    assert rows[1][1] - rows[0][1] == timedelta(minutes=30)
    assert booked.queue_number == 1


async def test_the_doctor_records_actual_times(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(14)
    session = await create_session(appointments, doctor[1], day)
    _, token = patient(auth)
    booked = await book(appointments, token, session.id, day)
    api = appointments.appointments()
    request = appointments_pb2.UpdateAppointmentRequest(
        appointment_id=booked.id, actual_start_time="2030-01-01T09:00:00Z", actual_end_time="2030-01-01T08:00:00Z"
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await api.UpdateAppointment(request, metadata=bearer(doctor[1]))
    assert failure_of(raised.value).fields == {"actualEndTime": "INVALID_FIELD"}
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await api.UpdateAppointment(request, metadata=bearer(token))
    assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
    updated = await api.UpdateAppointment(
        appointments_pb2.UpdateAppointmentRequest(appointment_id=booked.id, chief_complaint="migraine"),
        metadata=bearer(doctor[1]),
    )
    assert updated.chief_complaint == "migraine"


async def test_the_calendar_says_why_a_day_has_no_place(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(15)
    session = await create_session(appointments, doctor[1], day, capacity=1)
    await book(appointments, patient(auth)[1], session.id, day)
    holiday = day + timedelta(days=7)
    await appointments.sessions().CreateOverride(
        appointments_pb2.CreateOverrideRequest(
            session_id=session.id,
            override=resources_pb2.SessionOverride(date=holiday.isoformat(), cancelled=True, reason="leave"),
        ),
        metadata=bearer(doctor[1]),
    )
    calendar = await appointments.sessions().GetCalendar(
        appointments_pb2.GetCalendarRequest(doctor_id=doctor[0], days=31), metadata=bearer(doctor[1])
    )
    reasons = {d.date: resources_pb2.CalendarDay.Unavailability.Name(d.unavailable_reason) for d in calendar.days}
    assert len(calendar.days) == 31
    assert reasons[day.isoformat()] == "FULL"
    assert reasons[holiday.isoformat()] == "HOLIDAY"
    assert reasons[(day + timedelta(days=1)).isoformat()] == "NO_SESSION"
    assert reasons[(day + timedelta(days=14)).isoformat()] == "UNAVAILABILITY_UNSPECIFIED"


async def test_the_calendar_of_a_doctor_nobody_knows_is_not_found(
    appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    """Doctors are directory data (SPEC 1): an unknown id is NOT_FOUND, not a month without sessions."""
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await appointments.sessions().GetCalendar(
            appointments_pb2.GetCalendarRequest(doctor_id=str(uuid.uuid4())), metadata=bearer(patient(auth)[1])
        )
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "DOCTOR_NOT_FOUND")


async def test_a_patient_does_not_see_the_calendar_of_a_doctor_awaiting_approval(
    appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    """SPEC: patients only ever see verified doctors (GET /api/doctors/{id} is 404 for them)."""
    pending = await seed_doctor(appointments, status="PENDING_APPROVAL")
    request = appointments_pb2.GetCalendarRequest(doctor_id=pending, days=7)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await appointments.sessions().GetCalendar(request, metadata=bearer(patient(auth)[1]))
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "DOCTOR_NOT_FOUND")
    admin = forge_token(auth, str(uuid.uuid4()), "SYSTEM_ADMIN")
    assert len((await appointments.sessions().GetCalendar(request, metadata=bearer(admin))).days) == 7


async def test_what_is_left_open_two_hours_after_the_session_is_closed(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(16)
    session = await create_session(appointments, doctor[1], day)
    booked = [await book(appointments, token, session.id, day) for _, token in [patient(auth) for _ in range(2)]]
    await appointments.appointments().CheckInAppointment(
        appointments_pb2.CheckInAppointmentRequest(appointment_id=booked[1].id), metadata=bearer(doctor[1])
    )
    ours = {"a": uuid.UUID(booked[0].id), "b": uuid.UUID(booked[1].id)}
    query = (
        "SELECT status, cancellation_reason, cancelled_by_role FROM appointments"
        " WHERE id IN (:a, :b) ORDER BY queue_number"
    )
    engine = create_engine(appointments.database_url, 2)
    try:
        sessions = create_sessions(engine)
        end = datetime.combine(day, datetime.min.time(), ZoneInfo(ZONE)).replace(hour=17)
        await close_leftovers(sessions, end + timedelta(hours=1))
        assert [r[0] for r in await sql(appointments, query, **ours)] == ["BOOKED", "CHECKED_IN"]
        await close_leftovers(sessions, end + timedelta(hours=2, minutes=1))
    finally:
        await engine.dispose()
    rows = await sql(appointments, query, **ours)
    assert [tuple(r) for r in rows] == [("NO_SHOW", "", ""), ("CANCELLED", "NOT_SEEN", "SYSTEM")]


async def test_a_suspended_doctors_future_appointments_are_cancelled(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str], nats_server: Nats
) -> None:
    day = session_day(17)
    session = await create_session(appointments, doctor[1], day)
    booked = await book(appointments, patient(auth)[1], session.id, day)
    event = auth_events.UserSuspended(
        user=auth_pb2.User(id=doctor[0], role="DOCTOR", status="SUSPENDED"), reason="licence review"
    )
    event.metadata.event_id = str(uuid.uuid4())
    event.metadata.entity_version = 2
    event.metadata.actor_role = "SYSTEM_ADMIN"
    client = await nats.connect(nats_server.url)
    try:
        await client.jetstream().publish(
            "pulseone.auth.user.suspended", event.SerializeToString(), headers={"Nats-Msg-Id": event.metadata.event_id}
        )
    finally:
        await client.close()

    async def cancelled() -> None:
        rows = await sql(
            appointments, "SELECT status, cancelled_by_role FROM appointments WHERE id = :id", id=uuid.UUID(booked.id)
        )
        assert tuple(rows[0]) == ("CANCELLED", "SYSTEM_ADMIN")

    await eventually(cancelled)


async def publish_event(nats_url: str, subject: str, event: Any) -> None:
    event.metadata.event_id = str(uuid.uuid4())
    event.metadata.entity_version = 1
    client = await nats.connect(nats_url)
    try:
        await client.jetstream().publish(
            subject, event.SerializeToString(), headers={"Nats-Msg-Id": event.metadata.event_id}
        )
    finally:
        await client.close()


async def test_the_video_service_links_its_session_and_its_end_completes_the_visit(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str], nats_server: Nats
) -> None:
    day = session_day(18)
    session = await create_session(appointments, doctor[1], day)
    patient_id, token = patient(auth)
    booked = await book(appointments, token, session.id, day)
    video_id = str(uuid.uuid4())
    await publish_event(
        nats_server.url,
        "pulseone.video.session.created",
        video_events.VideoSessionCreated(
            session_id=video_id, appointment_id=booked.id, doctor_id=doctor[0], patient_id=patient_id
        ),
    )
    api = appointments.appointments()

    async def linked() -> None:
        found = await api.GetAppointment(
            appointments_pb2.GetAppointmentRequest(appointment_id=booked.id), metadata=bearer(token)
        )
        assert found.video_session_id == video_id

    await eventually(linked)

    async def joined(role: str, participant: str, expected: str) -> None:
        event = video_events.ParticipantJoined(
            session_id=video_id, appointment_id=booked.id, participant_id=participant, role=role
        )
        event.join_time.FromDatetime(datetime(2030, 1, 1, 9, 0, tzinfo=UTC))
        await publish_event(nats_server.url, "pulseone.video.participant.joined", event)

        async def reached() -> None:
            # Handled, not merely published: the replicas' consumers share the events, so a join
            # that changes nothing (BOOKED) could otherwise still be pending when the next one lands.
            handled = await sql(appointments, "SELECT 1 FROM inbox WHERE event_id = :id", id=event.metadata.event_id)
            assert handled
            request = appointments_pb2.GetAppointmentRequest(appointment_id=booked.id)
            found = await api.GetAppointment(request, metadata=bearer(token))
            assert resources_pb2.Appointment.Status.Name(found.status) == expected

        await eventually(reached)

    # The doctor joining first starts nothing; the patient joining checks in; then the doctor starts it.
    await joined("DOCTOR", doctor[0], "BOOKED")
    await joined("PATIENT", patient_id, "CHECKED_IN")
    await joined("DOCTOR", doctor[0], "IN_PROGRESS")
    ended = video_events.VideoSessionEnded(session_id=video_id, appointment_id=booked.id)
    ended.start_time.FromDatetime(datetime(2030, 1, 1, 9, 0, tzinfo=UTC))
    ended.end_time.FromDatetime(datetime(2030, 1, 1, 9, 25, tzinfo=UTC))
    await publish_event(nats_server.url, "pulseone.video.session.ended", ended)

    async def completed() -> None:
        found = await api.GetAppointment(
            appointments_pb2.GetAppointmentRequest(appointment_id=booked.id), metadata=bearer(token)
        )
        assert resources_pb2.Appointment.Status.Name(found.status) == "COMPLETED"
        assert found.actual_end_time.ToDatetime() - found.actual_start_time.ToDatetime() == timedelta(minutes=25)

    await eventually(completed)


async def test_the_join_that_makes_both_present_starts_the_visit_whichever_joined_first(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str], nats_server: Nats
) -> None:
    day = session_day(19)
    session = await create_session(appointments, doctor[1], day)
    patient_id, token = patient(auth)
    booked = await book(appointments, token, session.id, day)
    video_id, started = str(uuid.uuid4()), datetime(2030, 1, 1, 9, 3, tzinfo=UTC)
    # A session of another doctor that names this appointment is never linked, and its events move
    # nothing; then the appointment's own session.
    intruder, other_doctor = str(uuid.uuid4()), str(uuid.uuid4())
    for session_id, doctor_id in ((intruder, other_doctor), (video_id, doctor[0])):
        created = video_events.VideoSessionCreated(
            session_id=session_id, appointment_id=booked.id, doctor_id=doctor_id, patient_id=patient_id
        )
        await publish_event(nats_server.url, "pulseone.video.session.created", created)
    forged = video_events.ParticipantJoined(
        session_id=intruder, appointment_id=booked.id, participant_id=patient_id, role="PATIENT"
    )
    forged.join_time.FromDatetime(started)
    await publish_event(nats_server.url, "pulseone.video.participant.joined", forged)

    async def linked() -> None:
        request = appointments_pb2.GetAppointmentRequest(appointment_id=booked.id)
        found = await appointments.appointments().GetAppointment(request, metadata=bearer(token))
        assert (found.video_session_id, resources_pb2.Appointment.Status.Name(found.status)) == (video_id, "BOOKED")

    await eventually(linked)
    doctor_joins = video_events.ParticipantJoined(
        session_id=video_id, appointment_id=booked.id, participant_id=doctor[0], role="DOCTOR"
    )
    await publish_event(nats_server.url, "pulseone.video.participant.joined", doctor_joins)
    patient_joins = video_events.ParticipantJoined(
        session_id=video_id, appointment_id=booked.id, participant_id=patient_id, role="PATIENT"
    )
    patient_joins.join_time.FromDatetime(started)
    patient_joins.consultation_start_time.FromDatetime(started)
    await publish_event(nats_server.url, "pulseone.video.participant.joined", patient_joins)

    async def in_progress() -> None:
        request = appointments_pb2.GetAppointmentRequest(appointment_id=booked.id)
        found = await appointments.appointments().GetAppointment(request, metadata=bearer(token))
        assert resources_pb2.Appointment.Status.Name(found.status) == "IN_PROGRESS"
        assert found.actual_start_time.ToDatetime(tzinfo=UTC) == started

    await eventually(in_progress)


async def hang_up_mid_flight(harness: AppointmentsHarness, auth: AuthHarness, session_id: str, day: date) -> None:
    """Fifty bookings, one every half millisecond, each on a connection of its own that the client
    closes up to two milliseconds after sending: the calls end at every stage of their work."""
    calls, hang_ups = [], []

    async def hang_up(channel: grpc.aio.Channel) -> None:
        await asyncio.sleep(random.random() / 500)
        await channel.close()

    for i in range(50):
        channel = grpc.aio.insecure_channel(f"127.0.0.1:{harness.replicas[i % 2].port}")
        request = appointments_pb2.BookAppointmentRequest(
            session_id=session_id, appointment_date=day.isoformat(), appointment_type="VIRTUAL"
        )
        stub = appointments_pb2_grpc.AppointmentServiceStub(channel)
        calls.append(stub.BookAppointment(request, metadata=bearer(patient(auth)[1])))
        hang_ups.append(asyncio.ensure_future(hang_up(channel)))
        await asyncio.sleep(0.0005)
    await asyncio.gather(*calls, *hang_ups, return_exceptions=True)


async def test_bookings_cancelled_mid_flight_release_their_connections_at_once(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    """Clients hanging up is normal for gRPC: a cancelled call gives its connection back to the pool
    at once (not when the garbage collector finds it), leaves no transaction open, and a booking
    either happened whole (history and event) or not at all."""
    day = session_day(12)
    session = await create_session(appointments, doctor[1], day, capacity=100)
    for _ in range(30):
        await hang_up_mid_flight(appointments, auth, session.id, day)

    async def released() -> None:
        assert [checked_out(r.infra.engine) for r in appointments.replicas] == [0, 0]
        idle_in_transaction = await sql(
            appointments,
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND state LIKE 'idle in transaction%'",
        )
        assert idle_in_transaction[0][0] == 0

    await eventually(released, timeout=2)
    gc.collect()
    assert "non-checked-in connection" not in caplog.text
    next_week = await book(appointments, patient(auth)[1], session.id, day + timedelta(days=7))
    assert (next_week.queue_number, resources_pb2.Appointment.Status.Name(next_week.status)) == (1, "BOOKED")
    counts = await sql(
        appointments,
        "SELECT count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM appointment_history h WHERE h.appointment_id = a.id)"
        "   OR NOT EXISTS (SELECT 1 FROM outbox o WHERE position(convert_to(a.id::text, 'UTF8')"
        "     IN coalesce(o.payload, convert_to(o.payload_json::text, 'UTF8'))) > 0)),"
        " count(*), count(DISTINCT queue_number)"
        " FROM appointments a WHERE session_id = :s AND appointment_date = :d",
        s=uuid.UUID(session.id),
        d=day,
    )
    incomplete, booked, numbers = counts[0]
    assert (incomplete, numbers) == (0, booked)
    assert booked <= 100


async def test_availability_counts_what_holds_a_place_and_honours_each_filter(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(17)
    virtual = await create_session(appointments, doctor[1], day, capacity=3)
    kept = await book(appointments, patient(auth)[1], virtual.id, day)
    dropped = await book(appointments, patient(auth)[1], virtual.id, day)
    await appointments.appointments().CancelAppointment(
        appointments_pb2.CancelAppointmentRequest(appointment_id=dropped.id, reason="travel"),
        metadata=bearer(doctor[1]),
    )
    wider = day + timedelta(days=7)
    await appointments.sessions().CreateOverride(
        appointments_pb2.CreateOverrideRequest(
            session_id=virtual.id, override=resources_pb2.SessionOverride(date=wider.isoformat(), max_queue_size=5)
        ),
        metadata=bearer(doctor[1]),
    )

    async def occurrences(**filters: Any) -> dict[str, tuple[int, int, int]]:
        request = appointments_pb2.ListAvailabilityRequest(to=wider.isoformat(), **filters)
        found = await appointments.sessions().ListAvailability(request, metadata=bearer(doctor[1]))
        return {o.date: (o.capacity, o.booked, o.available) for o in found.occurrences if o.session_id == virtual.id}

    shown = await occurrences(doctor_id=doctor[0])
    assert kept.queue_number == 1
    assert shown[day.isoformat()] == (3, 1, 2)
    assert shown[wider.isoformat()] == (5, 0, 5)
    assert await occurrences(doctor_id=doctor[0], service_type="VIRTUAL") == shown
    assert await occurrences(doctor_id=doctor[0], service_type="IN_PERSON") == {}
    assert await occurrences(doctor_id=str(uuid.uuid4())) == {}


async def test_other_hours_for_a_date_move_its_bookings_expected_starts_and_say_so(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    """SPEC: estimatedStartTime = occurrence start (override start if any) + (queueNumber - 1) x
    minutes; each move is published (`updated`), so the video session moves with it."""
    day = session_day(12)
    session = await create_session(appointments, doctor[1], day)  # 09:00-17:00, 15 minutes each
    first = await book(appointments, patient(auth)[1], session.id, day)
    second = await book(appointments, patient(auth)[1], session.id, day)
    zone = ZoneInfo(ZONE)

    async def expected_starts() -> list[datetime]:
        starts = []
        for booked in (first, second):
            found = await appointments.appointments().GetAppointment(
                appointments_pb2.GetAppointmentRequest(appointment_id=booked.id), metadata=bearer(doctor[1])
            )
            starts.append(found.estimated_start_time.ToDatetime(tzinfo=UTC).astimezone(zone).replace(tzinfo=None))
        return starts

    async def updates_published(appointment_id: str) -> int:
        rows = await sql(
            appointments,
            "SELECT count(*) FROM outbox WHERE subject = 'pulseone.appointments.appointment.updated'"
            " AND position(convert_to(:id, 'UTF8') in payload) > 0",
            id=appointment_id,
        )
        return int(rows[0][0])

    late = resources_pb2.SessionOverride(date=day.isoformat(), start_time="13:00", end_time="17:00", reason="late")
    await appointments.sessions().CreateOverride(
        appointments_pb2.CreateOverrideRequest(session_id=session.id, override=late), metadata=bearer(doctor[1])
    )
    at = datetime.combine(day, datetime.min.time())
    assert await expected_starts() == [at.replace(hour=13), at.replace(hour=13, minute=15)]
    assert [await updates_published(b.id) for b in (first, second)] == [1, 1]

    await appointments.sessions().DeleteOverride(
        appointments_pb2.DeleteOverrideRequest(session_id=session.id, date=day.isoformat()), metadata=bearer(doctor[1])
    )
    assert await expected_starts() == [at.replace(hour=9), at.replace(hour=9, minute=15)]
    assert [await updates_published(b.id) for b in (first, second)] == [2, 2]
