"""A doctor this service has not heard of yet (profile's event still on its way) is read from the
profile service before a refusal (DESIGN 6): a doctor who just set up their profile can open a
session at once, and their calendar is found."""

from __future__ import annotations

import uuid

import grpc
import pytest
from pulseone.appointments.v1 import appointments_pb2, appointments_pb2_grpc
from pulseone.auth.v1 import auth_pb2
from pulseone.profile.v1 import profile_pb2
from pulseone.profile.v1 import resources_pb2 as profile_resources

from scripts.stack import Nats
from services.appointments.app import build as build_appointments
from services.appointments.settings import AppointmentsSettings
from tests.integration.appointments.test_booking import ZONE, create_session, seed_doctor, session_day
from tests.integration.conftest import (
    PASSWORD,
    AppointmentsHarness,
    AuthHarness,
    ProfileHarness,
    admin_token,
    bearer,
    eventually,
    forge_token,
    replica_without_profile,
    run_sql,
)
from tests.rpc import failure_of


async def doctor_with_profile(auth: AuthHarness, profile: ProfileHarness) -> tuple[str, str]:
    """An approved doctor whose profile (with a time zone) profile holds; their id and token."""
    account = await auth.register("DOCTOR")
    admin = await admin_token(auth)
    await auth.stub.ApproveUser(auth_pb2.ApproveUserRequest(user_id=account.user.id), metadata=bearer(admin))
    signed_in = await auth.stub.Login(auth_pb2.LoginRequest(email=account.user.email, password=PASSWORD))
    doctor_id, token = account.user.id, signed_in.access_token
    doctors = profile.stub("DoctorService")
    await eventually(
        lambda: doctors.GetDoctor(profile_pb2.GetDoctorRequest(doctor_id=doctor_id), metadata=bearer(token))
    )
    update = profile_resources.Doctor(time_zone=ZONE, consultation_fee="2500.00", currency="LKR")
    await doctors.UpdateDoctor(
        profile_pb2.UpdateDoctorRequest(doctor_id=doctor_id, doctor=update), metadata=bearer(token)
    )
    return doctor_id, token


async def forget(appointments: AppointmentsHarness, doctor_id: str) -> None:
    """The directory as before profile's events arrived: waited for first, so none lands later."""

    async def mirrored() -> None:
        rows = await run_sql(
            appointments.database_url, "SELECT time_zone FROM doctors WHERE id = :id", id=uuid.UUID(doctor_id)
        )
        assert rows == [(ZONE,)]

    await eventually(mirrored)
    await run_sql(appointments.database_url, "DELETE FROM doctors WHERE id = :id", id=uuid.UUID(doctor_id))


async def test_a_doctor_whose_profile_event_lags_can_open_a_session_at_once(
    appointments: AppointmentsHarness, auth: AuthHarness, profile: ProfileHarness
) -> None:
    doctor_id, token = await doctor_with_profile(auth, profile)
    await forget(appointments, doctor_id)

    session = await create_session(appointments, token, session_day(3))

    assert session.doctor_id == doctor_id
    rows = await run_sql(
        appointments.database_url, "SELECT time_zone, version FROM doctors WHERE id = :id", id=uuid.UUID(doctor_id)
    )
    assert rows == [(ZONE, 0)]  # kept until profile's event replaces it


async def test_the_calendar_of_a_doctor_whose_profile_event_lags_is_found(
    appointments: AppointmentsHarness, auth: AuthHarness, profile: ProfileHarness
) -> None:
    doctor_id, token = await doctor_with_profile(auth, profile)
    await forget(appointments, doctor_id)

    calendar = await appointments.sessions().GetCalendar(
        appointments_pb2.GetCalendarRequest(doctor_id=doctor_id, days=7), metadata=bearer(token)
    )

    assert len(calendar.days) == 7


async def test_a_doctor_unknown_here_while_profile_is_down_is_unavailable_not_refused(
    appointments: AppointmentsHarness, auth: AuthHarness, nats_server: Nats
) -> None:
    async with replica_without_profile(
        build_appointments, AppointmentsSettings, appointments, nats_server.url, auth
    ) as channel:
        doctor_id = str(uuid.uuid4())
        with pytest.raises(grpc.aio.AioRpcError) as unavailable:
            await appointments_pb2_grpc.SessionServiceStub(channel).GetCalendar(
                appointments_pb2.GetCalendarRequest(doctor_id=doctor_id),
                metadata=bearer(forge_token(auth, doctor_id, "DOCTOR")),
            )
    failure = failure_of(unavailable.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.UNAVAILABLE, "PROFILE_UNAVAILABLE")


async def test_a_known_doctor_without_a_time_zone_of_their_own_needs_no_profile_for_the_calendar(
    appointments: AppointmentsHarness, auth: AuthHarness, nats_server: Nats
) -> None:
    # Clinic doctors often have no zone of their own: nothing is missing, nothing is asked.
    doctor_id = await seed_doctor(appointments)
    await run_sql(
        appointments.database_url, "UPDATE doctors SET time_zone = '' WHERE id = :id", id=uuid.UUID(doctor_id)
    )
    async with replica_without_profile(
        build_appointments, AppointmentsSettings, appointments, nats_server.url, auth
    ) as channel:
        calendar = await appointments_pb2_grpc.SessionServiceStub(channel).GetCalendar(
            appointments_pb2.GetCalendarRequest(doctor_id=doctor_id, days=7),
            metadata=bearer(forge_token(auth, doctor_id, "DOCTOR")),
        )
    assert len(calendar.days) == 7


async def test_a_doctor_held_as_registered_but_not_as_set_up_is_read_from_profile_whole(
    appointments: AppointmentsHarness, auth: AuthHarness, profile: ProfileHarness
) -> None:
    # The registration's event came, the profile's update not yet: the session is opened with the
    # zone profile holds, and shows the fee profile holds, not the empty ones held here.
    doctor_id, token = await doctor_with_profile(auth, profile)
    await forget(appointments, doctor_id)
    await run_sql(
        appointments.database_url,
        "INSERT INTO doctors (id, first_name, last_name, specialization, consultation_fee, currency, time_zone,"
        " version) VALUES (:id, 'Ada', 'Lovelace', '', 0, '', '', 1)",
        id=uuid.UUID(doctor_id),
    )

    session = await create_session(appointments, token, session_day(3))

    assert (session.time_zone, session.fee, session.currency) == (ZONE, "2500.00", "LKR")
    rows = await run_sql(
        appointments.database_url,
        "SELECT time_zone, currency, version FROM doctors WHERE id = :id",
        id=uuid.UUID(doctor_id),
    )
    assert rows == [(ZONE, "LKR", 1)]  # the version read: the next event still applies
