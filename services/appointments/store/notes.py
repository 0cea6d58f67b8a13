"""Consultation notes, their addenda, and a patient's history of completed visits."""

from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments.domain.booking import ACTIVE, Appointment, Status
from services.appointments.domain.notes import Addendum, Notes, NotesChange
from services.appointments.store.appointments import appointment_of, appointment_query
from services.appointments.store.tables import addenda, appointments, notes, value_of
from services.common.care import CareRelationship


def _notes(row: sa.RowMapping, prefix: str = "") -> Notes:
    return value_of(Notes, row, prefix=prefix)


async def notes_of(db: AsyncSession, appointment_id: uuid.UUID, *, lock: bool = False) -> Notes | None:
    query = sa.select(notes).where(notes.c.appointment_id == appointment_id)
    row = (await db.execute(query.with_for_update() if lock else query)).mappings().first()
    return _notes(row) if row is not None else None


async def save_notes(db: AsyncSession, appointment: Appointment, change: NotesChange) -> None:
    """Create the notes of an appointment, or change the given fields of existing ones."""
    values = change.values()
    statement = insert(notes).values(
        appointment_id=appointment.id, doctor_id=appointment.doctor_id, patient_id=appointment.patient_id,
        version=1, **values,
    )  # fmt: skip
    statement = statement.on_conflict_do_update(
        index_elements=["appointment_id"],
        set_={**values, "version": notes.c.version + 1, "updated_at": sa.func.now()},
    )
    await db.execute(statement)


async def addenda_of(db: AsyncSession, appointment_ids: list[uuid.UUID]) -> list[Addendum]:
    query = sa.select(addenda).where(addenda.c.appointment_id.in_(appointment_ids)).order_by(addenda.c.created_at)
    return [
        Addendum(
            id=r["id"],
            appointment_id=r["appointment_id"],
            author_id=r["author_id"],
            text=r["text"],
            created_at=r["created_at"],
        )
        for r in (await db.execute(query)).mappings()
    ]


async def add_addendum(db: AsyncSession, appointment_id: uuid.UUID, author_id: uuid.UUID, text: str) -> None:
    await db.execute(
        sa.insert(addenda).values(id=uuid.uuid4(), appointment_id=appointment_id, author_id=author_id, text=text)
    )


async def care_relationship(db: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> CareRelationship:
    """Open appointments and the end of the last non-cancelled one, between a patient and a doctor."""
    a = appointments
    query = sa.select(
        sa.func.count().filter(a.c.status.in_([s.value for s in ACTIVE])),
        sa.func.max(sa.func.coalesce(a.c.actual_end_time, a.c.estimated_start_time)).filter(
            a.c.status != Status.CANCELLED.value
        ),
    ).where(a.c.patient_id == patient_id, a.c.doctor_id == doctor_id)
    row = (await db.execute(query)).one()
    return CareRelationship(int(row[0]), row[1])


async def completed_with_notes(
    db: AsyncSession, patient_id: uuid.UUID, after: tuple[date, uuid.UUID] | None, limit: int
) -> list[tuple[Appointment, Notes | None]]:
    """A patient's completed appointments, newest first, each with its notes (if any)."""
    query = (
        appointment_query()
        .add_columns(*(c.label(f"notes_{c.name}") for c in notes.c))
        .outerjoin(notes, notes.c.appointment_id == appointments.c.id)
        .where(appointments.c.patient_id == patient_id, appointments.c.status == Status.COMPLETED.value)
        .order_by(appointments.c.appointment_date.desc(), appointments.c.id.desc())
        .limit(limit)
    )
    if after is not None:
        key = sa.tuple_(appointments.c.appointment_date, appointments.c.id)
        query = query.where(key < sa.tuple_(*map(sa.literal, after)))
    return [
        (appointment_of(r), _notes(r, "notes_") if r["notes_appointment_id"] is not None else None)
        for r in (await db.execute(query)).mappings()
    ]
