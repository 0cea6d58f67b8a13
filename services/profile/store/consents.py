"""Patients' consents."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.profile.domain.consents import Consent
from services.profile.store.tables import consents


def _consent(row: sa.Row[Any]) -> Consent:
    return Consent(patient_id=row.patient_id, doctor_id=row.doctor_id, grant_time=row.grant_time)


async def of_patient(session: AsyncSession, patient_id: uuid.UUID) -> list[Consent]:
    query = sa.select(consents).where(consents.c.patient_id == patient_id).order_by(consents.c.grant_time.desc())
    return [_consent(row) for row in (await session.execute(query)).all()]


async def get(session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> Consent | None:
    query = sa.select(consents).where(consents.c.patient_id == patient_id, consents.c.doctor_id == doctor_id)
    row = (await session.execute(query)).first()
    return _consent(row) if row is not None else None


async def insert_if_missing(session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> bool:
    """True when the consent is new."""
    statement = (
        insert(consents)
        .values(patient_id=patient_id, doctor_id=doctor_id, version=1)
        .on_conflict_do_nothing(index_elements=["patient_id", "doctor_id"])
        .returning(consents.c.patient_id)
    )
    return (await session.execute(statement)).first() is not None


async def delete(session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> bool:
    """True when there was a consent to revoke."""
    statement = (
        sa.delete(consents)
        .where(consents.c.patient_id == patient_id, consents.c.doctor_id == doctor_id)
        .returning(consents.c.patient_id)
    )
    return (await session.execute(statement)).first() is not None
