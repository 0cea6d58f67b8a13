"""Doctors in the directory, with the clinics they are affiliated with."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.context import AccountStatus
from services.profile.domain.affiliations import AffiliationStatus
from services.profile.domain.doctors import ClinicSummary, Doctor, DoctorUpdate
from services.profile.store.tables import (
    accounts,
    affiliations,
    clinics,
    doctors,
    new_version,
    profiles,
    requested,
    verified,
)


def _query() -> sa.Select[Any]:
    return sa.select(doctors, profiles.c.first_name, profiles.c.last_name, verified).select_from(
        doctors.outerjoin(profiles, profiles.c.id == doctors.c.id).outerjoin(
            accounts, accounts.c.user_id == doctors.c.id
        )
    )


async def _with_clinics(session: AsyncSession, rows: Sequence[sa.Row[Any]]) -> list[Doctor]:
    """Doctors from their rows, each with the clinics that confirmed them (one query for all)."""
    ids = [row.id for row in rows]
    of_doctor: dict[uuid.UUID, list[ClinicSummary]] = {doctor_id: [] for doctor_id in ids}
    if ids:
        query = (
            sa.select(affiliations.c.doctor_id, clinics.c.id, clinics.c.name)
            .join(affiliations, affiliations.c.clinic_id == clinics.c.id)
            .where(affiliations.c.doctor_id.in_(ids), affiliations.c.status == AffiliationStatus.CONFIRMED.value)
            .order_by(clinics.c.name)
        )
        for found in (await session.execute(query)).all():
            of_doctor[found.doctor_id].append(ClinicSummary(id=found.id, name=found.name))
    return [_doctor(row, tuple(of_doctor[row.id])) for row in rows]


def _doctor(row: sa.Row[Any], clinics_of_doctor: tuple[ClinicSummary, ...]) -> Doctor:
    return Doctor(
        id=row.id,
        first_name=row.first_name or "",
        last_name=row.last_name or "",
        specialization=row.specialization,
        qualifications=tuple(row.qualifications),
        license_number=row.license_number,
        years_of_experience=row.years_of_experience,
        bio=row.bio,
        consultation_fee=row.consultation_fee,
        currency=row.currency,
        time_zone=row.time_zone,
        languages=tuple(row.languages),
        offers_virtual=row.offers_virtual,
        verified=bool(row.verified),
        average_rating=row.average_rating,
        rating_count=row.rating_count,
        clinics=clinics_of_doctor,
        update_time=row.updated_at,
        version=row.version,
    )


async def _one(session: AsyncSession, query: sa.Select[Any]) -> Doctor | None:
    row = (await session.execute(query)).first()
    return (await _with_clinics(session, [row]))[0] if row is not None else None


async def get(session: AsyncSession, doctor_id: uuid.UUID) -> Doctor | None:
    return await _one(session, _query().where(doctors.c.id == doctor_id))


async def lock(session: AsyncSession, doctor_id: uuid.UUID) -> Doctor | None:
    """The doctor, their row locked until the transaction ends (edits and ratings serialize on it)."""
    return await _one(session, _query().where(doctors.c.id == doctor_id).with_for_update(of=doctors))


async def exists(session: AsyncSession, doctor_id: uuid.UUID) -> bool:
    return (await session.execute(sa.select(doctors.c.id).where(doctors.c.id == doctor_id))).first() is not None


async def insert_if_missing(session: AsyncSession, doctor_id: uuid.UUID) -> bool:
    """An empty directory entry unless there is one; True when created."""
    statement = (
        insert(doctors)
        .values(id=doctor_id, version=1)
        .on_conflict_do_nothing(index_elements=["id"])
        .returning(doctors.c.id)
    )
    return (await session.execute(statement)).first() is not None


async def update(session: AsyncSession, doctor_id: uuid.UUID, update: DoctorUpdate) -> Doctor:
    """Write the requested fields as a new version; the doctor as it now is."""
    values = requested(
        update.requested,
        specialization=update.specialization,
        qualifications=list(update.qualifications),
        license_number=update.license_number,
        years_of_experience=update.years_of_experience,
        bio=update.bio,
        consultation_fee=update.consultation_fee,
        currency=update.currency,
        time_zone=update.time_zone,
        languages=list(update.languages),
        offers_virtual=update.offers_virtual,
    )
    await session.execute(sa.update(doctors).where(doctors.c.id == doctor_id).values(**values, **new_version(doctors)))
    doctor = await get(session, doctor_id)
    assert doctor is not None  # updated in this transaction
    return doctor


async def touch(session: AsyncSession, doctor_id: uuid.UUID) -> Doctor | None:
    """A new version of a doctor whose entry changed elsewhere (name, clinics, verification); None
    when the user is not a doctor."""
    statement = (
        sa.update(doctors).where(doctors.c.id == doctor_id).values(**new_version(doctors)).returning(doctors.c.id)
    )
    if (await session.execute(statement)).first() is None:
        return None
    return await get(session, doctor_id)


async def search(
    session: AsyncSession,
    *,
    specialization: str,
    clinic_id: uuid.UUID | None,
    query: str,
    verified_only: bool,
    after: tuple[str, str, uuid.UUID] | None,
    limit: int,
) -> list[Doctor]:
    """Doctors by family name, given name and id (keyset-paginated)."""
    last_name = sa.func.coalesce(profiles.c.last_name, "")
    first_name = sa.func.coalesce(profiles.c.first_name, "")
    select = _query().order_by(last_name, first_name, doctors.c.id).limit(limit)
    if specialization:
        select = select.where(sa.func.lower(doctors.c.specialization) == specialization.strip().lower())
    if clinic_id is not None:
        confirmed = sa.select(affiliations.c.doctor_id).where(
            affiliations.c.clinic_id == clinic_id, affiliations.c.status == AffiliationStatus.CONFIRMED.value
        )
        select = select.where(doctors.c.id.in_(confirmed))
    if query:
        full_name = sa.func.lower(first_name + " " + last_name)
        select = select.where(full_name.contains(query.strip().lower(), autoescape=True))
    if verified_only:
        select = select.where(accounts.c.status == AccountStatus.ACTIVE.value)
    if after is not None:
        select = select.where(sa.tuple_(last_name, first_name, doctors.c.id) > sa.tuple_(*map(sa.literal, after)))
    return await _with_clinics(session, (await session.execute(select)).all())
