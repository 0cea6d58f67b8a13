"""Appointments: the booking function, reads with their session, doctor and clinic, status changes
and their history."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import psycopg
import sqlalchemy as sa
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments.domain.booking import (
    ACTIVE,
    OPEN,
    Appointment,
    AppointmentType,
    BookingRequest,
    BookingTerms,
    Details,
    Move,
    Status,
    StatusChange,
)
from services.appointments.domain.errors import AlreadyBooked, SessionFull
from services.appointments.domain.visibility import AppointmentQuery, Scope
from services.appointments.store.tables import appointments, clinics, doctors, history, sessions, value_of
from services.common import event_catalogue as catalogue
from services.common import tracing
from services.common.context import request_id_var
from services.common.db import Driver
from services.common.outbox import nudge_relays

ACTIVE_STATUSES = [s.value for s in ACTIVE]


class RequestIdTaken(Exception):
    """Two bookings with one request id ran at once on different occurrences; the first committed.
    The caller's transaction is aborted: read what the first booked (`booked_with_request`)."""


@dataclass(frozen=True)
class Booked:
    """What the booking function did: the appointment, and whether this call booked it (False: the
    request id was seen before, and this is the appointment that request booked)."""

    appointment: Appointment
    created: bool


def appointment_query() -> sa.Select[Any]:
    """Appointments with what they show of their doctor, clinic and session."""
    return sa.select(
        appointments,
        doctors.c.first_name.label("doctor_first_name"),
        doctors.c.last_name.label("doctor_last_name"),
        doctors.c.specialization,
        clinics.c.name.label("clinic_name"),
        clinics.c.admin_id.label("clinic_admin_id"),
        sessions.c.time_zone,
        sessions.c.session_start_time,
        sessions.c.session_end_time,
        sessions.c.estimated_consultation_minutes,
    ).select_from(
        appointments.join(sessions, sessions.c.id == appointments.c.session_id)
        .outerjoin(doctors, doctors.c.id == appointments.c.doctor_id)
        .outerjoin(clinics, clinics.c.id == appointments.c.clinic_id)
    )


def appointment_of(row: sa.RowMapping | dict[str, Any]) -> Appointment:
    """An appointment from a row of `appointment_query` (or of the booking function, which returns the same)."""
    return value_of(
        Appointment, row, appointment_type=AppointmentType(row["appointment_type"]), status=Status(row["status"])
    )


async def _all(db: AsyncSession, query: sa.Executable) -> list[Appointment]:
    return [appointment_of(r) for r in (await db.execute(query)).mappings()]


# Booking

# Called on the driver's own connection: the hot path spends its time in PostgreSQL, not in building
# and reading statements (performance-notes.md).
BOOK_ARGUMENTS = (
    "SELECT * FROM book_appointment_with_event("
    " p_session_id => %(session_id)s, p_appointment_date => %(appointment_date)s, p_patient_id => %(patient_id)s,"
    " p_doctor_id => %(doctor_id)s, p_clinic_id => %(clinic_id)s, p_appointment_type => %(appointment_type)s,"
    " p_chief_complaint => %(chief_complaint)s, p_capacity => %(capacity)s,"
    " p_occurrence_start => %(occurrence_start)s,"
    " p_estimated_consultation_minutes => %(estimated_consultation_minutes)s, p_fee => %(fee)s,"
    " p_currency => %(currency)s, p_booked_by => %(booked_by)s, p_request_id => %(request_id)s,"
    " p_actor_role => %(actor_role)s, p_rescheduled_from_id => %(rescheduled_from_id)s,"
    " p_event_id => %(event_id)s, p_event_subject => %(event_subject)s, p_event_time => %(event_time)s,"
    " p_event_request_id => %(event_request_id)s"
)
# Untraced, the 0006 function; traced, its overload that makes the booked event carry the context.
BOOK = BOOK_ARGUMENTS + ")"
BOOK_TRACED = BOOK_ARGUMENTS + ", p_trace_context => %(trace_context)s)"


async def book(connection: Driver, request: BookingRequest, terms: BookingTerms) -> Booked:
    """Book in one round trip: the function locks the occurrence, takes the lowest free number,
    writes the appointment, its history and its `booked` event (the metadata filled as `record_event`
    would), and returns the appointment. In autocommit the call is a transaction of its own; on a
    unit of work's connection, a failure aborts the caller's transaction. Traced, the event is a
    producer span of the booking's trace and carries its context, in the same round trip."""
    event_id = uuid.uuid4()
    values: dict[str, Any] = {
        "session_id": request.session_id,
        "appointment_type": request.appointment_type.value,
        "chief_complaint": request.chief_complaint,
        "request_id": request.request_id,
        "appointment_date": terms.appointment_date,
        "patient_id": terms.patient_id,
        "doctor_id": terms.doctor_id,
        "clinic_id": terms.clinic_id,
        "capacity": terms.capacity,
        "occurrence_start": terms.occurrence_start,
        "estimated_consultation_minutes": terms.estimated_consultation_minutes,
        "fee": terms.fee,
        "currency": terms.currency,
        "booked_by": terms.booked_by,
        "actor_role": terms.actor_role,
        "rescheduled_from_id": terms.rescheduled_from_id,
        "event_id": event_id,
        "event_subject": catalogue.APPOINTMENT_BOOKED.subject,
        "event_time": datetime.now(UTC),
        "event_request_id": request_id_var.get(),
    }
    trace_context = tracing.producer_context(catalogue.APPOINTMENT_BOOKED.subject, event_id)
    if trace_context is not None:
        values["trace_context"] = Jsonb(trace_context)
    nudge_relays()
    try:
        statement = BOOK if trace_context is None else BOOK_TRACED
        cursor = await connection.cursor(row_factory=dict_row).execute(statement, values)
        row = await cursor.fetchone()
    except psycopg.errors.UniqueViolation as error:
        # The indexes caught a race the lock could not (other occurrences, or one request id twice).
        if error.diag.constraint_name == "appointments_request_id":
            raise RequestIdTaken from None
        raise AlreadyBooked() from None
    except psycopg.errors.RaiseException as error:
        if error.diag.message_primary == "SESSION_FULL":
            raise SessionFull(terms.appointment_date) from None
        if error.diag.message_primary == "ALREADY_BOOKED":
            raise AlreadyBooked() from None
        raise
    assert row is not None
    return Booked(appointment_of(row), bool(row["created"]))


async def booked_with_request(db: AsyncSession, booked_by: uuid.UUID, request_id: uuid.UUID) -> Appointment | None:
    query = appointment_query().where(appointments.c.booked_by == booked_by, appointments.c.request_id == request_id)
    row = (await db.execute(query)).mappings().first()
    return appointment_of(row) if row is not None else None


# Reads


APPOINTMENT = appointment_query().where(appointments.c.id == sa.bindparam("appointment_id"))
APPOINTMENT_FOR_UPDATE = APPOINTMENT.with_for_update(of=appointments)


async def appointment(db: AsyncSession, appointment_id: uuid.UUID, *, lock: bool = False) -> Appointment | None:
    query = APPOINTMENT_FOR_UPDATE if lock else APPOINTMENT
    row = (await db.execute(query, {"appointment_id": appointment_id})).mappings().first()
    return appointment_of(row) if row is not None else None


async def list_appointments(
    db: AsyncSession,
    scope: Scope,
    query: AppointmentQuery,
    *,
    from_date: date | None,
    after: tuple[date, int, uuid.UUID] | None,
    limit: int,
) -> list[Appointment]:
    """The appointments in a viewer's scope that match the query (from a date on), by date then number."""
    a = appointments
    conditions: list[sa.ColumnElement[bool]] = []
    for column, value in (
        (a.c.patient_id, scope.patient_id),
        (a.c.doctor_id, scope.doctor_id),
        (clinics.c.admin_id, scope.clinic_admin_id),
        (a.c.patient_id, query.patient_id),
        (a.c.doctor_id, query.doctor_id),
        (a.c.clinic_id, query.clinic_id),
        (a.c.appointment_date, query.day),
    ):
        if value is not None:
            conditions.append(column == value)
    if query.status is not None:
        conditions.append(a.c.status == query.status.value)
    if from_date is not None:
        conditions.append(a.c.appointment_date >= from_date)
    statement = (
        appointment_query().where(*conditions).order_by(a.c.appointment_date, a.c.queue_number, a.c.id).limit(limit)
    )
    if after is not None:
        key = sa.tuple_(a.c.appointment_date, a.c.queue_number, a.c.id)
        statement = statement.where(key > sa.tuple_(*map(sa.literal, after)))
    return await _all(db, statement)


async def future_active(
    db: AsyncSession, *, session_id: uuid.UUID, first: date, day: date | None = None
) -> list[Appointment]:
    """Active appointments of a session from `first` on (or of one day), locked, in queue order."""
    condition = [appointments.c.session_id == session_id, appointments.c.status.in_(ACTIVE_STATUSES)]
    condition.append(appointments.c.appointment_date == day if day else appointments.c.appointment_date >= first)
    query = appointment_query().where(*condition).order_by(appointments.c.appointment_date, appointments.c.queue_number)
    return await _all(db, query.with_for_update(of=appointments))


async def future_active_of(
    db: AsyncSession, *, from_date: date, doctor_id: uuid.UUID | None, clinic_id: uuid.UUID | None
) -> list[Appointment]:
    """Active appointments from a date on, of a doctor and/or at a clinic, locked."""
    conditions = [appointments.c.status.in_(ACTIVE_STATUSES), appointments.c.appointment_date >= from_date]
    if doctor_id is not None:
        conditions.append(appointments.c.doctor_id == doctor_id)
    if clinic_id is not None:
        conditions.append(appointments.c.clinic_id == clinic_id)
    query = (
        appointment_query().where(*conditions).order_by(appointments.c.appointment_date, appointments.c.queue_number)
    )
    return await _all(db, query.with_for_update(of=appointments))


async def open_before(db: AsyncSession, day: date, limit: int = 200) -> list[Appointment]:
    """BOOKED or CHECKED_IN appointments up to a date, locked, skipping rows another replica holds."""
    query = (
        appointment_query()
        .where(appointments.c.status.in_([s.value for s in OPEN]), appointments.c.appointment_date <= day)
        .order_by(appointments.c.appointment_date)
        .limit(limit)
    )
    return await _all(db, query.with_for_update(of=appointments, skip_locked=True))


async def occurrence_appointments(
    db: AsyncSession, session_id: uuid.UUID, day: date, *, lock: bool = False
) -> list[Appointment]:
    """Every appointment of one occurrence but the cancelled ones, in queue order."""
    query = (
        appointment_query()
        .where(
            appointments.c.session_id == session_id,
            appointments.c.appointment_date == day,
            appointments.c.status != Status.CANCELLED.value,
        )
        .order_by(appointments.c.queue_number)
    )
    return await _all(db, query.with_for_update(of=appointments) if lock else query)


async def status_changes(db: AsyncSession, appointment_id: uuid.UUID) -> list[StatusChange]:
    query = sa.select(history).where(history.c.appointment_id == appointment_id).order_by(history.c.id)
    return [
        value_of(
            StatusChange,
            r,
            from_status=Status(r["from_status"]) if r["from_status"] else None,
            to_status=Status(r["to_status"]),
        )
        for r in (await db.execute(query)).mappings()
    ]


# Writes


async def change_status(db: AsyncSession, appointment: Appointment, move: Move) -> None:
    """Move an appointment to a new status and record the step in its history (the caller holds its lock)."""
    values = {
        name: value
        for name, value in (
            ("actual_start_time", move.actual_start_time),
            ("actual_end_time", move.actual_end_time),
            ("doctor_notes", move.doctor_notes),
            ("cancellation_reason", move.cancellation_reason),
            ("cancelled_by_role", move.cancelled_by_role),
        )
        if value is not None
    }
    await db.execute(
        sa.update(appointments)
        .where(appointments.c.id == appointment.id)
        .values(status=move.target.value, version=appointments.c.version + 1, updated_at=sa.func.now(), **values)
    )
    await db.execute(
        sa.insert(history).values(
            appointment_id=appointment.id,
            from_status=appointment.status.value,
            to_status=move.target.value,
            actor_id=move.actor.id,
            actor_role=move.actor.role,
            reason=move.reason,
        )
    )


async def _update(db: AsyncSession, appointment_id: uuid.UUID, values: Mapping[str, object]) -> None:
    await db.execute(
        sa.update(appointments)
        .where(appointments.c.id == appointment_id)
        .values(**values, version=appointments.c.version + 1, updated_at=sa.func.now())
    )


async def record_details(db: AsyncSession, appointment_id: uuid.UUID, details: Details) -> None:
    """What its doctor records besides status changes: actual times, notes, the complaint (a new version)."""
    values = {
        name: value
        for name, value in (
            ("actual_start_time", details.actual_start_time),
            ("actual_end_time", details.actual_end_time),
            ("doctor_notes", details.doctor_notes),
            ("chief_complaint", details.chief_complaint),
        )
        if value is not None
    }
    await _update(db, appointment_id, values)


async def link_video_session(db: AsyncSession, current: Appointment, video_session_id: uuid.UUID) -> Appointment:
    """The appointment (read under its row lock) with its video session: the new version comes back
    from the update, so the linked appointment is not read again (one per VIRTUAL booking)."""
    changed = (
        await db.execute(LINK_VIDEO_SESSION, {"appointment_id": current.id, "linked_session_id": video_session_id})
    ).one()
    return dataclasses.replace(
        current, video_session_id=video_session_id, version=changed.version, updated_at=changed.updated_at
    )


LINK_VIDEO_SESSION = (
    sa.update(appointments)
    .where(appointments.c.id == sa.bindparam("appointment_id"))
    .values(
        video_session_id=sa.bindparam("linked_session_id"), version=appointments.c.version + 1, updated_at=sa.func.now()
    )
    .returning(appointments.c.version, appointments.c.updated_at)
)


async def set_estimated_starts(db: AsyncSession, estimates: Sequence[tuple[uuid.UUID, datetime]]) -> None:
    """New expected start times of appointments (their session's hours or duration changed)."""
    for appointment_id, estimated in estimates:
        await _update(db, appointment_id, {"estimated_start_time": estimated})
