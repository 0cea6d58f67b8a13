"""Visits mirrored from the appointments service: the care relationship and who may rate whom."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.care import CareRelationship
from services.common.projections import upsert_newer
from services.profile.domain.visits import CANCELLED, COMPLETED, OPEN_STATUSES, Visit
from services.profile.store.tables import visits


async def apply(session: AsyncSession, visit: Visit) -> None:
    """Mirror an appointment; an older event than the one held changes nothing."""
    values = {
        "appointment_id": visit.appointment_id,
        "patient_id": visit.patient_id,
        "doctor_id": visit.doctor_id,
        "status": visit.status,
        "starts_at": visit.starts_at,
        "ends_at": visit.ends_at,
        "version": visit.version,
    }
    await upsert_newer(session, visits, ["appointment_id"], values)


async def care_relationship(
    session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID
) -> CareRelationship | None:
    """Open appointments and the end of the last non-cancelled one, between a patient and a doctor."""
    query = sa.select(
        sa.func.count().filter(visits.c.status.in_(OPEN_STATUSES)).label("open_appointments"),
        sa.func.max(sa.func.coalesce(visits.c.ends_at, visits.c.starts_at))
        .filter(visits.c.status != CANCELLED)
        .label("last_appointment_at"),
    ).where(visits.c.patient_id == patient_id, visits.c.doctor_id == doctor_id)
    row = (await session.execute(query)).one()
    if not (row.open_appointments or row.last_appointment_at):
        return None
    return CareRelationship(row.open_appointments, row.last_appointment_at)


async def has_completed(session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> bool:
    query = sa.select(visits.c.appointment_id).where(
        visits.c.patient_id == patient_id, visits.c.doctor_id == doctor_id, visits.c.status == COMPLETED
    )
    return (await session.execute(query.limit(1))).first() is not None
