"""Patients' medical profiles, and looking patients up."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.context import Role
from services.profile.domain.field_checks import EmergencyContact
from services.profile.domain.patients import Patient, PatientLookup, PatientMatch, PatientUpdate
from services.profile.store.tables import new_version, patients, profiles, requested

LOOKUP_LIMIT = 5


def _patient(row: sa.Row[Any]) -> Patient:
    return Patient(
        id=row.id,
        date_of_birth=row.date_of_birth,
        gender=row.gender,
        address=row.address,
        blood_group=row.blood_group,
        allergies=tuple(row.allergies),
        chronic_conditions=tuple(row.chronic_conditions),
        medical_history=row.medical_history,
        emergency_contacts=tuple(
            EmergencyContact(name=c.get("name", ""), relationship=c.get("relationship", ""), phone=c.get("phone", ""))
            for c in row.emergency_contacts
        ),
        insurance_provider=row.insurance_provider,
        preferred_doctor_ids=tuple(row.preferred_doctor_ids),
        preferred_clinic_ids=tuple(row.preferred_clinic_ids),
        first_name=row.first_name or "",
        last_name=row.last_name or "",
        update_time=row.updated_at,
        version=row.version,
    )


async def get(session: AsyncSession, patient_id: uuid.UUID) -> Patient | None:
    query = (
        sa.select(patients, profiles.c.first_name, profiles.c.last_name)
        .select_from(patients.outerjoin(profiles, profiles.c.id == patients.c.id))
        .where(patients.c.id == patient_id)
    )
    row = (await session.execute(query)).first()
    return _patient(row) if row is not None else None


async def insert_if_missing(session: AsyncSession, patient_id: uuid.UUID) -> bool:
    """An empty medical profile unless there is one; True when created."""
    statement = (
        insert(patients)
        .values(id=patient_id, version=1)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(patients.c.id)
    )
    return (await session.execute(statement)).first() is not None


async def update(session: AsyncSession, patient_id: uuid.UUID, update: PatientUpdate) -> None:
    """Write the requested fields as a new version."""
    values = requested(
        update.requested,
        date_of_birth=update.date_of_birth,
        gender=update.gender,
        address=update.address,
        blood_group=update.blood_group,
        allergies=list(update.allergies),
        chronic_conditions=list(update.chronic_conditions),
        medical_history=update.medical_history,
        emergency_contacts=[
            {"name": c.name, "relationship": c.relationship, "phone": c.phone} for c in update.emergency_contacts
        ],
        insurance_provider=update.insurance_provider,
        preferred_doctor_ids=list(update.preferred_doctor_ids),
        preferred_clinic_ids=list(update.preferred_clinic_ids),
    )
    await session.execute(
        sa.update(patients).where(patients.c.id == patient_id).values(**values, **new_version(patients))
    )


async def find(session: AsyncSession, lookup: PatientLookup) -> list[PatientMatch]:
    """Patients by exact email or phone number, at most a handful."""
    query = sa.select(profiles.c.id, profiles.c.first_name, profiles.c.last_name).where(
        profiles.c.role == Role.PATIENT.value
    )
    if lookup.email:
        query = query.where(profiles.c.email == lookup.email)
    else:
        query = query.where(profiles.c.phone_number == lookup.phone)
    rows = (await session.execute(query.order_by(profiles.c.id).limit(LOOKUP_LIMIT))).all()
    return [PatientMatch(id=row.id, first_name=row.first_name, last_name=row.last_name) for row in rows]


async def match(session: AsyncSession, patient_id: uuid.UUID) -> PatientMatch | None:
    """The patient with this id (only a patient's profile answers), or None."""
    query = sa.select(profiles.c.id, profiles.c.first_name, profiles.c.last_name).where(
        profiles.c.id == patient_id, profiles.c.role == Role.PATIENT.value
    )
    row = (await session.execute(query)).first()
    return PatientMatch(id=row.id, first_name=row.first_name, last_name=row.last_name) if row is not None else None
