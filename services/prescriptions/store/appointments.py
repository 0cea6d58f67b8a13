"""The appointments projection: what prescribing needs of each appointment, fed by its events."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.projections import upsert_newer
from services.prescriptions.domain.appointments import AppointmentFacts
from services.prescriptions.store.tables import appointments

RE_READ_VERSION = 0
"""The version of an appointment re-read from the appointments service: any event about it is newer."""


def _values(appointment: AppointmentFacts, version: int) -> dict[str, object]:
    return {
        "id": appointment.id,
        "doctor_id": appointment.doctor_id,
        "patient_id": appointment.patient_id,
        "clinic_id": appointment.clinic_id,
        "status": appointment.status,
        "time_zone": appointment.time_zone,
        "version": version,
    }


async def appointment(session: AsyncSession, appointment_id: uuid.UUID) -> AppointmentFacts | None:
    row = (await session.execute(sa.select(appointments).where(appointments.c.id == appointment_id))).first()
    if row is None:
        return None
    return AppointmentFacts(row.id, row.doctor_id, row.patient_id, row.clinic_id, row.status, row.time_zone)


async def has_appointment_between(session: AsyncSession, doctor_id: uuid.UUID, patient_id: uuid.UUID) -> bool:
    query = sa.select(sa.literal(1)).where(
        appointments.c.doctor_id == doctor_id, appointments.c.patient_id == patient_id
    )
    return (await session.execute(query.limit(1))).first() is not None


async def mirror_appointment(session: AsyncSession, appointment: AppointmentFacts, version: int) -> bool:
    """Keep the appointment as the newest event describes it; True when this event was the newest."""
    return await upsert_newer(session, appointments, ["id"], _values(appointment, version))


async def remember_appointment(session: AsyncSession, appointment: AppointmentFacts) -> None:
    """An appointment the appointments service confirmed before its event arrived; events replace it."""
    await session.execute(insert(appointments).values(**_values(appointment, RE_READ_VERSION)).on_conflict_do_nothing())
