"""The directory: doctors, clinics, affiliations and consents mirrored from events (newest version wins)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments.domain.directory import Affiliation, Clinic, Consent, Doctor
from services.appointments.store.tables import accounts, affiliations, clinics, consents, doctors, row_of, value_of
from services.common.projections import upsert_newer


async def doctor(session: AsyncSession, doctor_id: uuid.UUID) -> Doctor | None:
    """The doctor, with the status of their account (None when auth's events have not told it yet)."""
    query = (
        sa.select(doctors, accounts.c.status.label("account_status"))
        .select_from(doctors.outerjoin(accounts, accounts.c.user_id == doctors.c.id))
        .where(doctors.c.id == doctor_id)
    )
    row = (await session.execute(query)).mappings().first()
    return value_of(Doctor, row) if row is not None else None


async def clinic(session: AsyncSession, clinic_id: uuid.UUID) -> Clinic | None:
    row = (await session.execute(sa.select(clinics).where(clinics.c.id == clinic_id))).mappings().first()
    return value_of(Clinic, row) if row is not None else None


async def affiliation_status(session: AsyncSession, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> str | None:
    query = sa.select(affiliations.c.status).where(
        affiliations.c.clinic_id == clinic_id, affiliations.c.doctor_id == doctor_id
    )
    status: str | None = (await session.execute(query)).scalar()
    return status


async def consented(session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> bool:
    query = sa.select(consents.c.granted).where(consents.c.patient_id == patient_id, consents.c.doctor_id == doctor_id)
    return bool((await session.execute(query)).scalar())


async def save_doctor(session: AsyncSession, doctor: Doctor) -> bool:
    """Keep the doctor as the newest event describes them; True when this one was the newest."""
    return await upsert_newer(session, doctors, ["id"], row_of(doctor, doctors))


async def refresh_doctor(session: AsyncSession, doctor: Doctor) -> None:
    """Keep the doctor as profile describes them when asked just now: newer than the row held (read
    before asking), though it carries no version of its own, so it takes the row's (`doctor.version`:
    the version read, 0 for a doctor new here). The next event then still applies; a row an event
    raised meanwhile is left alone."""
    values = row_of(doctor, doctors)
    statement = insert(doctors).values(values)
    statement = statement.on_conflict_do_update(
        index_elements=["id"],
        set_={column: statement.excluded[column] for column in values if column not in ("id", "version")},
        where=doctors.c.version <= statement.excluded.version,
    )
    await session.execute(statement)


async def save_clinic(session: AsyncSession, clinic: Clinic) -> bool:
    return await upsert_newer(session, clinics, ["id"], row_of(clinic, clinics))


async def save_affiliation(session: AsyncSession, affiliation: Affiliation) -> bool:
    return await upsert_newer(session, affiliations, ["clinic_id", "doctor_id"], row_of(affiliation, affiliations))


async def save_consent(session: AsyncSession, consent: Consent) -> bool:
    return await upsert_newer(session, consents, ["patient_id", "doctor_id"], row_of(consent, consents))
