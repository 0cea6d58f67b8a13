"""Events the appointments service publishes (through the outbox, in the transaction of the change)."""

from __future__ import annotations

from pulseone.appointments.v1 import events_pb2
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments import messages
from services.appointments.booking import EVENT_OF, Status
from services.common.db import Row
from services.common.outbox import record_event

APPOINTMENT_PREFIX = "pulseone.appointments.appointment"
SESSION_PREFIX = "pulseone.appointments.session"


async def appointment_changed(
    session: AsyncSession, row: Row, previous: Status | None, *, what: str | None = None
) -> None:
    """`pulseone.appointments.appointment.<booked|...>` for a status change, `.updated` for other changes."""
    event = events_pb2.AppointmentChanged(
        appointment=messages.appointment_message(row), previous_status=previous.value if previous else None
    )
    subject = f"{APPOINTMENT_PREFIX}.{what or EVENT_OF[Status(row['status'])]}"
    await record_event(session, subject, event, entity_id=row["id"], entity_version=row["version"])


async def session_changed(session: AsyncSession, row: Row, what: str) -> None:
    event = events_pb2.SessionChanged(session=messages.session_message(row))
    await record_event(session, f"{SESSION_PREFIX}.{what}", event, entity_id=row["id"], entity_version=row["version"])
