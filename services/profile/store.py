"""Queries and writes of the profile database; callers own the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import projections
from services.common.db import Row, fetch_all, fetch_one
from services.profile import models

accounts = projections.accounts
profiles = cast(sa.Table, models.Profile.__table__)
patients = cast(sa.Table, models.Patient.__table__)
doctors = cast(sa.Table, models.Doctor.__table__)
clinics = cast(sa.Table, models.Clinic.__table__)
affiliations = cast(sa.Table, models.Affiliation.__table__)
pharmacies = cast(sa.Table, models.Pharmacy.__table__)
consents = cast(sa.Table, models.Consent.__table__)
visits = cast(sa.Table, models.Visit.__table__)
ratings = cast(sa.Table, models.Rating.__table__)

verified = (accounts.c.status == "ACTIVE").label("verified")


# Accounts (the auth service's view, from its events)


async def account(session: AsyncSession, user_id: uuid.UUID) -> Row | None:
    return await fetch_one(session, sa.select(accounts).where(accounts.c.user_id == user_id))


# Profiles


def _profile_query() -> sa.Select[Any]:
    return sa.select(profiles, verified).select_from(profiles.outerjoin(accounts, accounts.c.user_id == profiles.c.id))


async def profile(session: AsyncSession, user_id: uuid.UUID) -> Row | None:
    return await fetch_one(session, _profile_query().where(profiles.c.id == user_id))


async def insert_profile(session: AsyncSession, values: Mapping[str, Any], *, refresh_identity: bool) -> None:
    """Create a profile, or (from the registration event) only correct email and role of one that exists."""
    statement = insert(profiles).values(**values, version=1)
    if refresh_identity:
        statement = statement.on_conflict_do_update(
            index_elements=["id"], set_={"email": values["email"], "role": values["role"]}
        )
    else:
        statement = statement.on_conflict_do_nothing(index_elements=["id"])
    await session.execute(statement)


async def update_row(
    session: AsyncSession, table: sa.Table, key: Mapping[str, Any], values: Mapping[str, Any]
) -> Row | None:
    """Apply changes, bump the version and the update time; the row after the change."""
    condition = sa.and_(*(table.c[name] == value for name, value in key.items()))
    statement = (
        sa.update(table)
        .where(condition)
        .values(
            **values, version=table.c.version + 1, **({"updated_at": sa.func.now()} if "updated_at" in table.c else {})
        )
        .returning(table)
    )
    return await fetch_one(session, statement)


async def lock(session: AsyncSession, table: sa.Table, key: Mapping[str, Any]) -> Row | None:
    condition = sa.and_(*(table.c[name] == value for name, value in key.items()))
    return await fetch_one(session, sa.select(table).where(condition).with_for_update())


async def insert_if_missing(session: AsyncSession, table: sa.Table, values: Mapping[str, Any], keys: list[str]) -> bool:
    """Insert a row unless its key exists; True when inserted."""
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=keys)
        .returning(*[table.c[k] for k in keys])
    )
    return (await session.execute(statement)).first() is not None


# Patients


async def patient(session: AsyncSession, patient_id: uuid.UUID) -> Row | None:
    query = (
        sa.select(patients, profiles.c.first_name, profiles.c.last_name)
        .select_from(patients.outerjoin(profiles, profiles.c.id == patients.c.id))
        .where(patients.c.id == patient_id)
    )
    return await fetch_one(session, query)


async def care_relationship(session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> Row | None:
    """Open appointments and the end of the last non-cancelled one, between a patient and a doctor."""
    active = visits.c.status.in_(("BOOKED", "CHECKED_IN", "IN_PROGRESS"))
    query = sa.select(
        sa.func.count().filter(active).label("open_appointments"),
        sa.func.max(sa.func.coalesce(visits.c.ends_at, visits.c.starts_at))
        .filter(visits.c.status != "CANCELLED")
        .label("last_appointment_at"),
    ).where(visits.c.patient_id == patient_id, visits.c.doctor_id == doctor_id)
    row = await fetch_one(session, query)
    return row if row and (row["open_appointments"] or row["last_appointment_at"]) else None


async def apply_visit(session: AsyncSession, values: Mapping[str, Any]) -> None:
    """Mirror an appointment; an older event than the one held changes nothing."""
    statement = insert(visits).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["appointment_id"],
        set_={k: v for k, v in values.items() if k != "appointment_id"},
        where=visits.c.version < values["version"],
    )
    await session.execute(statement)


async def has_completed_visit(session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> bool:
    query = sa.select(visits.c.appointment_id).where(
        visits.c.patient_id == patient_id, visits.c.doctor_id == doctor_id, visits.c.status == "COMPLETED"
    )
    return (await session.execute(query.limit(1))).first() is not None


async def save_rating(session: AsyncSession, values: Mapping[str, Any]) -> Row:
    statement = (
        insert(ratings)
        .values(**values)
        .on_conflict_do_update(
            index_elements=["doctor_id", "patient_id"],
            set_={"rating": values["rating"], "review": values["review"], "updated_at": sa.func.now()},
        )
        .returning(ratings)
    )
    row = await fetch_one(session, statement)
    assert row is not None
    return row


async def refresh_rating_summary(session: AsyncSession, doctor_id: uuid.UUID) -> None:
    """Average and count recomputed from the ratings, under the doctor's row lock: always consistent."""
    of_doctor = ratings.c.doctor_id == doctor_id
    await session.execute(
        sa.update(doctors)
        .where(doctors.c.id == doctor_id)
        .values(
            average_rating=sa.select(sa.func.coalesce(sa.func.round(sa.func.avg(ratings.c.rating), 2), 0))
            .where(of_doctor)
            .scalar_subquery(),
            rating_count=sa.select(sa.func.count()).where(of_doctor).scalar_subquery(),
        )
    )


async def list_ratings(
    session: AsyncSession, doctor_id: uuid.UUID, after: tuple[Any, uuid.UUID] | None, limit: int
) -> list[Row]:
    query = (
        sa.select(ratings)
        .where(ratings.c.doctor_id == doctor_id)
        .order_by(ratings.c.created_at.desc(), ratings.c.patient_id.desc())
        .limit(limit)
    )
    if after is not None:
        query = query.where(sa.tuple_(ratings.c.created_at, ratings.c.patient_id) < sa.tuple_(*map(sa.literal, after)))
    return await fetch_all(session, query)


async def find_patients(session: AsyncSession, *, email: str, phone: str) -> list[Row]:
    query = sa.select(profiles.c.id, profiles.c.first_name, profiles.c.last_name).where(profiles.c.role == "PATIENT")
    query = query.where(profiles.c.email == email) if email else query.where(profiles.c.phone_number == phone)
    return await fetch_all(session, query.order_by(profiles.c.id).limit(5))


async def list_consents(session: AsyncSession, patient_id: uuid.UUID) -> list[Row]:
    query = sa.select(consents).where(consents.c.patient_id == patient_id).order_by(consents.c.grant_time.desc())
    return await fetch_all(session, query)


async def delete_consent(session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> bool:
    statement = (
        sa.delete(consents)
        .where(consents.c.patient_id == patient_id, consents.c.doctor_id == doctor_id)
        .returning(consents.c.patient_id)
    )
    return (await session.execute(statement)).first() is not None


# Doctors


def _doctor_query() -> sa.Select[Any]:
    return sa.select(doctors, profiles.c.first_name, profiles.c.last_name, verified).select_from(
        doctors.outerjoin(profiles, profiles.c.id == doctors.c.id).outerjoin(
            accounts, accounts.c.user_id == doctors.c.id
        )
    )


async def doctor(session: AsyncSession, doctor_id: uuid.UUID) -> Row | None:
    return await fetch_one(session, _doctor_query().where(doctors.c.id == doctor_id))


async def doctor_clinics(session: AsyncSession, doctor_id: uuid.UUID) -> list[Row]:
    query = (
        sa.select(clinics.c.id, clinics.c.name)
        .join(affiliations, affiliations.c.clinic_id == clinics.c.id)
        .where(affiliations.c.doctor_id == doctor_id, affiliations.c.status == "CONFIRMED")
        .order_by(clinics.c.name)
    )
    return await fetch_all(session, query)


async def search_doctors(
    session: AsyncSession,
    *,
    specialization: str,
    clinic_id: uuid.UUID | None,
    query: str,
    verified_only: bool,
    after: tuple[str, str, uuid.UUID] | None,
    limit: int,
) -> list[Row]:
    """Doctors by family name, given name and id (keyset-paginated)."""
    last_name = sa.func.coalesce(profiles.c.last_name, "")
    first_name = sa.func.coalesce(profiles.c.first_name, "")
    select = _doctor_query().order_by(last_name, first_name, doctors.c.id).limit(limit)
    if specialization:
        select = select.where(sa.func.lower(doctors.c.specialization) == specialization.strip().lower())
    if clinic_id is not None:
        confirmed = sa.select(affiliations.c.doctor_id).where(
            affiliations.c.clinic_id == clinic_id, affiliations.c.status == "CONFIRMED"
        )
        select = select.where(doctors.c.id.in_(confirmed))
    if query:
        full_name = sa.func.lower(first_name + " " + last_name)
        select = select.where(full_name.contains(query.strip().lower(), autoescape=True))
    if verified_only:
        select = select.where(accounts.c.status == "ACTIVE")
    if after is not None:
        select = select.where(sa.tuple_(last_name, first_name, doctors.c.id) > sa.tuple_(*map(sa.literal, after)))
    return await fetch_all(session, select)


# Clinics and affiliations


async def clinic(session: AsyncSession, clinic_id: uuid.UUID) -> Row | None:
    return await fetch_one(session, sa.select(clinics).where(clinics.c.id == clinic_id))


async def clinics_of(session: AsyncSession, admin_id: uuid.UUID) -> list[Row]:
    return await fetch_all(session, sa.select(clinics).where(clinics.c.admin_id == admin_id))


async def lock_key(session: AsyncSession, key: str) -> None:
    """Serialize transactions about one thing that may not have a row yet (e.g. an admin's first clinic)."""
    await session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


async def newest_first(
    session: AsyncSession, table: sa.Table, *, query: str, after: tuple[Any, uuid.UUID] | None, limit: int
) -> list[Row]:
    """Clinics or pharmacies, newest first, optionally by part of the name (keyset-paginated)."""
    select = _pharmacy_query() if table is pharmacies else sa.select(table)
    select = select.order_by(table.c.created_at.desc(), table.c.id.desc()).limit(limit)
    if query:
        select = select.where(sa.func.lower(table.c.name).contains(query.strip().lower(), autoescape=True))
    if after is not None:
        select = select.where(sa.tuple_(table.c.created_at, table.c.id) < sa.tuple_(*map(sa.literal, after)))
    return await fetch_all(session, select)


def _affiliation_query() -> sa.Select[Any]:
    return sa.select(affiliations, profiles.c.first_name, profiles.c.last_name, doctors.c.specialization).select_from(
        affiliations.outerjoin(profiles, profiles.c.id == affiliations.c.doctor_id).outerjoin(
            doctors, doctors.c.id == affiliations.c.doctor_id
        )
    )


async def affiliation(session: AsyncSession, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Row | None:
    query = _affiliation_query().where(affiliations.c.clinic_id == clinic_id, affiliations.c.doctor_id == doctor_id)
    return await fetch_one(session, query)


async def clinic_doctors(
    session: AsyncSession, clinic_id: uuid.UUID, statuses: tuple[str, ...], *, verified_only: bool
) -> list[Row]:
    query = (
        _affiliation_query()
        .where(affiliations.c.clinic_id == clinic_id, affiliations.c.status.in_(statuses))
        .order_by(profiles.c.last_name, profiles.c.first_name)
    )
    if verified_only:
        active = sa.select(accounts.c.user_id).where(accounts.c.status == "ACTIVE")
        query = query.where(affiliations.c.doctor_id.in_(active))
    return await fetch_all(session, query)


# Pharmacies


def _pharmacy_query() -> sa.Select[Any]:
    return sa.select(pharmacies, verified).select_from(
        pharmacies.outerjoin(accounts, accounts.c.user_id == pharmacies.c.owner_id)
    )


async def pharmacy(session: AsyncSession, pharmacy_id: uuid.UUID) -> Row | None:
    return await fetch_one(session, _pharmacy_query().where(pharmacies.c.id == pharmacy_id))


async def pharmacy_of(session: AsyncSession, owner_id: uuid.UUID) -> Row | None:
    return await fetch_one(session, _pharmacy_query().where(pharmacies.c.owner_id == owner_id))


async def license_holder(session: AsyncSession, license_number: str) -> uuid.UUID | None:
    query = sa.select(pharmacies.c.owner_id).where(pharmacies.c.license_number == license_number)
    return cast(uuid.UUID | None, (await session.execute(query)).scalar())
