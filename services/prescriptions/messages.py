"""Protobuf ⇄ domain values of pulseone.prescriptions.v1 (and of the appointments and inventory
messages this service reads)."""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from pulseone.appointments.v1 import resources_pb2 as appointment_resources
from pulseone.inventory.v1 import resources_pb2 as inventory_resources
from pulseone.prescriptions.v1 import prescriptions_pb2, resources_pb2

from services.common.fields import Checks, optional_uuid, parse_uuid
from services.common.timestamps import set_time
from services.prescriptions.domain import dispensing, prescriptions
from services.prescriptions.domain.appointments import AppointmentFacts
from services.prescriptions.domain.dispensing import (
    BatchUse,
    CatalogEntry,
    Dispensation,
    DispenseLine,
    DispenseRequest,
    StockTaken,
)
from services.prescriptions.domain.prescriptions import NewPrescription, Prescription, Status

Proto = resources_pb2.Prescription
CENTS = Decimal("0.01")


def _optional(message: object, field: str) -> str | None:
    return getattr(message, field) if message.HasField(field) else None  # type: ignore[attr-defined]


# Requests


def new_prescription(request: prescriptions_pb2.CreatePrescriptionRequest) -> NewPrescription:
    checks = Checks()
    items = [
        prescriptions.new_item(
            index,
            drug_name=item.drug_name,
            generic_name=_optional(item, "generic_name"),
            dosage=item.dosage,
            frequency=_optional(item, "frequency"),
            duration=item.duration,
            quantity=item.quantity,
            instructions=_optional(item, "instructions"),
            checks=checks,
        )
        for index, item in enumerate(request.items)
    ]
    return prescriptions.new_prescription(
        appointment_id=parse_uuid(request.appointment_id, "appointmentId"),
        items=items,
        notes=_optional(request, "notes"),
        valid_until=request.valid_until,
        request_id=optional_uuid(request.request_id, "requestId"),
        checks=checks,
    )


def status_of(value: int) -> Status | None:
    return Status(Proto.Status.Name(value)) if value else None


def dispense_request(request: prescriptions_pb2.DispensePrescriptionRequest) -> DispenseRequest:
    lines = [
        DispenseLine(
            parse_uuid(line.item_id, f"lines[{index}].itemId"),
            parse_uuid(line.catalog_item_id, f"lines[{index}].catalogItemId"),
            line.quantity,
        )
        for index, line in enumerate(request.lines)
    ]
    return dispensing.dispense_request(
        prescription_id=parse_uuid(request.prescription_id, "prescriptionId"),
        code=request.code,
        pharmacy_id=parse_uuid(request.pharmacy_id, "pharmacyId"),
        lines=lines,
        request_id=optional_uuid(request.request_id, "requestId"),
    )


# Resources


def prescription_message(prescription: Prescription) -> resources_pb2.Prescription:
    message = resources_pb2.Prescription(
        id=str(prescription.id),
        doctor_id=str(prescription.doctor_id),
        patient_id=str(prescription.patient_id),
        appointment_id=str(prescription.appointment_id),
        valid_until=prescription.valid_until.isoformat(),
        status=prescription.status.value,
        dispense_code=prescription.dispense_code,
        time_zone=prescription.time_zone,
        cancellation_reason=prescription.cancellation_reason,
        items=[
            resources_pb2.PrescriptionItem(
                id=str(item.id),
                drug_name=item.drug_name,
                generic_name=item.generic_name,
                dosage=item.dosage,
                frequency=item.frequency,
                duration=item.duration,
                quantity=item.quantity,
                instructions=item.instructions,
                dispensed_quantity=item.dispensed_quantity,
            )
            for item in prescription.items
        ],
    )
    if prescription.clinic_id is not None:
        message.clinic_id = str(prescription.clinic_id)
    if prescription.notes is not None:
        message.notes = prescription.notes
    set_time(message.issued_at, prescription.issued_at)
    set_time(message.update_time, prescription.update_time)
    return message


def money(value: Decimal) -> str:
    return str(value.quantize(CENTS))


def dispensation_message(dispensation: Dispensation) -> resources_pb2.Dispensation:
    message = resources_pb2.Dispensation(
        id=str(dispensation.id),
        pharmacy_id=str(dispensation.pharmacy_id),
        lines=[
            resources_pb2.Dispensation.Line(
                item_id=str(line.item_id),
                catalog_item_id=str(line.catalog_item_id),
                quantity=line.quantity,
                batches=[
                    resources_pb2.Dispensation.BatchUse(
                        batch_id=str(b.batch_id),
                        batch_number=b.batch_number,
                        expiry_date=b.expiry_date.isoformat(),
                        quantity=b.quantity,
                    )
                    for b in line.batches
                ],
            )
            for line in dispensation.lines
        ],
        cost_total=money(dispensation.cost_total),
        selling_total=money(dispensation.selling_total),
    )
    set_time(message.dispense_time, dispensation.dispense_time)
    return message


# Other services' messages (ValueError when their ids are not UUIDs)


def appointment_facts(appointment: appointment_resources.Appointment) -> AppointmentFacts:
    return AppointmentFacts(
        id=uuid.UUID(appointment.id),
        doctor_id=uuid.UUID(appointment.doctor_id),
        patient_id=uuid.UUID(appointment.patient_id),
        clinic_id=uuid.UUID(appointment.clinic_id) if appointment.clinic_id else None,
        status=appointment_resources.Appointment.Status.Name(appointment.status),
        time_zone=appointment.time_zone,
    )


def catalog_entry(item: inventory_resources.CatalogItem) -> CatalogEntry:
    return CatalogEntry(
        id=uuid.UUID(item.id),
        location_id=uuid.UUID(item.location_id),
        drug_name=item.drug_name,
        generic_name=_optional(item, "generic_name"),
    )


def stock_taken(dispensed: inventory_resources.Dispensed) -> StockTaken:
    return StockTaken(
        lines=tuple(
            tuple(
                BatchUse(uuid.UUID(b.batch_id), b.batch_number, date.fromisoformat(b.expiry_date), b.quantity)
                for b in line.batches
            )
            for line in dispensed.lines
        ),
        cost_total=Decimal(dispensed.cost_total or "0"),
        selling_total=Decimal(dispensed.selling_total or "0"),
    )
