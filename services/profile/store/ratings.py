"""Ratings of doctors, and the average and count kept on the doctor."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.profile.domain.ratings import Rating
from services.profile.store.tables import doctors, ratings


def _rating(row: sa.Row[Any]) -> Rating:
    return Rating(
        doctor_id=row.doctor_id,
        patient_id=row.patient_id,
        rating=row.rating,
        review=row.review,
        create_time=row.created_at,
        update_time=row.updated_at,
    )


async def save(
    session: AsyncSession, *, doctor_id: uuid.UUID, patient_id: uuid.UUID, rating: int, review: str
) -> Rating:
    """The patient's rating of the doctor, replacing an earlier one."""
    statement = (
        insert(ratings)
        .values(doctor_id=doctor_id, patient_id=patient_id, rating=rating, review=review)
        .on_conflict_do_update(
            index_elements=["doctor_id", "patient_id"],
            set_={"rating": rating, "review": review, "updated_at": sa.func.now()},
        )
        .returning(ratings)
    )
    return _rating((await session.execute(statement)).one())


async def refresh_summary(session: AsyncSession, doctor_id: uuid.UUID) -> None:
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


async def of_doctor(
    session: AsyncSession, doctor_id: uuid.UUID, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[Rating]:
    """Newest first (keyset-paginated)."""
    query = (
        sa.select(ratings)
        .where(ratings.c.doctor_id == doctor_id)
        .order_by(ratings.c.created_at.desc(), ratings.c.patient_id.desc())
        .limit(limit)
    )
    if after is not None:
        query = query.where(sa.tuple_(ratings.c.created_at, ratings.c.patient_id) < sa.tuple_(*map(sa.literal, after)))
    return [_rating(row) for row in (await session.execute(query)).all()]
