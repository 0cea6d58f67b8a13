"""Affiliations of doctors with clinics; every change is a new version."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.context import AccountStatus
from services.profile.domain.affiliations import Affiliation, AffiliationStatus
from services.profile.store.tables import accounts, affiliations, doctors, new_version, profiles


def _query() -> sa.Select[Any]:
    return sa.select(affiliations, profiles.c.first_name, profiles.c.last_name, doctors.c.specialization).select_from(
        affiliations.outerjoin(profiles, profiles.c.id == affiliations.c.doctor_id).outerjoin(
            doctors, doctors.c.id == affiliations.c.doctor_id
        )
    )


def _affiliation(row: sa.Row[Any]) -> Affiliation:
    return Affiliation(
        clinic_id=row.clinic_id,
        doctor_id=row.doctor_id,
        status=AffiliationStatus(row.status),
        first_name=row.first_name or "",
        last_name=row.last_name or "",
        specialization=row.specialization or "",
        invite_time=row.invite_time,
        respond_time=row.respond_time,
        end_time=row.end_time,
        version=row.version,
    )


def _of(clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> sa.ColumnElement[bool]:
    return sa.and_(affiliations.c.clinic_id == clinic_id, affiliations.c.doctor_id == doctor_id)


async def get(session: AsyncSession, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Affiliation | None:
    row = (await session.execute(_query().where(_of(clinic_id, doctor_id)))).first()
    return _affiliation(row) if row is not None else None


async def lock(session: AsyncSession, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> Affiliation | None:
    """The affiliation, its row locked until the transaction ends (transitions serialize on it)."""
    query = _query().where(_of(clinic_id, doctor_id)).with_for_update(of=affiliations)
    row = (await session.execute(query)).first()
    return _affiliation(row) if row is not None else None


async def insert_if_missing(
    session: AsyncSession, clinic_id: uuid.UUID, doctor_id: uuid.UUID, invite_time: datetime
) -> bool:
    """A pending invitation unless the doctor was ever invited to the clinic; True when created."""
    statement = (
        insert(affiliations)
        .values(
            clinic_id=clinic_id,
            doctor_id=doctor_id,
            status=AffiliationStatus.PENDING.value,
            invite_time=invite_time,
            version=1,
        )
        .on_conflict_do_nothing(index_elements=["clinic_id", "doctor_id"])
        .returning(affiliations.c.clinic_id)
    )
    return (await session.execute(statement)).first() is not None


async def _change(session: AsyncSession, clinic_id: uuid.UUID, doctor_id: uuid.UUID, **values: object) -> None:
    statement = sa.update(affiliations).where(_of(clinic_id, doctor_id)).values(**values, **new_version(affiliations))
    await session.execute(statement)


async def reinvite(session: AsyncSession, clinic_id: uuid.UUID, doctor_id: uuid.UUID, invite_time: datetime) -> None:
    """Pending again, after a rejection or an end."""
    await _change(
        session,
        clinic_id,
        doctor_id,
        status=AffiliationStatus.PENDING.value,
        invite_time=invite_time,
        respond_time=None,
        end_time=None,
    )


async def answer(
    session: AsyncSession,
    clinic_id: uuid.UUID,
    doctor_id: uuid.UUID,
    status: AffiliationStatus,
    respond_time: datetime,
) -> None:
    await _change(session, clinic_id, doctor_id, status=status.value, respond_time=respond_time)


async def end(session: AsyncSession, clinic_id: uuid.UUID, doctor_id: uuid.UUID, end_time: datetime) -> None:
    await _change(session, clinic_id, doctor_id, status=AffiliationStatus.ENDED.value, end_time=end_time)


async def of_clinic(
    session: AsyncSession, clinic_id: uuid.UUID, statuses: tuple[AffiliationStatus, ...], *, verified_only: bool
) -> list[Affiliation]:
    """The clinic's doctors in these statuses, by family and given name."""
    query = (
        _query()
        .where(affiliations.c.clinic_id == clinic_id, affiliations.c.status.in_([s.value for s in statuses]))
        .order_by(profiles.c.last_name, profiles.c.first_name)
    )
    if verified_only:
        active = sa.select(accounts.c.user_id).where(accounts.c.status == AccountStatus.ACTIVE.value)
        query = query.where(affiliations.c.doctor_id.in_(active))
    return [_affiliation(row) for row in (await session.execute(query)).all()]
