"""What the video service's events mean for appointments: the session's id, and the end of the call."""

from __future__ import annotations

import uuid
from datetime import UTC

from pulseone.video.v1 import events_pb2 as video_events
from sqlalchemy.ext.asyncio import AsyncSession

from services.appointments import events, lifecycle, store
from services.appointments.booking import Status
from services.common import event_catalogue as catalogue
from services.common.consumer import Subscription, subscribe


async def on_video_session_created(session: AsyncSession, event: video_events.VideoSessionCreated) -> None:
    """A VIRTUAL appointment shows its video session once the video service has created it."""
    if not event.appointment_id:
        return
    row = await store.appointment(session, uuid.UUID(event.appointment_id), lock=True)
    if row is None or row["video_session_id"] is not None:
        return
    await store.update_appointment(session, row["id"], {"video_session_id": uuid.UUID(event.session_id)})
    after = await store.appointment(session, row["id"])
    assert after is not None
    await events.appointment_changed(session, after, Status(row["status"]), what="updated")


async def on_participant_joined(session: AsyncSession, event: video_events.ParticipantJoined) -> None:
    """The patient joining is the check-in; the doctor joining after the patient is the start."""
    if not event.appointment_id:
        return
    row = await store.appointment(session, uuid.UUID(event.appointment_id), lock=True)
    if row is None:
        return
    status = Status(row["status"])
    joined = event.join_time.ToDatetime(tzinfo=UTC)
    participant = uuid.UUID(event.participant_id)
    if event.role == "PATIENT" and participant == row["patient_id"] and status is Status.BOOKED:
        await lifecycle.move(session, row, Status.CHECKED_IN, actor_id=participant, actor_role="PATIENT")
    elif event.role == "DOCTOR" and participant == row["doctor_id"] and status is Status.CHECKED_IN:
        await lifecycle.move(
            session, row, Status.IN_PROGRESS, actor_id=participant, actor_role="DOCTOR",
            values={"actual_start_time": joined},
        )  # fmt: skip


async def on_video_session_ended(session: AsyncSession, event: video_events.VideoSessionEnded) -> None:
    """The end of the call completes its appointment with the call's times, only from IN_PROGRESS."""
    if not event.appointment_id:
        return
    row = await store.appointment(session, uuid.UUID(event.appointment_id), lock=True)
    if row is None or Status(row["status"]) is not Status.IN_PROGRESS:
        return
    actor_id, role = lifecycle.actor_of(event.metadata)
    started = event.start_time.ToDatetime(tzinfo=UTC) if event.HasField("start_time") else row["actual_start_time"]
    ended = event.end_time.ToDatetime(tzinfo=UTC)
    await lifecycle.move(
        session, row, Status.COMPLETED, actor_id=actor_id, actor_role=role,
        values={"actual_start_time": started, "actual_end_time": max(ended, started) if started else ended},
    )  # fmt: skip


def subscriptions() -> list[Subscription]:
    return [
        subscribe(catalogue.VIDEO_SESSION_CREATED, on_video_session_created),
        subscribe(catalogue.VIDEO_PARTICIPANT_JOINED, on_participant_joined),
        subscribe(catalogue.VIDEO_SESSION_ENDED, on_video_session_ended),
    ]
