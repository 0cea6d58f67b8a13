"""Sessions, their per-date overrides and occurrences (the rows bookings lock)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from psycopg.rows import dict_row
from sqlalchemy.dialects.postgresql import ARRAY, UUID, aggregate_order_by, insert
from sqlalchemy.dialects.postgresql.psycopg import PGDialectAsync_psycopg
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments.domain.booking import Status
from services.appointments.domain.schedule import (
    DateOverride,
    Override,
    ServiceType,
    Session,
    SessionSpec,
)
from services.appointments.store.tables import (
    accounts,
    appointments,
    clinics,
    doctors,
    occurrences,
    overrides,
    sessions,
    value_of,
)
from services.common.context import AccountStatus
from services.common.db import Driver


def session_query() -> sa.Select[Any]:
    """Sessions with what they show of their doctor and clinic (fee, currency, names, its admin)."""
    return sa.select(
        sessions,
        doctors.c.first_name.label("doctor_first_name"),
        doctors.c.last_name.label("doctor_last_name"),
        doctors.c.specialization,
        sa.func.coalesce(doctors.c.consultation_fee, Decimal(0)).label("fee"),
        sa.func.coalesce(sa.func.nullif(clinics.c.currency, ""), doctors.c.currency, "").label("currency"),
        clinics.c.name.label("clinic_name"),
        clinics.c.admin_id.label("clinic_admin_id"),
        accounts.c.status.label("doctor_status"),
    ).select_from(
        sessions.outerjoin(doctors, doctors.c.id == sessions.c.doctor_id)
        .outerjoin(clinics, clinics.c.id == sessions.c.clinic_id)
        .outerjoin(accounts, accounts.c.user_id == sessions.c.doctor_id)
    )


def _session(row: Mapping[str, Any] | sa.RowMapping) -> Session:
    return value_of(Session, row, service_type=ServiceType(row["service_type"]))


def _changes(row: Mapping[str, Any] | sa.RowMapping, prefix: str = "") -> DateOverride:
    return DateOverride(
        cancelled=row[f"{prefix}cancelled"],
        start=row[f"{prefix}start_time"],
        end=row[f"{prefix}end_time"],
        capacity=row[f"{prefix}max_queue_size"],
        reason=row[f"{prefix}reason"],
    )


def _override(row: sa.RowMapping) -> Override:
    return Override(session_id=row["session_id"], date=row["date"], changes=_changes(row))


SESSION = session_query().where(sessions.c.id == sa.bindparam("session_id"))
SESSION_FOR_UPDATE = SESSION.with_for_update(of=sessions)


def for_the_driver(query: sa.Select[Any]) -> tuple[str, dict[str, Any]]:
    """A hot path's query compiled once as the engine would, to run on the driver's connection: its
    SQL, and its constants, which travel with its other parameters."""
    compiled = query.compile(dialect=PGDialectAsync_psycopg())  # type: ignore[no-untyped-call]
    return str(compiled), dict(compiled.params)


# A session and its override of one date: the booking's hot path.
SESSION_ON, SESSION_ON_CONSTANTS = for_the_driver(
    session_query()
    .add_columns(*(c.label(f"override_{c.name}") for c in overrides.c))
    .outerjoin(overrides, sa.and_(overrides.c.session_id == sessions.c.id, overrides.c.date == sa.bindparam("day")))
    .where(sessions.c.id == sa.bindparam("session_id"))
)


async def session(db: AsyncSession, session_id: uuid.UUID, *, lock: bool = False) -> Session | None:
    query = SESSION_FOR_UPDATE if lock else SESSION
    row = (await db.execute(query, {"session_id": session_id})).mappings().first()
    return _session(row) if row is not None else None


async def session_on(
    connection: Driver, session_id: uuid.UUID, day: date
) -> tuple[Session | None, DateOverride | None]:
    """A session and its override of one date (if any), in one round trip."""
    values = {**SESSION_ON_CONSTANTS, "session_id": session_id, "day": day}
    row = await (await connection.cursor(row_factory=dict_row).execute(SESSION_ON, values)).fetchone()
    if row is None:
        return None, None
    return _session(row), _changes(row, "override_") if row["override_date"] is not None else None


async def doctor_sessions(db: AsyncSession, doctor_id: uuid.UUID) -> list[Session]:
    """The doctor's active sessions."""
    query = session_query().where(sessions.c.doctor_id == doctor_id, sessions.c.active)
    return [_session(r) for r in (await db.execute(query)).mappings()]


async def list_sessions(
    db: AsyncSession,
    *,
    doctor_id: uuid.UUID | None,
    clinic_id: uuid.UUID | None,
    active_only: bool,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Session]:
    """Newest first."""
    query = session_query().order_by(sessions.c.created_at.desc(), sessions.c.id.desc()).limit(limit)
    if doctor_id is not None:
        query = query.where(sessions.c.doctor_id == doctor_id)
    if clinic_id is not None:
        query = query.where(sessions.c.clinic_id == clinic_id)
    if active_only:
        query = query.where(sessions.c.active)
    if after is not None:
        query = query.where(sa.tuple_(sessions.c.created_at, sessions.c.id) < sa.tuple_(*map(sa.literal, after)))
    return [_session(r) for r in (await db.execute(query)).mappings()]


# Availability, a read storm's path: the bookable sessions with their overrides and held numbers
# in the range, in one round trip of a statement compiled once (filters that are not given are
# NULL), run on the driver's connection in autocommit.
_FIRST, _LAST = sa.bindparam("first", type_=sa.Date), sa.bindparam("last", type_=sa.Date)
_OVERRIDES_IN_RANGE = (
    sa.select(
        *(sa.func.array_agg(aggregate_order_by(c, overrides.c.date)).label(f"override_{c.name}") for c in overrides.c)
    )
    .where(overrides.c.session_id == sessions.c.id, overrides.c.date.between(_FIRST, _LAST))
    .lateral("day_overrides")
)
_HELD_IN_RANGE = (
    sa.select(
        sa.func.array_agg(appointments.c.appointment_date).label("held_dates"),
        sa.func.array_agg(appointments.c.queue_number).label("held_numbers"),
    )
    .where(
        appointments.c.session_id == sessions.c.id,
        appointments.c.appointment_date.between(_FIRST, _LAST),
        appointments.c.status != Status.CANCELLED.value,
    )
    .lateral("held")
)


def _unless_null(name: str, kind: Any, condition: Any) -> Any:
    return sa.or_(sa.bindparam(name, type_=kind).is_(None), condition)


BOOKABLE, BOOKABLE_CONSTANTS = for_the_driver(
    session_query()
    .add_columns(*_OVERRIDES_IN_RANGE.c, *_HELD_IN_RANGE.c)
    .join(_OVERRIDES_IN_RANGE, sa.true(), isouter=True)
    .join(_HELD_IN_RANGE, sa.true(), isouter=True)
    .where(
        sessions.c.active,
        accounts.c.status == AccountStatus.ACTIVE.value,
        _unless_null("doctor_id", UUID, sessions.c.doctor_id == sa.bindparam("doctor_id", type_=UUID)),
        _unless_null("clinic_id", UUID, sessions.c.clinic_id == sa.bindparam("clinic_id", type_=UUID)),
        _unless_null(
            "specialization", sa.Text, sa.func.lower(doctors.c.specialization) == sa.bindparam("specialization")
        ),
        _unless_null(
            "service_types",
            ARRAY(sa.Text),
            sessions.c.service_type == sa.func.any(sa.bindparam("service_types", type_=ARRAY(sa.Text))),
        ),
    )
)


@dataclass(frozen=True)
class Bookable:
    """What availability is computed from: sessions, their overrides and held numbers by occurrence."""

    sessions: list[Session]
    overrides: dict[tuple[uuid.UUID, date], DateOverride]
    held: dict[tuple[uuid.UUID, date], list[int]]


async def bookable(
    connection: Driver,
    *,
    doctor_id: uuid.UUID | None,
    clinic_id: uuid.UUID | None,
    specialization: str,
    service_types: Sequence[ServiceType] | None,
    first: date,
    last: date,
) -> Bookable:
    """Active sessions of active doctors, filtered, with their overrides and held queue numbers
    (those of anything but cancelled appointments) in [first, last]."""
    values = {
        **BOOKABLE_CONSTANTS,
        "doctor_id": doctor_id,
        "clinic_id": clinic_id,
        "specialization": specialization.strip().lower() or None,
        "service_types": [t.value for t in service_types] if service_types is not None else None,
        "first": first,
        "last": last,
    }
    found = Bookable([], {}, {})
    async for row in await connection.cursor(row_factory=dict_row).execute(BOOKABLE, values):
        session = _session(row)
        found.sessions.append(session)
        override_columns = [row[f"override_{c.name}"] or [] for c in overrides.c]
        for values_of_one in zip(*override_columns, strict=True):
            one = dict(zip((c.name for c in overrides.c), values_of_one, strict=True))
            found.overrides[(session.id, one["date"])] = _changes(one)
        for day, number in zip(row["held_dates"] or [], row["held_numbers"] or [], strict=True):
            found.held.setdefault((session.id, day), []).append(number)
    return found


async def lock_doctor_sessions(db: AsyncSession, doctor_id: uuid.UUID) -> None:
    """Serialises changes to one doctor's sessions, so two overlapping sessions are never both created."""
    key = f"doctor-sessions:{doctor_id}"
    await db.execute(sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtextextended(key, 0))))


def _spec_values(spec: SessionSpec) -> dict[str, object]:
    assert spec.service_type is not None
    return {
        "clinic_id": spec.clinic_id,
        "day_of_week": spec.day_of_week,
        "session_start_time": spec.session_start_time,
        "session_end_time": spec.session_end_time,
        "service_type": spec.service_type.value,
        "max_queue_size": spec.max_queue_size,
        "estimated_consultation_minutes": spec.estimated_consultation_minutes,
        "effective_from": spec.effective_from,
        "effective_until": spec.effective_until,
    }


async def insert_session(
    db: AsyncSession, *, doctor_id: uuid.UUID, spec: SessionSpec, time_zone: str, created_by: uuid.UUID
) -> uuid.UUID:
    """A new active session (its spec checked, its effective_from decided); returns its id."""
    session_id = uuid.uuid4()
    await db.execute(
        sa.insert(sessions).values(
            id=session_id,
            doctor_id=doctor_id,
            active=True,
            time_zone=time_zone,
            created_by=created_by,
            version=1,
            **_spec_values(spec),
        )
    )
    return session_id


async def update_session(db: AsyncSession, session_id: uuid.UUID, spec: SessionSpec) -> None:
    await db.execute(
        sa.update(sessions)
        .where(sessions.c.id == session_id)
        .values(**_spec_values(spec), version=sessions.c.version + 1, updated_at=sa.func.now())
    )


async def deactivate_session(db: AsyncSession, session_id: uuid.UUID) -> None:
    await db.execute(
        sa.update(sessions)
        .where(sessions.c.id == session_id)
        .values(active=False, version=sessions.c.version + 1, updated_at=sa.func.now())
    )


async def deactivate_sessions(db: AsyncSession, *, doctor_id: uuid.UUID | None, clinic_id: uuid.UUID | None) -> None:
    """Every active session of a doctor and/or at a clinic."""
    conditions: list[sa.ColumnElement[bool]] = [sessions.c.active]
    if doctor_id is not None:
        conditions.append(sessions.c.doctor_id == doctor_id)
    if clinic_id is not None:
        conditions.append(sessions.c.clinic_id == clinic_id)
    await db.execute(
        sa.update(sessions)
        .where(*conditions)
        .values(active=False, version=sessions.c.version + 1, updated_at=sa.func.now())
    )


# Overrides


async def session_overrides(db: AsyncSession, session_ids: list[uuid.UUID], first: date, last: date) -> list[Override]:
    """Overrides of some sessions in [first, last], by date."""
    query = sa.select(overrides).where(
        overrides.c.session_id.in_(session_ids), overrides.c.date >= first, overrides.c.date <= last
    )
    return [_override(r) for r in (await db.execute(query.order_by(overrides.c.date))).mappings()]


async def override(db: AsyncSession, session_id: uuid.UUID, day: date) -> Override | None:
    query = sa.select(overrides).where(overrides.c.session_id == session_id, overrides.c.date == day)
    row = (await db.execute(query)).mappings().first()
    return _override(row) if row is not None else None


async def save_override(db: AsyncSession, override: Override) -> None:
    """Create the override of its date, or replace it."""
    changes = override.changes
    values = {
        "cancelled": changes.cancelled,
        "start_time": changes.start,
        "end_time": changes.end,
        "max_queue_size": changes.capacity,
        "reason": changes.reason,
    }
    statement = insert(overrides).values(session_id=override.session_id, date=override.date, **values)
    await db.execute(statement.on_conflict_do_update(index_elements=["session_id", "date"], set_=values))


async def delete_override(db: AsyncSession, session_id: uuid.UUID, day: date) -> bool:
    statement = (
        sa.delete(overrides)
        .where(overrides.c.session_id == session_id, overrides.c.date == day)
        .returning(overrides.c.date)
    )
    return (await db.execute(statement)).first() is not None


# Occurrences


async def lock_occurrence(db: AsyncSession, session_id: uuid.UUID, day: date) -> None:
    """The lock bookings take: nothing is booked into the occurrence while it is held."""
    await db.execute(insert(occurrences).values(session_id=session_id, date=day).on_conflict_do_nothing())
    await db.execute(
        sa.select(occurrences.c.session_id)
        .where(occurrences.c.session_id == session_id, occurrences.c.date == day)
        .with_for_update()
    )


async def held_numbers(
    db: AsyncSession, session_ids: list[uuid.UUID], first: date, last: date
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
            appointments.c.status != Status.CANCELLED.value,
        )
        .group_by(appointments.c.session_id, appointments.c.appointment_date)
    )
    return {(r[0], r[1]): list(r[2]) for r in (await db.execute(query)).all()}


async def highest_held(db: AsyncSession, session_id: uuid.UUID, day: date) -> int:
    query = sa.select(sa.func.coalesce(sa.func.max(appointments.c.queue_number), 0)).where(
        appointments.c.session_id == session_id,
        appointments.c.appointment_date == day,
        appointments.c.status != Status.CANCELLED.value,
    )
    return int((await db.execute(query)).scalar_one())
