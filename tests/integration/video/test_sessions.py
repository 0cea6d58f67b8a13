"""Video sessions through two running replicas: made from VIRTUAL bookings or by a doctor, joined
by exactly their doctor and patient from 15 minutes before the start, ended by the doctor, with the
events the appointments service reacts to (SPEC 3.6; issue 10)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
from pulseone.appointments.v1 import appointments_pb2
from pulseone.appointments.v1 import events_pb2 as appointment_events
from pulseone.appointments.v1 import resources_pb2 as appointment_resources
from pulseone.video.v1 import video_pb2

from scripts.stack import Nats
from services.common import event_catalogue as catalogue
from services.common.outbox import encoded
from tests.integration.appointments.test_booking import book, create_session, seed_doctor, session_day
from tests.integration.conftest import (
    AppointmentsHarness,
    AuthHarness,
    VideoHarness,
    eventually,
    forge_token,
    publish,
    run_sql,
)
from tests.integration.video.conftest import Person, create, doctor_and_patient, join, person, soon
from tests.rpc import refusal


def appointment_event(
    appointment_id: str,
    doctor: str,
    patient: str,
    *,
    status: str = "BOOKED",
    virtual: bool = True,
    start: datetime | None = None,
    version: int = 1,
) -> bytes:
    appointment = appointment_resources.Appointment(
        id=appointment_id,
        doctor_id=doctor,
        patient_id=patient,
        status=status,
        appointment_type="VIRTUAL" if virtual else "IN_PERSON",
    )
    appointment.estimated_start_time.FromDatetime(start or soon(60))
    event = appointment_events.AppointmentChanged(appointment=appointment)
    event.metadata.event_id = str(uuid.uuid4())
    event.metadata.entity_id = appointment_id
    event.metadata.entity_version = version
    return event.SerializeToString()


async def sessions_of(video: VideoHarness, appointment_id: str) -> list[Any]:
    return await run_sql(
        video.database_url,
        "SELECT status, scheduled_start_time FROM video_sessions WHERE appointment_id = :id",
        id=appointment_id,
    )


async def video_events(video: VideoHarness, subject: str, session_id: str) -> list[Any]:
    rows = await run_sql(
        video.database_url,
        "SELECT subject, payload, payload_json FROM outbox WHERE subject = :s ORDER BY seq",
        s=subject,
    )
    decoded = [catalogue.CATALOGUE[subject].decode(encoded(*row)) for row in rows]
    return [e for e in decoded if e.session_id == session_id]  # type: ignore[attr-defined]


async def test_a_virtual_booking_gets_one_session_that_follows_its_appointment(
    video: VideoHarness, nats_server: Nats
) -> None:
    appointment_id, doctor, patient = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    start = datetime(2031, 5, 4, 9, 0, tzinfo=UTC)
    for _ in range(2):  # a redelivered booking (a new event id) makes no second session
        await publish(
            nats_server.url,
            catalogue.APPOINTMENT_BOOKED.subject,
            appointment_event(appointment_id, doctor, patient, start=start),
        )
    in_person = str(uuid.uuid4())
    await publish(
        nats_server.url,
        catalogue.APPOINTMENT_BOOKED.subject,
        appointment_event(in_person, doctor, patient, virtual=False),
    )

    async def made() -> None:
        assert await sessions_of(video, appointment_id) == [("SCHEDULED", start)]

    await eventually(made)
    [(session_id,)] = await run_sql(
        video.database_url, "SELECT id::text FROM video_sessions WHERE appointment_id = :id", id=appointment_id
    )
    [created] = await video_events(video, catalogue.VIDEO_SESSION_CREATED.subject, session_id)
    assert (created.appointment_id, created.doctor_id, created.patient_id) == (appointment_id, doctor, patient)
    assert await sessions_of(video, in_person) == []
    later = start + timedelta(minutes=20)
    await publish(
        nats_server.url,
        catalogue.APPOINTMENT_UPDATED.subject,
        appointment_event(appointment_id, doctor, patient, start=later, version=2),
    )

    async def moved() -> None:
        assert await sessions_of(video, appointment_id) == [("SCHEDULED", later)]

    await eventually(moved)
    await publish(
        nats_server.url,
        catalogue.APPOINTMENT_CANCELLED.subject,
        appointment_event(appointment_id, doctor, patient, status="CANCELLED", start=later, version=3),
    )

    async def cancelled() -> None:
        assert await sessions_of(video, appointment_id) == [("CANCELLED", later)]

    await eventually(cancelled)


async def test_only_its_participants_and_operators_read_a_session(video: VideoHarness, auth: AuthHarness) -> None:
    doctor, patient = await doctor_and_patient(video, auth)
    session = await create(video, doctor, patient, soon())
    assert (session.status, session.doctor_id, session.patient_id) == (1, doctor.user_id, patient.user_id)
    admin = await person(video, auth, "SYSTEM_ADMIN")
    for who in (doctor, patient, admin):
        request = video_pb2.GetVideoSessionRequest(session_id=session.id)
        assert (await video.stub(1).GetVideoSession(request, metadata=who.metadata)).id == session.id
    stranger = await person(video, auth, "PATIENT")
    for session_id, metadata in ((session.id, stranger.metadata), (str(uuid.uuid4()), doctor.metadata)):
        failure = await refusal(
            video.stub().GetVideoSession(video_pb2.GetVideoSessionRequest(session_id=session_id), metadata=metadata)
        )
        assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_OWNER")
    missing = video_pb2.GetVideoSessionRequest(session_id=str(uuid.uuid4()))
    failure = await refusal(video.stub().GetVideoSession(missing, metadata=admin.metadata))
    assert failure.reason == "VIDEO_SESSION_NOT_FOUND"


async def test_joining_opens_fifteen_minutes_before_and_both_present_start_the_consultation(
    video: VideoHarness, auth: AuthHarness
) -> None:
    doctor, patient = await doctor_and_patient(video, auth)
    session = await create(video, doctor, patient, soon(60))
    failure = await refusal(join(video, patient, session.id))
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "JOIN_NOT_OPEN")
    video.clock.advance(timedelta(minutes=46))
    try:
        stranger = await person(video, auth, "DOCTOR")
        failure = await refusal(join(video, stranger, session.id))
        assert failure.reason == "NOT_OWNER"
        first = await join(video, doctor, session.id)
        assert (first.participant_id, first.role, list(first.ice_servers)) == (doctor.user_id, "DOCTOR", [])
        assert first.session.status == 2  # ACTIVE
        assert not first.session.HasField("start_time")
        second = await join(video, patient, session.id, replica=1)
        assert second.session.HasField("start_time")
        assert [p.present for p in second.session.participants] == [True, True]
    finally:
        video.clock.advance(timedelta(minutes=-46))
    joins = await video_events(video, catalogue.VIDEO_PARTICIPANT_JOINED.subject, session.id)
    assert [(e.role, e.HasField("consultation_start_time")) for e in joins] == [("DOCTOR", False), ("PATIENT", True)]


async def test_the_doctor_ends_it_once_and_it_joins_the_history(video: VideoHarness, auth: AuthHarness) -> None:
    doctor, patient = await doctor_and_patient(video, auth)
    session = await create(video, doctor, patient)
    await join(video, doctor, session.id)
    await join(video, patient, session.id)
    end = video_pb2.EndVideoSessionRequest(session_id=session.id)
    failure = await refusal(video.stub().EndVideoSession(end, metadata=patient.metadata))
    assert failure.reason == "ROLE_NOT_ALLOWED"
    ended = await video.stub(1).EndVideoSession(end, metadata=doctor.metadata)
    assert (ended.status, [p.present for p in ended.participants]) == (3, [False, False])
    failure = await refusal(video.stub().EndVideoSession(end, metadata=doctor.metadata))
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_TRANSITION")
    failure = await refusal(join(video, patient, session.id))
    assert failure.reason == "INVALID_TRANSITION"
    [event] = await video_events(video, catalogue.VIDEO_SESSION_ENDED.subject, session.id)
    assert event.start_time.ToDatetime() <= event.end_time.ToDatetime()
    for who in (doctor, patient):
        history = await video.stub().ListVideoSessionHistory(
            video_pb2.ListVideoSessionHistoryRequest(user_id=who.user_id), metadata=who.metadata
        )
        assert [s.id for s in history.video_sessions] == [session.id]
    failure = await refusal(
        video.stub().ListVideoSessionHistory(
            video_pb2.ListVideoSessionHistoryRequest(user_id=doctor.user_id), metadata=patient.metadata
        )
    )
    assert failure.reason == "NOT_OWNER"


async def test_recording_needs_both_consents(video: VideoHarness, auth: AuthHarness) -> None:
    doctor, patient = await doctor_and_patient(video, auth)
    session = await create(video, doctor, patient)
    await join(video, doctor, session.id)
    await join(video, patient, session.id)
    start = video_pb2.ControlRecordingRequest(session_id=session.id, action="START")
    consent = video_pb2.SetRecordingConsentRequest(session_id=session.id, recording=True)
    await video.stub().SetRecordingConsent(consent, metadata=doctor.metadata)
    failure = await refusal(video.stub().ControlRecording(start, metadata=doctor.metadata))
    assert (failure.code, failure.reason, failure.metadata["withoutConsent"]) == (
        grpc.StatusCode.FAILED_PRECONDITION,
        "CONSENT_REQUIRED",
        "PATIENT",
    )
    failure = await refusal(video.stub().ControlRecording(start, metadata=patient.metadata))
    assert failure.reason == "ROLE_NOT_ALLOWED"
    recording = await video.stub().GetRecording(
        video_pb2.GetRecordingRequest(session_id=session.id), metadata=patient.metadata
    )
    assert recording.status == 1  # NOT_STARTED
    failure = await refusal(
        video.stub()
        .DownloadRecording(video_pb2.DownloadRecordingRequest(session_id=session.id), metadata=patient.metadata)
        .read()
    )
    assert failure.reason == "INVALID_RECORDING_STATE"


async def test_a_doctor_makes_a_session_only_for_their_own_virtual_appointment_with_its_patient(
    video: VideoHarness, appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    """The appointments service confirms the appointment on the doctor's behalf: someone else's (or
    an unknown) appointment is NOT_OWNER, another patient is refused, and a cancelled visit has none."""
    doctor_id = await seed_doctor(appointments)
    doctor = Person(doctor_id, forge_token(auth, doctor_id, "DOCTOR"))
    await run_sql(video.database_url, "INSERT INTO accounts VALUES (:id, 'DOCTOR', 'ACTIVE', 1)", id=doctor_id)
    patient_id = str(uuid.uuid4())
    await run_sql(appointments.database_url, "INSERT INTO accounts VALUES (:id, 'PATIENT', 'ACTIVE', 1)", id=patient_id)
    patient = Person(patient_id, forge_token(auth, patient_id, "PATIENT"))
    visits = {}
    for kind, days in (("VIRTUAL", 5), ("CANCELLED", 6)):
        day = session_day(days)
        session = await create_session(appointments, doctor.token, day)
        visits[kind] = (await book(appointments, patient.token, session.id, day)).id
    await appointments.appointments().CancelAppointment(
        appointments_pb2.CancelAppointmentRequest(appointment_id=visits["CANCELLED"], reason="x"),
        metadata=patient.metadata,
    )

    def for_appointment(who: Person, appointment_id: str, patient_id: str) -> Any:
        request = video_pb2.CreateVideoSessionRequest(patient_id=patient_id, appointment_id=appointment_id)
        request.scheduled_start_time.FromDatetime(soon())
        return video.stub().CreateVideoSession(request, metadata=who.metadata)

    other = await person(video, auth, "DOCTOR")
    for who, appointment_id in ((other, visits["VIRTUAL"]), (doctor, str(uuid.uuid4()))):
        failure = await refusal(for_appointment(who, appointment_id, patient.user_id))
        assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_OWNER")
    failure = await refusal(for_appointment(doctor, visits["VIRTUAL"], other.user_id))
    assert failure.fields == {"patientId": "INVALID_FIELD"}
    failure = await refusal(for_appointment(doctor, visits["CANCELLED"], patient.user_id))
    assert failure.reason == "NOT_A_VIRTUAL_APPOINTMENT"
    made = await for_appointment(doctor, visits["VIRTUAL"], patient.user_id)
    assert made.appointment_id == visits["VIRTUAL"]


async def test_appointment_events_apply_newest_first_and_a_cancellation_before_its_booking_is_kept(
    video: VideoHarness, nats_server: Nats
) -> None:
    appointment_id, doctor, patient = str(uuid.uuid4()), str(uuid.uuid4()), str(uuid.uuid4())
    first, third, second = (datetime(2031, 6, 1, 9, minute, tzinfo=UTC) for minute in (0, 30, 15))
    updated = catalogue.APPOINTMENT_UPDATED.subject
    await publish(
        nats_server.url,
        catalogue.APPOINTMENT_BOOKED.subject,
        appointment_event(appointment_id, doctor, patient, start=first),
    )

    async def scheduled(at: datetime) -> None:
        assert await sessions_of(video, appointment_id) == [("SCHEDULED", at)]

    await eventually(lambda: scheduled(first))
    await publish(nats_server.url, updated, appointment_event(appointment_id, doctor, patient, start=third, version=3))
    await eventually(lambda: scheduled(third))
    await publish(nats_server.url, updated, appointment_event(appointment_id, doctor, patient, start=second, version=2))
    # The late version 2 changes nothing; a later event shows it was handled after it.
    marker = str(uuid.uuid4())
    await publish(nats_server.url, catalogue.APPOINTMENT_BOOKED.subject, appointment_event(marker, doctor, patient))
    await eventually(lambda: _exists(video, marker))
    await scheduled(third)

    # A cancellation that overtakes its booking: no session is made when the booking arrives.
    overtaken = str(uuid.uuid4())
    cancelled = appointment_event(overtaken, doctor, patient, status="CANCELLED", version=2)
    await publish(nats_server.url, catalogue.APPOINTMENT_CANCELLED.subject, cancelled)
    await publish(nats_server.url, catalogue.APPOINTMENT_BOOKED.subject, appointment_event(overtaken, doctor, patient))
    marker = str(uuid.uuid4())
    await publish(nats_server.url, catalogue.APPOINTMENT_BOOKED.subject, appointment_event(marker, doctor, patient))
    await eventually(lambda: _exists(video, marker))
    assert await sessions_of(video, overtaken) == []


async def _exists(video: VideoHarness, appointment_id: str) -> None:
    assert await sessions_of(video, appointment_id)
