"""Moving an appointment along its status machine: the row, its history and its event, in one step."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Coroutine
from datetime import date, datetime, timedelta
from typing import Any

from pulseone.events.v1 import metadata_pb2
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.appointments import events, store
from services.appointments.booking import Status
from services.appointments.schedule import instant
from services.common.context import Principal
from services.common.db import Row, transaction

log = logging.getLogger("pulseone.appointments")

SYSTEM = "SYSTEM"


def actor_of(metadata: metadata_pb2.EventMetadata) -> tuple[uuid.UUID | None, str]:
    """Who caused an upstream change, recorded as the actor of what it does here (else SYSTEM)."""
    return (uuid.UUID(metadata.actor_id) if metadata.actor_id else None), metadata.actor_role or SYSTEM


async def move(
    session: AsyncSession,
    row: Row,
    target: Status,
    *,
    actor_id: uuid.UUID | None,
    actor_role: str,
    reason: str = "",
    values: dict[str, Any] | None = None,
) -> Row:
    """Change the status (the caller checked the transition and holds the row lock), record it, publish it."""
    changes = dict(values or {})
    if target is Status.CANCELLED:
        changes.setdefault("cancellation_reason", reason)
        changes.setdefault("cancelled_by_role", actor_role)
    await store.change_status(
        session, row, target.value, actor_id=actor_id, actor_role=actor_role, reason=reason, values=changes
    )
    after = await store.appointment(session, row["id"])
    assert after is not None
    await events.appointment_changed(session, after, Status(row["status"]))
    return after


async def cancel_by(session: AsyncSession, row: Row, viewer: Principal, reason: str) -> Row:
    """A cancellation by a user inside a larger transaction: history and event as any other."""
    return await move(
        session, row, Status.CANCELLED, actor_id=viewer.user_id, actor_role=viewer.role.value, reason=reason
    )


async def cancel_future(
    session: AsyncSession,
    *,
    from_date: date,
    doctor_id: uuid.UUID | None = None,
    clinic_id: uuid.UUID | None = None,
    actor_id: uuid.UUID | None,
    actor_role: str,
    reason: str,
) -> int:
    """Cancellations from the clinic side: each future active appointment like any cancellation."""
    cancelled = 0
    for row in await store.future_active_of(session, from_date=from_date, doctor_id=doctor_id, clinic_id=clinic_id):
        if Status(row["status"]) is Status.IN_PROGRESS:
            continue  # a consultation under way is finished, not cancelled from afar
        await move(session, row, Status.CANCELLED, actor_id=actor_id, actor_role=actor_role, reason=reason)
        cancelled += 1
    return cancelled


CLOSE_AFTER = timedelta(hours=2)
SWEEP_SECONDS = 60.0


def leftover_status(status: Status) -> tuple[Status, str] | None:
    """What the system makes of an appointment still open two hours after its occurrence ended."""
    if status is Status.BOOKED:
        return Status.NO_SHOW, ""
    if status is Status.CHECKED_IN:
        return Status.CANCELLED, "NOT_SEEN"
    return None


async def close_leftovers(sessions: async_sessionmaker[AsyncSession], now: datetime) -> int:
    """Close what is left open two hours after its occurrence ended (SPEC 3.3); returns how many."""
    closed = 0
    async with transaction(sessions) as session:
        for row in await store.open_before(session, now.date() + timedelta(days=1)):
            override = await store.override(session, row["session_id"], row["appointment_date"])
            end_time = override["end_time"] if override and override["end_time"] else row["session_end_time"]
            if instant(row["appointment_date"], end_time, row["time_zone"]) + CLOSE_AFTER > now:
                continue
            outcome = leftover_status(Status(row["status"]))
            if outcome is not None:
                target, reason = outcome
                await move(session, row, target, actor_id=None, actor_role=SYSTEM, reason=reason)
                closed += 1
    return closed


def sweeper(
    sessions: async_sessionmaker[AsyncSession], clock: Callable[[], datetime]
) -> Callable[[], Coroutine[Any, Any, None]]:
    """A worker that closes leftovers every minute; replicas skip each other's locked rows."""

    async def sweep_forever() -> None:
        while True:
            try:
                await close_leftovers(sessions, clock())
            except Exception as error:  # noqa: BLE001 - the next round retries
                log.warning("closing leftover appointments failed", extra={"error": repr(error)})
            await asyncio.sleep(SWEEP_SECONDS)

    return sweep_forever
