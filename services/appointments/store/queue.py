"""The live queue: which appointment a call-next request started (so a retried call starts nobody else)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments.store.tables import call_next_requests


async def called_for(db: AsyncSession, doctor_id: uuid.UUID, request_id: uuid.UUID) -> uuid.UUID | None:
    query = sa.select(call_next_requests.c.appointment_id).where(
        call_next_requests.c.doctor_id == doctor_id, call_next_requests.c.request_id == request_id
    )
    called: uuid.UUID | None = (await db.execute(query)).scalar()
    return called


async def remember_call(
    db: AsyncSession, doctor_id: uuid.UUID, request_id: uuid.UUID, appointment_id: uuid.UUID
) -> None:
    await db.execute(
        sa.insert(call_next_requests).values(doctor_id=doctor_id, request_id=request_id, appointment_id=appointment_id)
    )
