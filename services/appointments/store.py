"""Queries and writes of the appointments database; callers own the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments import models
from services.appointments.schedule import DateOverride, SessionPlan
from services.common import projections
from services.common.db import Row, fetch_all, fetch_one

accounts = projections.accounts
doctors = cast(sa.Table, models.Doctor.__table__)
clinics = cast(sa.Table, models.Clinic.__table__)
affiliations = cast(sa.Table, models.Affiliation.__table__)
sessions = cast(sa.Table, models.Session.__table__)
overrides = cast(sa.Table, models.SessionOverride.__table__)
appointments = cast(sa.Table, models.Appointment.__table__)
history = cast(sa.Table, models.StatusChange.__table__)
call_next_requests = cast(sa.Table, models.CallNextRequest.__table__)

HOLDING = ("BOOKED", "CHECKED_IN", "IN_PROGRESS", "COMPLETED", "NO_SHOW")
ACTIVE = ("BOOKED", "CHECKED_IN", "IN_PROGRESS")


# Directory


async def doctor(session: AsyncSession, doctor_id: uuid.UUID) -> Row | None:
    query = sa.select(doctors, accounts.c.status.label("account_status")).select_from(
        doctors.outerjoin(accounts, accounts.c.user_id == doctors.c.id)
    )
    return await fetch_one(session, query.where(doctors.c.id == doctor_id))


async def clinic(session: AsyncSession, clinic_id: uuid.UUID) -> Row | None:
    return await fetch_one(session, sa.select(clinics).where(clinics.c.id == clinic_id))


async def affiliation_status(session: AsyncSession, clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> str | None:
    query = sa.select(affiliations.c.status).where(
        affiliations.c.clinic_id == clinic_id, affiliations.c.doctor_id == doctor_id
    )
    return cast(str | None, (await session.execute(query)).scalar())


async def lock_key(session: AsyncSession, key: str) -> None:
    await session.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


# Sessions


def session_query() -> sa.Select[Any]:
    """Sessions with what they show of their doctor and clinic (fee, currency, names)."""
    return sa.select(
        sessions,
        doctors.c.first_name.label("doctor_first_name"),
        doctors.c.last_name.label("doctor_last_name"),
        doctors.c.specialization,
        sa.func.coalesce(doctors.c.consultation_fee, Decimal(0)).label("fee"),
        sa.func.coalesce(sa.func.nullif(clinics.c.currency, ""), doctors.c.currency, "").label("currency"),
        clinics.c.name.label("clinic_name"),
        accounts.c.status.label("doctor_status"),
    ).select_from(
        sessions.outerjoin(doctors, doctors.c.id == sessions.c.doctor_id)
        .outerjoin(clinics, clinics.c.id == sessions.c.clinic_id)
        .outerjoin(accounts, accounts.c.user_id == sessions.c.doctor_id)
    )


async def session_row(session: AsyncSession, session_id: uuid.UUID, *, lock: bool = False) -> Row | None:
    query = session_query().where(sessions.c.id == session_id)
    return await fetch_one(session, query.with_for_update(of=sessions) if lock else query)


async def session_on(session: AsyncSession, session_id: uuid.UUID, day: date) -> tuple[Row | None, Row | None]:
    """A session and its override of one date (if any), in one round trip (the booking's hot path)."""
    override_columns = [c.label(f"override_{c.name}") for c in overrides.c]
    query = (
        session_query()
        .add_columns(*override_columns)
        .outerjoin(overrides, sa.and_(overrides.c.session_id == sessions.c.id, overrides.c.date == day))
        .where(sessions.c.id == session_id)
    )
    row = await fetch_one(session, query)
    if row is None:
        return None, None
    found = {c.name: row[f"override_{c.name}"] for c in overrides.c}
    return row, found if found["date"] is not None else None


async def doctor_sessions(session: AsyncSession, doctor_id: uuid.UUID) -> list[Row]:
    return await fetch_all(session, sa.select(sessions).where(sessions.c.doctor_id == doctor_id, sessions.c.active))


async def list_sessions(
    session: AsyncSession,
    *,
    doctor_id: uuid.UUID | None,
    clinic_id: uuid.UUID | None,
    active_only: bool,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Row]:
    query = session_query().order_by(sessions.c.created_at.desc(), sessions.c.id.desc()).limit(limit)
    if doctor_id is not None:
        query = query.where(sessions.c.doctor_id == doctor_id)
    if clinic_id is not None:
        query = query.where(sessions.c.clinic_id == clinic_id)
    if active_only:
        query = query.where(sessions.c.active)
    if after is not None:
        query = query.where(sa.tuple_(sessions.c.created_at, sessions.c.id) < sa.tuple_(*map(sa.literal, after)))
    return await fetch_all(session, query)


async def insert_session(session: AsyncSession, values: Mapping[str, Any]) -> None:
    await session.execute(sa.insert(sessions).values(**values))


async def deactivate_session(session: AsyncSession, session_id: uuid.UUID) -> None:
    await session.execute(
        sa.update(sessions)
        .where(sessions.c.id == session_id)
        .values(active=False, version=sessions.c.version + 1, updated_at=sa.func.now())
    )


async def bookable_sessions(
    session: AsyncSession,
    *,
    doctor_id: uuid.UUID | None,
    clinic_id: uuid.UUID | None,
    specialization: str,
    service_types: tuple[str, ...] | None,
) -> list[Row]:
    query = session_query().where(sessions.c.active, accounts.c.status == "ACTIVE")
    if doctor_id is not None:
        query = query.where(sessions.c.doctor_id == doctor_id)
    if clinic_id is not None:
        query = query.where(sessions.c.clinic_id == clinic_id)
    if specialization:
        query = query.where(sa.func.lower(doctors.c.specialization) == specialization.strip().lower())
    if service_types is not None:
        query = query.where(sessions.c.service_type.in_(service_types))
    return await fetch_all(session, query)


# Overrides


async def session_overrides(session: AsyncSession, session_ids: list[uuid.UUID], first: date, last: date) -> list[Row]:
    query = sa.select(overrides).where(
        overrides.c.session_id.in_(session_ids), overrides.c.date >= first, overrides.c.date <= last
    )
    return await fetch_all(session, query.order_by(overrides.c.date))


async def override(session: AsyncSession, session_id: uuid.UUID, day: date) -> Row | None:
    return await fetch_one(
        session, sa.select(overrides).where(overrides.c.session_id == session_id, overrides.c.date == day)
    )


async def save_override(session: AsyncSession, values: Mapping[str, Any]) -> None:
    statement = insert(overrides).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=["session_id", "date"], set_={k: v for k, v in values.items() if k not in ("session_id", "date")}
    )
    await session.execute(statement)


async def delete_override(session: AsyncSession, session_id: uuid.UUID, day: date) -> bool:
    statement = (
        sa.delete(overrides)
        .where(overrides.c.session_id == session_id, overrides.c.date == day)
        .returning(overrides.c.date)
    )
    return (await session.execute(statement)).first() is not None


async def lock_occurrence(session: AsyncSession, session_id: uuid.UUID, day: date) -> None:
    """The same lock bookings take: nothing is booked into the occurrence while it is held."""
    occurrences = cast(sa.Table, models.Occurrence.__table__)
    await session.execute(insert(occurrences).values(session_id=session_id, date=day).on_conflict_do_nothing())
    await session.execute(
        sa.select(occurrences.c.session_id)
        .where(occurrences.c.session_id == session_id, occurrences.c.date == day)
        .with_for_update()
    )


# Appointments


async def held_numbers(
    session: AsyncSession, session_ids: list[uuid.UUID], first: date, last: date
) -> dict[tuple[uuid.UUID, date], list[int]]:
    """Queue numbers held (by anything but cancelled appointments) per occurrence."""
    query = (
        sa.select(
            appointments.c.session_id, appointments.c.appointment_date, sa.func.array_agg(appointments.c.queue_number)
        )
        .where(
            appointments.c.session_id.in_(session_ids),
            appointments.c.appointment_date >= first,
            appointments.c.appointment_date <= last,
            appointments.c.status != "CANCELLED",
        )
        .group_by(appointments.c.session_id, appointments.c.appointment_date)
    )
    return {(r[0], r[1]): list(r[2]) for r in (await session.execute(query)).all()}


async def book(session: AsyncSession, **arguments: Any) -> tuple[uuid.UUID, bool]:
    """Call book_appointment(); raises the database error for SESSION_FULL / ALREADY_BOOKED."""
    names = [
        "id", "session_id", "date", "patient", "doctor", "clinic", "type", "complaint", "capacity", "occurrence_start",
        "minutes", "fee", "currency", "booked_by", "request", "actor_role", "rescheduled_from",
    ]  # fmt: skip
    placeholders = ", ".join(f":{n}" for n in names)
    row = (await session.execute(sa.text(f"SELECT * FROM book_appointment({placeholders})"), arguments)).one()  # noqa: S608
    return row[0], row[1]


def appointment_query() -> sa.Select[Any]:
    return sa.select(
        appointments,
        doctors.c.first_name.label("doctor_first_name"),
        doctors.c.last_name.label("doctor_last_name"),
        doctors.c.specialization,
        clinics.c.name.label("clinic_name"),
        clinics.c.admin_id.label("clinic_admin_id"),
        sessions.c.time_zone,
        sessions.c.session_start_time,
        sessions.c.estimated_consultation_minutes,
    ).select_from(
        appointments.join(sessions, sessions.c.id == appointments.c.session_id)
        .outerjoin(doctors, doctors.c.id == appointments.c.doctor_id)
        .outerjoin(clinics, clinics.c.id == appointments.c.clinic_id)
    )


async def appointment(session: AsyncSession, appointment_id: uuid.UUID, *, lock: bool = False) -> Row | None:
    query = appointment_query().where(appointments.c.id == appointment_id)
    return await fetch_one(session, query.with_for_update(of=appointments) if lock else query)


async def list_appointments(
    session: AsyncSession,
    *,
    conditions: list[Any],
    after: tuple[date, int, uuid.UUID] | None,
    limit: int,
) -> list[Row]:
    query = (
        appointment_query()
        .where(*conditions)
        .order_by(appointments.c.appointment_date, appointments.c.queue_number, appointments.c.id)
        .limit(limit)
    )
    if after is not None:
        key = sa.tuple_(appointments.c.appointment_date, appointments.c.queue_number, appointments.c.id)
        query = query.where(key > sa.tuple_(*map(sa.literal, after)))
    return await fetch_all(session, query)


async def future_active(
    session: AsyncSession, *, session_id: uuid.UUID, first: date, day: date | None = None
) -> list[Row]:
    """Active appointments of a session from `first` on (or of one day), locked, in queue order."""
    condition = [appointments.c.session_id == session_id, appointments.c.status.in_(ACTIVE)]
    condition.append(appointments.c.appointment_date == day if day else appointments.c.appointment_date >= first)
    query = appointment_query().where(*condition).order_by(appointments.c.appointment_date, appointments.c.queue_number)
    return await fetch_all(session, query.with_for_update(of=appointments))


async def highest_held(session: AsyncSession, session_id: uuid.UUID, day: date) -> int:
    query = sa.select(sa.func.coalesce(sa.func.max(appointments.c.queue_number), 0)).where(
        appointments.c.session_id == session_id,
        appointments.c.appointment_date == day,
        appointments.c.status != "CANCELLED",
    )
    return int((await session.execute(query)).scalar_one())


async def change_status(
    session: AsyncSession,
    row: Row,
    status: str,
    *,
    actor_id: uuid.UUID | None,
    actor_role: str,
    reason: str = "",
    values: Mapping[str, Any] | None = None,
) -> None:
    """Move an appointment to `status` and record it in its history, in one transaction."""
    await session.execute(
        sa.update(appointments)
        .where(appointments.c.id == row["id"])
        .values(status=status, version=appointments.c.version + 1, updated_at=sa.func.now(), **(values or {}))
    )
    await session.execute(
        sa.insert(history).values(
            appointment_id=row["id"],
            from_status=row["status"],
            to_status=status,
            actor_id=actor_id,
            actor_role=actor_role,
            reason=reason,
        )
    )


async def status_changes(session: AsyncSession, appointment_id: uuid.UUID) -> list[Row]:
    query = sa.select(history).where(history.c.appointment_id == appointment_id).order_by(history.c.id)
    return await fetch_all(session, query)


async def occurrence_appointments(
    session: AsyncSession, session_id: uuid.UUID, day: date, *, lock: bool = False
) -> list[Row]:
    """Every appointment of one occurrence but the cancelled ones, in queue order."""
    query = (
        sa.select(appointments)
        .where(
            appointments.c.session_id == session_id,
            appointments.c.appointment_date == day,
            appointments.c.status != "CANCELLED",
        )
        .order_by(appointments.c.queue_number)
    )
    return await fetch_all(session, query.with_for_update() if lock else query)


async def called_for(session: AsyncSession, doctor_id: uuid.UUID, request_id: uuid.UUID) -> uuid.UUID | None:
    query = sa.select(call_next_requests.c.appointment_id).where(
        call_next_requests.c.doctor_id == doctor_id, call_next_requests.c.request_id == request_id
    )
    return cast(uuid.UUID | None, (await session.execute(query)).scalar())


async def remember_call(
    session: AsyncSession, doctor_id: uuid.UUID, request_id: uuid.UUID, appointment_id: uuid.UUID
) -> None:
    await session.execute(
        sa.insert(call_next_requests).values(doctor_id=doctor_id, request_id=request_id, appointment_id=appointment_id)
    )


# Notes

notes_table = cast(sa.Table, models.ConsultationNotes.__table__)
addenda = cast(sa.Table, models.Addendum.__table__)
consents = cast(sa.Table, models.Consent.__table__)


async def notes(session: AsyncSession, appointment_id: uuid.UUID, *, lock: bool = False) -> Row | None:
    query = sa.select(notes_table).where(notes_table.c.appointment_id == appointment_id)
    return await fetch_one(session, query.with_for_update() if lock else query)


async def save_notes(session: AsyncSession, appointment: Row, values: Mapping[str, Any]) -> None:
    """Create the notes of an appointment, or change the given fields of existing ones."""
    statement = insert(notes_table).values(
        appointment_id=appointment["id"], doctor_id=appointment["doctor_id"], patient_id=appointment["patient_id"],
        version=1, **values,
    )  # fmt: skip
    statement = statement.on_conflict_do_update(
        index_elements=["appointment_id"],
        set_={**values, "version": notes_table.c.version + 1, "updated_at": sa.func.now()},
    )
    await session.execute(statement)


async def note_addenda(session: AsyncSession, appointment_ids: list[uuid.UUID]) -> list[Row]:
    query = sa.select(addenda).where(addenda.c.appointment_id.in_(appointment_ids)).order_by(addenda.c.created_at)
    return await fetch_all(session, query)


async def add_addendum(session: AsyncSession, appointment_id: uuid.UUID, author_id: uuid.UUID, text: str) -> None:
    await session.execute(
        sa.insert(addenda).values(id=uuid.uuid4(), appointment_id=appointment_id, author_id=author_id, text=text)
    )


async def consented(session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID) -> bool:
    query = sa.select(consents.c.granted).where(consents.c.patient_id == patient_id, consents.c.doctor_id == doctor_id)
    return bool((await session.execute(query)).scalar())


async def care_relationship(
    session: AsyncSession, patient_id: uuid.UUID, doctor_id: uuid.UUID
) -> tuple[int, datetime | None]:
    """Open appointments and the end of the last non-cancelled one, between a patient and a doctor."""
    a = appointments
    query = sa.select(
        sa.func.count().filter(a.c.status.in_(ACTIVE)),
        sa.func.max(sa.func.coalesce(a.c.actual_end_time, a.c.estimated_start_time)).filter(a.c.status != "CANCELLED"),
    ).where(a.c.patient_id == patient_id, a.c.doctor_id == doctor_id)
    row = (await session.execute(query)).one()
    return int(row[0]), row[1]


async def completed_with_notes(
    session: AsyncSession, patient_id: uuid.UUID, after: tuple[date, uuid.UUID] | None, limit: int
) -> list[Row]:
    """A patient's completed appointments, newest first, each with its notes (if any) under `notes_*`."""
    labelled = [c.label(f"notes_{c.name}") for c in notes_table.c]
    query = (
        appointment_query()
        .add_columns(*labelled)
        .outerjoin(notes_table, notes_table.c.appointment_id == appointments.c.id)
        .where(appointments.c.patient_id == patient_id, appointments.c.status == "COMPLETED")
        .order_by(appointments.c.appointment_date.desc(), appointments.c.id.desc())
        .limit(limit)
    )
    if after is not None:
        key = sa.tuple_(appointments.c.appointment_date, appointments.c.id)
        query = query.where(key < sa.tuple_(*map(sa.literal, after)))
    return await fetch_all(session, query)


async def update_appointment(session: AsyncSession, appointment_id: uuid.UUID, values: Mapping[str, Any]) -> None:
    await session.execute(
        sa.update(appointments)
        .where(appointments.c.id == appointment_id)
        .values(**values, version=appointments.c.version + 1, updated_at=sa.func.now())
    )


async def booked_with_request(session: AsyncSession, booked_by: uuid.UUID, request_id: uuid.UUID) -> Row | None:
    query = appointment_query().where(appointments.c.booked_by == booked_by, appointments.c.request_id == request_id)
    return await fetch_one(session, query)


async def update_session(session: AsyncSession, session_id: uuid.UUID, values: Mapping[str, Any]) -> None:
    await session.execute(
        sa.update(sessions)
        .where(sessions.c.id == session_id)
        .values(**values, version=sessions.c.version + 1, updated_at=sa.func.now())
    )


async def future_active_of(
    session: AsyncSession, *, from_date: date, doctor_id: uuid.UUID | None, clinic_id: uuid.UUID | None
) -> list[Row]:
    """Active appointments from a date on, of a doctor and/or at a clinic, locked."""
    conditions: list[Any] = [appointments.c.status.in_(ACTIVE), appointments.c.appointment_date >= from_date]
    if doctor_id is not None:
        conditions.append(appointments.c.doctor_id == doctor_id)
    if clinic_id is not None:
        conditions.append(appointments.c.clinic_id == clinic_id)
    query = (
        appointment_query().where(*conditions).order_by(appointments.c.appointment_date, appointments.c.queue_number)
    )
    return await fetch_all(session, query.with_for_update(of=appointments))


async def open_before(session: AsyncSession, day: date, limit: int = 200) -> list[Row]:
    """BOOKED or CHECKED_IN appointments up to a date, locked, skipping rows another replica holds."""
    query = (
        appointment_query()
        .add_columns(sessions.c.session_end_time)
        .where(appointments.c.status.in_(("BOOKED", "CHECKED_IN")), appointments.c.appointment_date <= day)
        .order_by(appointments.c.appointment_date)
        .limit(limit)
    )
    return await fetch_all(session, query.with_for_update(of=appointments, skip_locked=True))


async def deactivate_sessions(
    session: AsyncSession, *, doctor_id: uuid.UUID | None, clinic_id: uuid.UUID | None
) -> None:
    conditions: list[Any] = [sessions.c.active]
    if doctor_id is not None:
        conditions.append(sessions.c.doctor_id == doctor_id)
    if clinic_id is not None:
        conditions.append(sessions.c.clinic_id == clinic_id)
    await session.execute(
        sa.update(sessions)
        .where(*conditions)
        .values(active=False, version=sessions.c.version + 1, updated_at=sa.func.now())
    )


# Rows as the rules see them


def plan_of(row: Row) -> SessionPlan:
    return SessionPlan(
        day_of_week=row["day_of_week"],
        start=row["session_start_time"],
        end=row["session_end_time"],
        effective_from=row["effective_from"],
        effective_until=row["effective_until"],
        time_zone=row["time_zone"],
    )


def override_of(row: Row | None) -> DateOverride | None:
    if row is None:
        return None
    return DateOverride(row["cancelled"], row["start_time"], row["end_time"], row["max_queue_size"], row["reason"])
