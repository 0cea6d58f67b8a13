"""Every call of a clinical route is on the audit trail, allowed or refused, with the resources it read."""

from __future__ import annotations

import asyncio
import uuid

import grpc
import pytest
from pulseone.appointments.v1 import appointments_pb2, resources_pb2

from tests.integration.appointments.test_booking import book, create_session, patient, seed_doctor, session_day, sql
from tests.integration.conftest import AppointmentsHarness, AuthHarness, bearer, forge_token


@pytest.fixture
async def doctor(appointments: AppointmentsHarness, auth: AuthHarness) -> tuple[str, str]:
    doctor_id = await seed_doctor(appointments)
    return doctor_id, forge_token(auth, doctor_id, "DOCTOR")


async def trail(harness: AppointmentsHarness, actor: str) -> set[tuple[str, str, str, str]]:
    rows = await sql(
        harness,
        "SELECT action, resource_type, resource_id, outcome FROM audit_entries WHERE actor_id = :actor",
        actor=uuid.UUID(actor),
    )
    return {tuple(r) for r in rows}


async def test_reads_of_an_appointment_are_recorded_whether_allowed_or_refused(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(4)
    session = await create_session(appointments, doctor[1], day)
    owner_id, owner = patient(auth)
    stranger_id, stranger = patient(auth)
    booked = await book(appointments, owner, session.id, day)
    history = appointments_pb2.ListStatusChangesRequest(appointment_id=booked.id)
    await appointments.appointments().ListStatusChanges(history, metadata=bearer(owner))
    await appointments.queues().GetPosition(
        appointments_pb2.GetPositionRequest(appointment_id=booked.id), metadata=bearer(owner)
    )
    with pytest.raises(grpc.aio.AioRpcError):
        await appointments.appointments().ListStatusChanges(history, metadata=bearer(stranger))
    with pytest.raises(grpc.aio.AioRpcError):
        await appointments.appointments().GetAppointment(
            appointments_pb2.GetAppointmentRequest(appointment_id=str(uuid.uuid4())), metadata=bearer(stranger)
        )

    assert await trail(appointments, owner_id) >= {
        ("CREATE", "appointment", booked.id, "ALLOWED"),
        ("READ_HISTORY", "appointment", booked.id, "ALLOWED"),
        ("READ_POSITION", "appointment", booked.id, "ALLOWED"),
    }
    stranger_trail = await trail(appointments, stranger_id)
    assert ("READ_HISTORY", "appointment", booked.id, "DENIED") in stranger_trail
    assert any(action == "READ" and outcome == "DENIED" for action, _, _, outcome in stranger_trail)


async def test_the_doctors_queue_notes_and_refused_changes_are_recorded(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(5)
    session = await create_session(appointments, doctor[1], day)
    _, owner = patient(auth)
    booked = await book(appointments, owner, session.id, day)
    doctor_id, doctor_token = doctor
    await appointments.queues().GetQueue(
        appointments_pb2.GetQueueRequest(session_id=session.id, date=day.isoformat()), metadata=bearer(doctor_token)
    )
    await appointments.appointments().UpdateAppointment(
        appointments_pb2.UpdateAppointmentRequest(appointment_id=booked.id, doctor_notes="allergic to penicillin"),
        metadata=bearer(doctor_token),
    )
    with pytest.raises(grpc.aio.AioRpcError) as raised:  # notes only once the consultation started
        await appointments.notes().UpdateNotes(
            appointments_pb2.UpdateNotesRequest(
                appointment_id=booked.id, notes=resources_pb2.ConsultationNotes(diagnosis="flu")
            ),
            metadata=bearer(doctor_token),
        )
    assert raised.value.code() is grpc.StatusCode.FAILED_PRECONDITION

    assert await trail(appointments, doctor_id) >= {
        ("READ_QUEUE", "session", session.id, "ALLOWED"),
        ("READ_QUEUE", "appointment", booked.id, "ALLOWED"),
        ("UPDATE", "appointment", booked.id, "ALLOWED"),
        ("UPDATE", "notes", booked.id, "REFUSED"),
    }


async def test_a_list_read_is_recorded_as_the_appointments_it_returned(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    first_day, second_day = session_day(8), session_day(9)
    first = await create_session(appointments, doctor[1], first_day)
    second = await create_session(appointments, doctor[1], second_day)
    owner_id, owner = patient(auth)
    booked = [
        await book(appointments, owner, first.id, first_day),
        await book(appointments, owner, second.id, second_day),
    ]
    listed = await appointments.appointments().ListAppointments(
        appointments_pb2.ListAppointmentsRequest(patient_id=owner_id), metadata=bearer(owner)
    )
    assert {a.id for a in listed.appointments} == {a.id for a in booked}
    lists = {(kind, r, o) for action, kind, r, o in await trail(appointments, owner_id) if action == "LIST"}
    assert lists == {
        ("patient", owner_id, "ALLOWED"),
        ("appointment", booked[0].id, "ALLOWED"),
        ("appointment", booked[1].id, "ALLOWED"),
    }


async def test_a_change_is_on_the_trail_before_it_runs_and_its_outcome_follows(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(10)
    session = await create_session(appointments, doctor[1], day)
    owner_id, owner = patient(auth)
    booked = await book(appointments, owner, session.id, day)
    await appointments.appointments().CancelAppointment(
        appointments_pb2.CancelAppointmentRequest(appointment_id=booked.id, reason="better"), metadata=bearer(owner)
    )
    rows = await sql(
        appointments,
        "SELECT outcome, resource_type, resource_id FROM audit_entries"
        " WHERE actor_id = :actor AND action = 'CANCEL' ORDER BY id",
        actor=uuid.UUID(owner_id),
    )
    assert [tuple(r) for r in rows] == [
        ("STARTED", "appointment", booked.id),
        ("ALLOWED", "appointment", booked.id),
    ]
    calls = await sql(
        appointments,
        "SELECT count(DISTINCT call_id), count(*) FILTER (WHERE call_id IS NULL) FROM audit_entries"
        " WHERE actor_id = :actor AND action = 'CANCEL'",
        actor=uuid.UUID(owner_id),
    )
    assert tuple(calls[0]) == (1, 0)


async def test_ids_that_are_not_ids_never_reach_the_trail_nor_cost_others_their_record(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(11)
    session = await create_session(appointments, doctor[1], day)
    attacker_id, attacker = patient(auth)
    owner_id, owner = patient(auth)
    booked = await book(appointments, owner, session.id, day)
    hostile = [
        appointments.appointments().GetAppointment(
            appointments_pb2.GetAppointmentRequest(appointment_id=f"x\x00{i}"), metadata=bearer(attacker)
        )
        for i in range(20)
    ]
    honest = [
        appointments.appointments().GetAppointment(
            appointments_pb2.GetAppointmentRequest(appointment_id=booked.id), metadata=bearer(owner)
        )
        for _ in range(20)
    ]
    results = await asyncio.gather(*hostile, *honest, return_exceptions=True)
    assert all(isinstance(r, grpc.aio.AioRpcError) for r in results[:20])
    assert all(isinstance(r, resources_pb2.Appointment) for r in results[20:]), results[20:]
    assert await trail(appointments, attacker_id) == {("READ", "appointment", "?", "REFUSED")}
    owner_reads = await sql(
        appointments,
        "SELECT count(*) FROM audit_entries WHERE actor_id = :actor AND action = 'READ' AND resource_id = :id",
        actor=uuid.UUID(owner_id),
        id=booked.id,
    )
    assert owner_reads[0][0] == 20


async def test_each_entry_names_the_patient_whose_data_it_is(
    appointments: AppointmentsHarness, auth: AuthHarness, doctor: tuple[str, str]
) -> None:
    day = session_day(12)
    session = await create_session(appointments, doctor[1], day)
    owner_id, owner = patient(auth)
    stranger_id, stranger = patient(auth)
    booked = await book(appointments, owner, session.id, day)
    doctor_id, doctor_token = doctor
    await appointments.appointments().GetAppointment(
        appointments_pb2.GetAppointmentRequest(appointment_id=booked.id), metadata=bearer(doctor_token)
    )
    await appointments.queues().GetQueue(
        appointments_pb2.GetQueueRequest(session_id=session.id, date=day.isoformat()), metadata=bearer(doctor_token)
    )
    with pytest.raises(grpc.aio.AioRpcError):  # someone else's history: refused, still about that patient
        await appointments.notes().ListPatientHistory(
            appointments_pb2.ListPatientHistoryRequest(patient_id=owner_id), metadata=bearer(stranger)
        )

    rows = await sql(
        appointments,
        "SELECT actor_id, action, resource_type, outcome FROM audit_entries WHERE patient_id = :patient",
        patient=uuid.UUID(owner_id),
    )
    found = {(str(actor), action, kind, outcome) for actor, action, kind, outcome in rows}
    assert found >= {
        (owner_id, "CREATE", "appointment", "ALLOWED"),
        (doctor_id, "READ", "appointment", "ALLOWED"),
        (doctor_id, "READ_QUEUE", "appointment", "ALLOWED"),
        (stranger_id, "READ_HISTORY", "patient", "DENIED"),
    }
    session_entries = await sql(
        appointments,
        "SELECT patient_id FROM audit_entries WHERE resource_id = :session AND action = 'READ_QUEUE'",
        session=session.id,
    )
    assert [tuple(r) for r in session_entries] == [(None,)]
