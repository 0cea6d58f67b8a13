"""Clinics."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.profile.domain.clinics import Clinic, ClinicChanges
from services.profile.store.tables import (
    clinics,
    lock_key,
    new_version,
    newest_first,
    operating_hours,
    requested,
    stored_hours,
)


def _clinic(row: sa.Row[Any]) -> Clinic:
    return Clinic(
        id=row.id,
        admin_id=row.admin_id,
        name=row.name,
        address=row.address,
        phone=row.phone,
        email=row.email,
        time_zone=row.time_zone,
        currency=row.currency,
        operating_hours=operating_hours(row.operating_hours),
        departments=tuple(row.departments),
        active=row.active,
        create_time=row.created_at,
        update_time=row.updated_at,
        version=row.version,
    )


def _values(changes: ClinicChanges) -> dict[str, object]:
    return requested(
        changes.requested,
        name=changes.name,
        address=changes.address,
        phone=changes.phone,
        email=changes.email,
        time_zone=changes.time_zone,
        currency=changes.currency,
        operating_hours=stored_hours(changes.operating_hours),
        departments=list(changes.departments),
        active=changes.active,
    )


async def get(session: AsyncSession, clinic_id: uuid.UUID) -> Clinic | None:
    row = (await session.execute(sa.select(clinics).where(clinics.c.id == clinic_id))).first()
    return _clinic(row) if row is not None else None


async def lock(session: AsyncSession, clinic_id: uuid.UUID) -> Clinic | None:
    row = (await session.execute(sa.select(clinics).where(clinics.c.id == clinic_id).with_for_update())).first()
    return _clinic(row) if row is not None else None


async def lock_admin(session: AsyncSession, admin_id: uuid.UUID) -> None:
    """Serialize the creation of an admin's clinic (from the API and from the registration event)."""
    await lock_key(session, f"clinic-admin:{admin_id}")


async def any_of_admin(session: AsyncSession, admin_id: uuid.UUID) -> bool:
    query = sa.select(clinics.c.id).where(clinics.c.admin_id == admin_id).limit(1)
    return (await session.execute(query)).first() is not None


async def insert(session: AsyncSession, admin_id: uuid.UUID, changes: ClinicChanges) -> Clinic:
    """A new clinic of the admin, with the requested fields (the table's defaults for the others)."""
    statement = (
        sa.insert(clinics).values(**_values(changes), id=uuid.uuid4(), admin_id=admin_id, version=1).returning(clinics)
    )
    return _clinic((await session.execute(statement)).one())


async def update(session: AsyncSession, clinic_id: uuid.UUID, changes: ClinicChanges) -> Clinic:
    """Write the requested fields as a new version; the clinic as it now is."""
    statement = (
        sa.update(clinics)
        .where(clinics.c.id == clinic_id)
        .values(**_values(changes), **new_version(clinics))
        .returning(clinics)
    )
    return _clinic((await session.execute(statement)).one())


async def newest(
    session: AsyncSession, *, query: str, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[Clinic]:
    select = newest_first(sa.select(clinics), clinics, query=query, after=after, limit=limit)
    return [_clinic(row) for row in (await session.execute(select)).all()]
