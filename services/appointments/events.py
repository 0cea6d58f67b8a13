"""Events the appointments service publishes (through the outbox, in the transaction of the change)."""

from __future__ import annotations

from pulseone.appointments.v1 import events_pb2
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments import messages
from services.appointments.booking import Status
from services.common import event_catalogue as catalogue
from services.common.db import Row
from services.common.outbox import record_event

# The subject of the event for the status an appointment reached.
EVENT_OF = {
    Status.BOOKED: catalogue.APPOINTMENT_BOOKED,
    Status.CHECKED_IN: catalogue.APPOINTMENT_CHECKED_IN,
    Status.IN_PROGRESS: catalogue.APPOINTMENT_STARTED,
    Status.COMPLETED: catalogue.APPOINTMENT_COMPLETED,
    Status.CANCELLED: catalogue.APPOINTMENT_CANCELLED,
    Status.NO_SHOW: catalogue.APPOINTMENT_NO_SHOW,
}
SESSION_EVENTS = {
    "created": catalogue.SESSION_CREATED,
    "updated": catalogue.SESSION_UPDATED,
    "deactivated": catalogue.SESSION_DEACTIVATED,
}


async def appointment_changed(
    session: AsyncSession, row: Row, previous: Status | None, *, what: str | None = None
) -> None:
    """`pulseone.appointments.appointment.<booked|...>` for a status change, `.updated` for other changes."""
    event = events_pb2.AppointmentChanged(
        appointment=messages.appointment_message(row), previous_status=previous.value if previous else None
    )
    event_type = catalogue.APPOINTMENT_UPDATED if what == "updated" else EVENT_OF[Status(row["status"])]
    await record_event(session, event_type, event, entity_id=row["id"], entity_version=row["version"])


async def session_changed(session: AsyncSession, row: Row, what: str) -> None:
    event = events_pb2.SessionChanged(session=messages.session_message(row))
    event_type = SESSION_EVENTS[what]
    await record_event(session, event_type, event, entity_id=row["id"], entity_version=row["version"])
