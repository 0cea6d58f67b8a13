"""SQL of the video database: sessions read and written whole (one row holds the session, both
participants and the recording), returned as domain values."""

from __future__ import annotations

import functools
import uuid
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as upsert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.context import Role
from services.common.event_tables import outbox
from services.video import models
from services.video.domain.sessions import ENDED, Participant, Recording, RecordingStatus, Status, VideoSession

sessions = cast(sa.Table, models.VideoSession.__table__)
cancelled = cast(sa.Table, models.CancelledAppointment.__table__)
APPOINTMENT_INDEX = "video_sessions_appointment"


class AppointmentHasSession(Exception):
    """The appointment's session exists already (a redelivered booking event, or a race)."""


def _participant(row: Any, role: Role) -> Participant:
    party = role.value.lower()
    return Participant(
        participant_id=getattr(row, f"{party}_id"),
        role=role,
        present=getattr(row, f"{party}_present"),
        join_time=getattr(row, f"{party}_join_time"),
        leave_time=getattr(row, f"{party}_leave_time"),
        recording_consent=getattr(row, f"{party}_consent"),
    )


def session_of(row: Any) -> VideoSession:
    return VideoSession(
        id=row.id,
        appointment_id=row.appointment_id,
        doctor=_participant(row, Role.DOCTOR),
        patient=_participant(row, Role.PATIENT),
        status=Status(row.status),
        scheduled_start_time=row.scheduled_start_time,
        start_time=row.start_time,
        end_time=row.end_time,
        recording=Recording(
            status=RecordingStatus(row.recording_status),
            started_at=row.recording_started_at,
            duration_seconds=row.recording_duration_seconds,
            size_bytes=row.recording_size_bytes,
            frames=row.recording_frames,
            content_type=row.recording_content_type,
        ),
        cancellation_reason=row.cancellation_reason,
        create_time=row.created_at,
        update_time=row.updated_at,
        version=row.version,
    )


def _participant_values(participant: Participant) -> dict[str, object]:
    party = participant.role.value.lower()
    return {
        f"{party}_id": participant.participant_id,
        f"{party}_present": participant.present,
        f"{party}_join_time": participant.join_time,
        f"{party}_leave_time": participant.leave_time,
        f"{party}_consent": participant.recording_consent,
    }


def _values(session: VideoSession) -> dict[str, object]:
    recording = session.recording
    return {
        "status": session.status.value,
        "scheduled_start_time": session.scheduled_start_time,
        "start_time": session.start_time,
        "end_time": session.end_time,
        "cancellation_reason": session.cancellation_reason,
        **_participant_values(session.doctor),
        **_participant_values(session.patient),
        "recording_status": recording.status.value,
        "recording_started_at": recording.started_at,
        "recording_duration_seconds": recording.duration_seconds,
        "recording_size_bytes": recording.size_bytes,
        "recording_frames": recording.frames,
        "recording_content_type": recording.content_type,
        "version": session.version,
        "updated_at": session.update_time,
    }


async def video_session(db: AsyncSession, session_id: uuid.UUID, *, lock: bool = False) -> VideoSession | None:
    """The session; `lock` claims it (FOR UPDATE) until the caller's transaction ends: joins, leaves,
    consents and the recorder's updates of one session never interleave."""
    query = sa.select(sessions).where(sessions.c.id == session_id)
    row = (await db.execute(query.with_for_update() if lock else query)).first()
    return session_of(row) if row is not None else None


async def has_ended(db: AsyncSession, session_id: uuid.UUID) -> bool:
    """Whether the session is COMPLETED or CANCELLED (or gone): what a quiet stream or recorder checks."""
    found = await db.execute(sa.select(sessions.c.status).where(sessions.c.id == session_id))
    status = found.scalar()
    return status is None or Status(status) in ENDED


async def session_of_appointment(
    db: AsyncSession, appointment_id: uuid.UUID, *, lock: bool = False
) -> VideoSession | None:
    query = sa.select(sessions).where(sessions.c.appointment_id == appointment_id)
    row = (await db.execute(query.with_for_update() if lock else query)).first()
    return session_of(row) if row is not None else None


async def insert(db: AsyncSession, session: VideoSession) -> None:
    values = {
        "id": session.id,
        "appointment_id": session.appointment_id,
        "created_at": session.create_time,
        **_values(session),
    }
    try:
        async with db.begin_nested():
            await db.execute(sa.insert(sessions).values(**values))
    except IntegrityError as error:
        if APPOINTMENT_INDEX in str(error.orig):
            raise AppointmentHasSession from None
        raise


async def save(db: AsyncSession, session: VideoSession) -> None:
    """Write a changed session (the caller holds its row lock and made `session` from what it read)."""
    statement = (
        sa.update(sessions)
        .where(sessions.c.id == session.id, sessions.c.version == session.version - 1)
        .values(**_values(session))
    )
    result = await db.execute(statement)
    assert result.rowcount == 1, "the session changed under its row lock"  # type: ignore[attr-defined]


async def set_recording_file(db: AsyncSession, session_id: uuid.UUID, name: str) -> None:
    await db.execute(sa.update(sessions).where(sessions.c.id == session_id).values(recording_file=name))


async def recording_file(db: AsyncSession, session_id: uuid.UUID) -> str:
    found = await db.execute(sa.select(sessions.c.recording_file).where(sessions.c.id == session_id))
    return str(found.scalar() or "")


async def history(
    db: AsyncSession, user_id: uuid.UUID, *, after: tuple[datetime, uuid.UUID] | None, limit: int
) -> list[VideoSession]:
    """The user's ended sessions, as doctor or patient, newest first."""
    query = (
        sa.select(sessions)
        .where(
            sa.or_(sessions.c.doctor_id == user_id, sessions.c.patient_id == user_id),
            sessions.c.status.in_([s.value for s in ENDED]),
        )
        .order_by(sessions.c.created_at.desc(), sessions.c.id.desc())
        .limit(limit)
    )
    if after is not None:
        query = query.where(sa.tuple_(sessions.c.created_at, sessions.c.id) < sa.tuple_(*map(sa.literal, after)))
    return [session_of(row) for row in (await db.execute(query)).all()]


# The appointments projection's bookkeeping: events applied newest-first only, cancellations kept


async def insert_for_appointment(db: AsyncSession, session: VideoSession, version: int, event: dict[str, Any]) -> bool:
    """The booked appointment's session and the outbox row of `event` that announces it, in one
    statement (a booking storm makes one per VIRTUAL booking); nothing when the appointment's
    cancellation came first or its session exists (a redelivery, or the doctor made it first).
    True when created."""
    values = {
        "id": session.id,
        "appointment_id": session.appointment_id,
        "created_at": session.create_time,
        "appointment_version": version,
        **_values(session),
        **{f"event_{name}": value for name, value in event.items()},
    }
    statement = _insert_for_appointment(tuple(values))
    return (await db.execute(statement, values)).first() is not None


@functools.cache
def _insert_for_appointment(columns: tuple[str, ...]) -> sa.Executable:
    session_columns = [c for c in columns if not c.startswith("event_")]
    made = (
        upsert(sessions)
        .from_select(
            session_columns,
            sa.select(*(sa.bindparam(c, type_=sessions.c[c].type) for c in session_columns)).where(
                ~sa.exists().where(cancelled.c.appointment_id == sa.bindparam("appointment_id"))
            ),
        )
        .on_conflict_do_nothing()
        .returning(sessions.c.id)
        .cte("made")
    )
    announced = sa.select(
        *(sa.bindparam(f"event_{c}", type_=outbox.c[c].type) for c in ("event_id", "subject", "payload"))
    ).select_from(made)
    return sa.insert(outbox).from_select(["event_id", "subject", "payload"], announced).returning(outbox.c.event_id)


async def followed_version(db: AsyncSession, session_id: uuid.UUID) -> int:
    found = await db.execute(sa.select(sessions.c.appointment_version).where(sessions.c.id == session_id))
    return int(found.scalar() or 0)


async def follow(db: AsyncSession, session_id: uuid.UUID, version: int) -> None:
    await db.execute(sa.update(sessions).where(sessions.c.id == session_id).values(appointment_version=version))


async def remember_cancelled(db: AsyncSession, appointment_id: uuid.UUID, version: int) -> None:
    await db.execute(upsert(cancelled).values(appointment_id=appointment_id, version=version).on_conflict_do_nothing())
