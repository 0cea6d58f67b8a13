"""Domain values for unit tests: a Colombo session on Wednesdays 09:00-12:00 and its appointments."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from services.appointments.domain.booking import Appointment, AppointmentType, Status
from services.appointments.domain.schedule import ServiceType, Session
from services.common.context import AccountStatus, Principal, Role

WEDNESDAY = date(2026, 12, 2)
ZONE = "Asia/Colombo"  # UTC+05:30, no DST
NINE_LOCAL = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)


def principal(role: Role, user_id: uuid.UUID | None = None) -> Principal:
    return Principal(user_id or uuid.uuid4(), role, AccountStatus.ACTIVE, "token")


def session(**changes: Any) -> Session:
    made = Session(
        id=uuid.uuid4(),
        doctor_id=uuid.uuid4(),
        clinic_id=None,
        day_of_week=3,
        session_start_time=time(9, 0),
        session_end_time=time(12, 0),
        service_type=ServiceType.VIRTUAL,
        max_queue_size=3,
        estimated_consultation_minutes=15,
        effective_from=date(2026, 1, 1),
        effective_until=None,
        active=True,
        time_zone=ZONE,
        created_by=uuid.uuid4(),
        version=1,
        created_at=NINE_LOCAL,
        updated_at=NINE_LOCAL,
        doctor_first_name="Gregory",
        doctor_last_name="House",
        specialization="Diagnostics",
        fee=Decimal("2500.00"),
        currency="LKR",
        clinic_name=None,
        clinic_admin_id=None,
        doctor_status="ACTIVE",
    )
    return dataclasses.replace(made, **changes)


def appointment(**changes: Any) -> Appointment:
    made = Appointment(
        id=uuid.uuid4(),
        session_id=uuid.uuid4(),
        appointment_date=WEDNESDAY,
        patient_id=uuid.uuid4(),
        doctor_id=uuid.uuid4(),
        clinic_id=None,
        appointment_type=AppointmentType.VIRTUAL,
        status=Status.BOOKED,
        queue_number=1,
        chief_complaint="headache",
        estimated_start_time=NINE_LOCAL,
        actual_start_time=None,
        actual_end_time=None,
        doctor_notes="rest",
        fee=Decimal("2500.00"),
        currency="LKR",
        cancellation_reason="",
        cancelled_by_role="",
        rescheduled_from_id=None,
        video_session_id=None,
        booked_by=uuid.uuid4(),
        request_id=None,
        version=1,
        created_at=NINE_LOCAL,
        updated_at=NINE_LOCAL,
        doctor_first_name="Gregory",
        doctor_last_name="House",
        specialization="Diagnostics",
        clinic_name=None,
        clinic_admin_id=None,
        time_zone=ZONE,
        session_start_time=time(9, 0),
        session_end_time=time(12, 0),
        estimated_consultation_minutes=15,
    )
    return dataclasses.replace(made, **changes)
