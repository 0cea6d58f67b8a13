"""A clinic admin's walk-in is for a patient's account (SPEC 3.3): any other id (none, a doctor's,
an admin's) is refused and takes no place; a patient this service has not heard of yet is re-read
from the profile service first (DESIGN 6), and a profile service that cannot answer is
PROFILE_UNAVAILABLE, never a refusal."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import grpc
from pulseone.appointments.v1 import appointments_pb2, appointments_pb2_grpc
from pulseone.profile.v1 import profile_pb2

from scripts.stack import Nats
from services.appointments.app import build as build_appointments
from services.appointments.settings import AppointmentsSettings
from tests.integration.appointments.test_booking_function import in_person_session_at_a_clinic, seed_doctor_in
from tests.integration.conftest import (
    AppointmentsHarness,
    AuthHarness,
    ProfileHarness,
    bearer,
    eventually,
    forge_token,
    replica_without_profile,
    run_sql,
)
from tests.rpc import refusal

ZONE = "Asia/Colombo"
ADMINS: dict[str, str] = {}
"""Each clinic admin's id, by their token."""


async def clinic_session(appointments: AppointmentsHarness, auth: AuthHarness) -> tuple[str, date, str]:
    """An IN_PERSON session at a clinic: its id, a date it occurs on, and the clinic admin's token."""
    doctor_id = await seed_doctor_in(appointments, ZONE)
    created, day, _, admin_id = await in_person_session_at_a_clinic(appointments, auth, doctor_id, "Walk-in Clinic", 4)
    token = forge_token(auth, str(admin_id), "CLINIC_ADMIN")
    ADMINS[token] = str(admin_id)
    return created.id, day, token


def walk_in(stub: Any, token: str, session_id: str, day: date, patient_id: str) -> Any:
    request = appointments_pb2.BookAppointmentRequest(
        session_id=session_id,
        appointment_date=day.isoformat(),
        patient_id=patient_id,
        appointment_type="IN_PERSON",
        chief_complaint="walk-in",
    )
    return stub.BookAppointment(request, metadata=bearer(token))


async def account(appointments: AppointmentsHarness, role: str) -> str:
    """An account this service knows of, as auth's events would have told it."""
    user_id = uuid.uuid4()
    await run_sql(
        appointments.database_url, "INSERT INTO accounts VALUES (:id, :role, 'ACTIVE', 1)", id=user_id, role=role
    )
    return str(user_id)


async def places_taken(appointments: AppointmentsHarness, session_id: str) -> int:
    rows = await run_sql(
        appointments.database_url,
        "SELECT count(*) FROM appointments WHERE session_id = :id",
        id=uuid.UUID(session_id),
    )
    return int(rows[0][0])


async def test_a_walk_in_for_an_id_that_is_no_patients_is_refused_and_takes_no_place(
    appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    session_id, day, admin = await clinic_session(appointments, auth)
    others = [str(uuid.uuid4()), await account(appointments, "DOCTOR"), await account(appointments, "SYSTEM_ADMIN")]
    for other in others:
        failure = await refusal(walk_in(appointments.appointments(), admin, session_id, day, other))
        assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "PATIENT_NOT_FOUND")
    # The admin's own id, whether auth's events told it here or not, is no patient's either.
    admin_id = ADMINS[admin]
    failure = await refusal(walk_in(appointments.appointments(), admin, session_id, day, admin_id))
    assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "PATIENT_NOT_FOUND")
    await run_sql(
        appointments.database_url, "INSERT INTO accounts VALUES (:id, 'CLINIC_ADMIN', 'ACTIVE', 1)", id=admin_id
    )
    failure = await refusal(walk_in(appointments.appointments(), admin, session_id, day, admin_id))
    assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "PATIENT_NOT_FOUND")
    assert await places_taken(appointments, session_id) == 0


async def test_another_clinics_session_is_not_owner_whoever_the_patient(
    appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    # SPEC 2: other people's resources are 403, checked before anything about the patient.
    session_id, day, _ = await clinic_session(appointments, auth)
    _, _, other_admin = await clinic_session(appointments, auth)
    for patient_id in (str(uuid.uuid4()), await account(appointments, "PATIENT")):
        failure = await refusal(walk_in(appointments.appointments(), other_admin, session_id, day, patient_id))
        assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_OWNER")
    unknown = str(uuid.uuid4())
    failure = await refusal(walk_in(appointments.appointments(), other_admin, unknown, day, str(uuid.uuid4())))
    assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "SESSION_NOT_FOUND")


async def test_a_walk_in_for_a_patient_is_booked(appointments: AppointmentsHarness, auth: AuthHarness) -> None:
    session_id, day, admin = await clinic_session(appointments, auth)
    patient_id = await account(appointments, "PATIENT")

    booked = await walk_in(appointments.appointments(), admin, session_id, day, patient_id)

    assert (booked.patient_id, booked.queue_number) == (patient_id, 1)


async def test_a_patient_whose_account_event_lags_is_read_from_profile_before_a_refusal(
    appointments: AppointmentsHarness, auth: AuthHarness, profile: ProfileHarness
) -> None:
    session_id, day, admin = await clinic_session(appointments, auth)
    patient_id = (await auth.register("PATIENT")).user.id
    doctor_id = (await auth.register("DOCTOR")).user.id
    matches = profile.stub("PatientService")
    await eventually(
        lambda: matches.GetPatientMatch(
            profile_pb2.GetPatientMatchRequest(patient_id=patient_id), metadata=bearer(admin)
        )
    )
    await eventually(lambda: _mirrored(appointments, patient_id))
    await eventually(lambda: _mirrored(appointments, doctor_id))
    # Auth's events not arrived here yet: the accounts copy as before them.
    for user_id in (patient_id, doctor_id):
        await run_sql(appointments.database_url, "DELETE FROM accounts WHERE user_id = :id", id=uuid.UUID(user_id))

    booked = await walk_in(appointments.appointments(), admin, session_id, day, patient_id)
    assert booked.patient_id == patient_id
    # The profile service answers only for patients: a doctor's id is refused there too.
    failure = await refusal(walk_in(appointments.appointments(), admin, session_id, day, doctor_id))
    assert (failure.code, failure.reason) == (grpc.StatusCode.NOT_FOUND, "PATIENT_NOT_FOUND")


async def _mirrored(appointments: AppointmentsHarness, user_id: str) -> None:
    rows = await run_sql(
        appointments.database_url, "SELECT role FROM accounts WHERE user_id = :id", id=uuid.UUID(user_id)
    )
    assert len(rows) == 1


async def test_a_patient_unknown_here_while_profile_is_down_is_unavailable_not_refused(
    appointments: AppointmentsHarness, auth: AuthHarness, nats_server: Nats
) -> None:
    session_id, day, admin = await clinic_session(appointments, auth)
    async with replica_without_profile(
        build_appointments, AppointmentsSettings, appointments, nats_server.url, auth
    ) as channel:
        stub = appointments_pb2_grpc.AppointmentServiceStub(channel)  # type: ignore[no-untyped-call]
        failure = await refusal(walk_in(stub, admin, session_id, day, str(uuid.uuid4())))
        assert (failure.code, failure.reason) == (grpc.StatusCode.UNAVAILABLE, "PROFILE_UNAVAILABLE")
        # What this service knows needs no profile: a known patient is booked, a known doctor refused.
        booked = await walk_in(stub, admin, session_id, day, await account(appointments, "PATIENT"))
        assert booked.queue_number == 1
        failure = await refusal(walk_in(stub, admin, session_id, day, await account(appointments, "DOCTOR")))
        assert failure.reason == "PATIENT_NOT_FOUND"
    assert await places_taken(appointments, session_id) == 1
