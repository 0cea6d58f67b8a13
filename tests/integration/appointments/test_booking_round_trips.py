"""What one booking costs in round trips to PostgreSQL."""

from __future__ import annotations

import uuid

from services.appointments.domain.booking import Appointment, AppointmentType, BookingRequest, Status
from services.appointments.use_cases.appointments import Appointments
from services.common.context import AccountStatus, Principal, Role
from services.common.db import create_engine, create_sessions
from tests.integration.appointments.test_booking import create_session, seed_doctor, session_day
from tests.integration.conftest import AppointmentsHarness, AuthHarness, forge_token, round_trips


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
