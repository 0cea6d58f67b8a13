"""Prescribing against the running appointments service: by the appointment's doctor, in or after
the consultation, for its patient, valid in its zone; the code for the patient and doctor only
(SPEC 3.4; issue 9)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import grpc
import pytest
from pulseone.prescriptions.v1 import prescriptions_pb2

from services.common import event_catalogue as catalogue
from services.prescriptions.domain.prescriptions import CODE_ALPHABET, today_in
from tests.integration.conftest import (
    AppointmentsHarness,
    AuthHarness,
    PrescriptionsHarness,
    bearer,
    eventually,
    forge_token,
    run_sql,
)
from tests.integration.prescriptions.conftest import ZONE, consultation, item, outbox_events, prescribe
from tests.rpc import refusal


async def test_the_doctor_prescribes_in_the_consultation_for_its_patient(
    prescriptions: PrescriptionsHarness, appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    visit = await consultation(appointments, auth)
    issued = await prescribe(
        prescriptions,
        visit,
        [item("Ibuprofen", 15, generic_name="ibuprofen"), item("Amoxicillin", 21, instructions="after meals")],
        notes="Drink plenty of water",
    )
    assert (issued.doctor_id, issued.patient_id, issued.appointment_id) == (
        visit.doctor_id,
        visit.patient_id,
        visit.appointment_id,
    )
    assert (issued.status, issued.time_zone, issued.notes) == (1, ZONE, "Drink plenty of water")
    assert issued.valid_until == (today_in(ZONE, prescriptions.clock()) + timedelta(days=30)).isoformat()
    assert len(issued.dispense_code) == 8
    assert set(issued.dispense_code) <= set(CODE_ALPHABET)
    assert [(i.drug_name, i.quantity, i.dispensed_quantity) for i in issued.items] == [
        ("Ibuprofen", 15, 0),
        ("Amoxicillin", 21, 0),
    ]
    assert all(uuid.UUID(i.id) for i in issued.items)
    # Its patient reads it, code and notes included; so does its doctor, through either replica.
    for metadata, replica in ((visit.patient, 0), (visit.doctor, 1)):
        read = await prescriptions.stub(replica).GetPrescription(
            prescriptions_pb2.GetPrescriptionRequest(prescription_id=issued.id), metadata=metadata
        )
        assert (read.dispense_code, read.notes, len(read.items)) == (issued.dispense_code, issued.notes, 2)
    # The event tells everyone else, without the code and the notes.
    [(subject, event)] = await outbox_events(prescriptions, issued.id)
    assert subject == catalogue.PRESCRIPTION_ISSUED.subject
    assert (event.prescription.dispense_code, event.prescription.HasField("notes")) == ("", False)
    assert (event.metadata.entity_version, event.metadata.actor_id) == (1, visit.doctor_id)


async def test_the_appointment_is_re_read_when_the_projection_lags_and_remembered(
    prescriptions: PrescriptionsHarness, appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    visit = await consultation(appointments, auth)
    await run_sql(prescriptions.database_url, "DELETE FROM appointments WHERE id = :id", id=visit.appointment_id)
    issued = await prescribe(prescriptions, visit)
    assert issued.patient_id == visit.patient_id
    # The events catch up in the end, whatever the order.
    rows = await eventually(lambda: _projected(prescriptions, visit.appointment_id, "IN_PROGRESS"))
    assert rows


async def _projected(prescriptions: PrescriptionsHarness, appointment_id: str, status: str) -> list[object]:
    rows = await run_sql(
        prescriptions.database_url,
        "SELECT status FROM appointments WHERE id = :id AND status = :status",
        id=appointment_id,
        status=status,
    )
    assert rows
    return rows


@pytest.mark.parametrize("status", ["BOOKED", "CHECKED_IN"])
async def test_no_prescription_before_the_consultation(
    prescriptions: PrescriptionsHarness, appointments: AppointmentsHarness, auth: AuthHarness, status: str
) -> None:
    visit = await consultation(appointments, auth, to=status)
    failure = await refusal(prescribe(prescriptions, visit))
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "APPOINTMENT_NOT_IN_CONSULTATION")


async def test_another_doctor_cannot_prescribe_in_the_appointment(
    prescriptions: PrescriptionsHarness, appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    visit = await consultation(appointments, auth)
    other = forge_token(auth, str(uuid.uuid4()), "DOCTOR")
    request = prescriptions_pb2.CreatePrescriptionRequest(appointment_id=visit.appointment_id, items=[item()])
    for appointment_id in (visit.appointment_id, str(uuid.uuid4())):
        request.appointment_id = appointment_id
        failure = await refusal(prescriptions.stub().CreatePrescription(request, metadata=bearer(other)))
        assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_OWNER")


async def test_a_repeated_request_id_returns_the_first_prescription(
    prescriptions: PrescriptionsHarness, appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    visit = await consultation(appointments, auth)
    request_id = str(uuid.uuid4())
    first = await prescribe(prescriptions, visit, request_id=request_id)
    again = await prescribe(prescriptions, visit, [item("Other")], request_id=request_id, replica=1)
    assert (again.id, again.dispense_code, again.items[0].drug_name) == (first.id, first.dispense_code, "Ibuprofen")
    count = await run_sql(
        prescriptions.database_url,
        "SELECT count(*) FROM prescriptions WHERE appointment_id = :id",
        id=visit.appointment_id,
    )
    assert count == [(1,)]


async def test_items_and_validity_are_checked_field_by_field(
    prescriptions: PrescriptionsHarness, appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    visit = await consultation(appointments, auth)
    failure = await refusal(prescribe(prescriptions, visit, []))
    assert failure.fields == {"items": "INVALID_FIELD"}
    failure = await refusal(prescribe(prescriptions, visit, [item(quantity=0), item(drug="  ")]))
    assert set(failure.fields) == {"items[0].quantity", "items[1].drugName"}
    failure = await refusal(prescribe(prescriptions, visit, [item()] * 21))
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    yesterday = (today_in(ZONE, prescriptions.clock()) - timedelta(days=1)).isoformat()
    failure = await refusal(prescribe(prescriptions, visit, valid_until=yesterday))
    assert list(failure.fields) == ["validUntil"]
    failure = await refusal(prescribe(prescriptions, visit, valid_until="2026-02-30"))
    assert list(failure.fields) == ["validUntil"]
    chosen = (today_in(ZONE, prescriptions.clock()) + timedelta(days=7)).isoformat()
    assert (await prescribe(prescriptions, visit, valid_until=chosen)).valid_until == chosen
