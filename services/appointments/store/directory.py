"""The directory: doctors, clinics, affiliations and consents mirrored from events (newest version wins)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments.domain.directory import Affiliation, Clinic, Consent, Doctor
from services.appointments.store.tables import accounts, affiliations, clinics, consents, doctors
from services.common.projections import upsert_newer


async def doctor(session: AsyncSession, doctor_id: uuid.UUID) -> Doctor | None:
    """The doctor, with the status of their account (None when auth's events have not told it yet)."""
    query = (
        sa.select(doctors, accounts.c.status.label("account_status"))
        .select_from(doctors.outerjoin(accounts, accounts.c.user_id == doctors.c.id))
        .where(doctors.c.id == doctor_id)
    )
    row = (await session.execute(query)).mappings().first()
    if row is None:
        return None
    return Doctor(
        id=row["id"],
        first_name=row["first_name"],
        last_name=row["last_name"],
        specialization=row["specialization"],
        consultation_fee=row["consultation_fee"],
        currency=row["currency"],
        time_zone=row["time_zone"],
        offers_virtual=row["offers_virtual"],
        version=row["version"],
        account_status=row["account_status"],
    )


async def clinic(session: AsyncSession, clinic_id: uuid.UUID) -> Clinic | None:
    row = (await session.execute(sa.select(clinics).where(clinics.c.id == clinic_id))).mappings().first()
    if row is None:
        return None
    return Clinic(
        id=row["id"],
        admin_id=row["admin_id"],
        name=row["name"],
        time_zone=row["time_zone"],
        currency=row["currency"],
        active=row["active"],
        version=row["version"],
    )


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
    values = {
        "id": doctor.id,
        "first_name": doctor.first_name,
        "last_name": doctor.last_name,
        "specialization": doctor.specialization,
        "consultation_fee": doctor.consultation_fee,
        "currency": doctor.currency,
        "time_zone": doctor.time_zone,
        "offers_virtual": doctor.offers_virtual,
        "version": doctor.version,
    }
    return await upsert_newer(session, doctors, ["id"], values)


async def save_clinic(session: AsyncSession, clinic: Clinic) -> bool:
    values = {
        "id": clinic.id,
        "admin_id": clinic.admin_id,
        "name": clinic.name,
        "time_zone": clinic.time_zone,
        "currency": clinic.currency,
        "active": clinic.active,
        "version": clinic.version,
    }
    return await upsert_newer(session, clinics, ["id"], values)


async def save_affiliation(session: AsyncSession, affiliation: Affiliation) -> bool:
    values = {
        "clinic_id": affiliation.clinic_id,
        "doctor_id": affiliation.doctor_id,
        "status": affiliation.status,
        "version": affiliation.version,
    }
    return await upsert_newer(session, affiliations, ["clinic_id", "doctor_id"], values)


async def save_consent(session: AsyncSession, consent: Consent) -> bool:
    values = {
        "patient_id": consent.patient_id,
        "doctor_id": consent.doctor_id,
        "granted": consent.granted,
        "version": consent.version,
    }
    return await upsert_newer(session, consents, ["patient_id", "doctor_id"], values)
