"""Consultations, pharmacies and stock for the prescriptions tests: appointments made through the
running appointments service, stock through the running inventory service."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from pulseone.appointments.v1 import appointments_pb2
from pulseone.prescriptions.v1 import prescriptions_pb2, resources_pb2

from services.common.event_catalogue import CATALOGUE
from services.common.outbox import encoded
from tests.integration.appointments.test_booking import ZONE, book, create_session, seed_doctor, session_day
from tests.integration.conftest import (
    AppointmentsHarness,
    AuthHarness,
    InventoryHarness,
    PrescriptionsHarness,
    bearer,
    forge_token,
    run_sql,
)
from tests.integration.inventory.conftest import Owner, create_item, seed_location, stock_in

__all__ = ["ZONE", "Owner"]


@dataclass
class Consultation:
    """An appointment, its doctor and its patient (tokens to act as them)."""

    appointment_id: str
    doctor_id: str
    doctor_token: str
    patient_id: str
    patient_token: str

    @property
    def doctor(self) -> tuple[tuple[str, str]]:
        return bearer(self.doctor_token)

    @property
    def patient(self) -> tuple[tuple[str, str]]:
        return bearer(self.patient_token)


async def consultation(
    appointments: AppointmentsHarness, auth: AuthHarness, *, to: str = "IN_PROGRESS", doctor_id: str | None = None
) -> Consultation:
    """A real appointment taken to `to` (BOOKED, CHECKED_IN or IN_PROGRESS) by its doctor."""
    doctor_id = doctor_id or await seed_doctor(appointments)
    doctor_token = forge_token(auth, doctor_id, "DOCTOR")
    patient_id = str(uuid.uuid4())
    await run_sql(appointments.database_url, "INSERT INTO accounts VALUES (:id, 'PATIENT', 'ACTIVE', 1)", id=patient_id)
    patient_token = forge_token(auth, patient_id, "PATIENT")
    session = await create_session(appointments, doctor_token, session_day())
    booked = await book(appointments, patient_token, session.id, session_day())
    stub = appointments.appointments()
    if to in ("CHECKED_IN", "IN_PROGRESS"):
        checking_in = appointments_pb2.CheckInAppointmentRequest(appointment_id=booked.id)
        await stub.CheckInAppointment(checking_in, metadata=bearer(doctor_token))
    if to == "IN_PROGRESS":
        starting = appointments_pb2.StartAppointmentRequest(appointment_id=booked.id)
        await stub.StartAppointment(starting, metadata=bearer(doctor_token))
    return Consultation(booked.id, doctor_id, doctor_token, patient_id, patient_token)


def item(drug: str = "Ibuprofen", quantity: int = 10, **fields: Any) -> resources_pb2.PrescriptionItem:
    return resources_pb2.PrescriptionItem(
        drug_name=drug, dosage="400mg", frequency="3 times a day", duration="5 days", quantity=quantity, **fields
    )


def prescribe(
    prescriptions: PrescriptionsHarness,
    visit: Consultation,
    items: list[resources_pb2.PrescriptionItem] | None = None,
    replica: int = 0,
    **fields: Any,
) -> Any:
    request = prescriptions_pb2.CreatePrescriptionRequest(
        appointment_id=visit.appointment_id, items=items if items is not None else [item()], **fields
    )
    return prescriptions.stub(replica).CreatePrescription(request, metadata=visit.doctor)


async def stocked_pharmacy(
    inventory: InventoryHarness,
    auth: AuthHarness,
    drug: str = "Ibuprofen",
    batches: tuple[tuple[str, int, int], ...] = (("LATE", 300, 20), ("SOON", 30, 5)),
    **fields: Any,
) -> tuple[Owner, str]:
    """A pharmacy with `drug` in stock, batch by batch (number, days to expiry, units); its item id."""
    pharmacy = await seed_location(inventory, auth, "PHARMACY")
    catalog_item = await create_item(inventory, pharmacy, drug, selling_price="2.50", **fields)
    for number, days, units in batches:
        await stock_in(inventory, pharmacy, catalog_item.id, batch=number, expires_in_days=days, quantity=units)
    return pharmacy, catalog_item.id


def dispense(
    prescriptions: PrescriptionsHarness,
    pharmacy: Owner,
    prescription: resources_pb2.Prescription,
    lines: list[tuple[str, str, int]],
    *,
    code: str | None = None,
    replica: int = 0,
    **fields: Any,
) -> Any:
    """Dispense (item id, catalog item id, units) lines with the prescription's code."""
    request = prescriptions_pb2.DispensePrescriptionRequest(
        prescription_id=prescription.id,
        code=prescription.dispense_code if code is None else code,
        pharmacy_id=pharmacy.location_id,
        lines=[prescriptions_pb2.DispenseLine(item_id=i, catalog_item_id=c, quantity=q) for i, c, q in lines],
        **fields,
    )
    return prescriptions.stub(replica).DispensePrescription(request, metadata=pharmacy.metadata)


async def outbox_events(prescriptions: PrescriptionsHarness, prescription_id: str) -> list[tuple[str, Any]]:
    """The events the service recorded about a prescription, in order, decoded as the relay sends them."""
    rows = await run_sql(prescriptions.database_url, "SELECT subject, payload, payload_json FROM outbox ORDER BY seq")
    decoded: list[tuple[str, Any]] = [
        (row[0], CATALOGUE[row[0]].decode(encoded(*row))) for row in rows if row[0].startswith("pulseone.prescriptions")
    ]
    return [(subject, event) for subject, event in decoded if event.prescription.id == prescription_id]
