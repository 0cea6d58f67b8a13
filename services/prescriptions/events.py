"""Events of the prescriptions service: what it publishes (a prescription issued, partially filled,
filled or cancelled, without its dispense code and notes), and its handlers of appointment and auth
events, which keep the projections prescribing is checked against."""

from __future__ import annotations

from typing import Any

from pulseone.appointments.v1 import events_pb2 as appointment_events
from pulseone.prescriptions.v1 import events_pb2
from sqlalchemy.ext.asyncio import AsyncSession

from services.common import event_catalogue as catalogue
from services.common.consumer import PermanentFailure, Subscription, subscribe
from services.common.outbox import outbox_row
from services.common.projections import account_subscriptions
from services.prescriptions import messages
from services.prescriptions.domain.dispensing import Dispensation
from services.prescriptions.domain.prescriptions import Prescription, Status, for_pharmacy
from services.prescriptions.store import appointments as store

PUBLISHED = {
    Status.ACTIVE: catalogue.PRESCRIPTION_ISSUED,
    Status.PARTIALLY_FILLED: catalogue.PRESCRIPTION_PARTIALLY_FILLED,
    Status.FILLED: catalogue.PRESCRIPTION_FILLED,
    Status.CANCELLED: catalogue.PRESCRIPTION_CANCELLED,
}
"""The subject of each status a prescription reaches."""


def changed(
    after: Prescription, *, previous: Status | None, dispensation: Dispensation | None = None
) -> dict[str, Any]:
    """The outbox row of a prescription's change, for the store to write in the change's statement."""
    event = events_pb2.PrescriptionChanged(
        prescription=messages.prescription_message(for_pharmacy(after)),
        previous_status=previous.value if previous is not None else None,
    )
    if dispensation is not None:
        event.dispensation.CopyFrom(messages.dispensation_message(dispensation))
    return outbox_row(PUBLISHED[after.status], event, entity_id=after.id, entity_version=after.version)


async def on_appointment_changed(session: AsyncSession, event: appointment_events.AppointmentChanged) -> None:
    try:
        appointment = messages.appointment_facts(event.appointment)
    except ValueError as error:  # ids that are not UUIDs: no retry will fix them
        raise PermanentFailure(f"not an appointment: {error}") from error
    await store.mirror_appointment(session, appointment, event.metadata.entity_version)


def subscriptions() -> list[Subscription]:
    return [
        *account_subscriptions(),
        *(subscribe(event_type, on_appointment_changed) for event_type in catalogue.APPOINTMENT_CHANGES),
    ]
