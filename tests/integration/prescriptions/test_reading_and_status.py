"""Who reads, lists, finds, fills and cancels prescriptions (SPEC 2 and 3.4): the patient and the
issuing doctor read theirs; a pharmacy reaches one only with its code, never its notes; the status
machine ACTIVE → PARTIALLY_FILLED → FILLED / CANCELLED, anything else INVALID_TRANSITION."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import grpc
from pulseone.prescriptions.v1 import prescriptions_pb2

from services.prescriptions.use_cases.prescriptions import CODE_MISS_REFILL_SECONDS, CODE_MISSES_BURST
from tests.integration.conftest import (
    AppointmentsHarness,
    AuthHarness,
    InventoryHarness,
    PrescriptionsHarness,
    bearer,
    forge_token,
    run_sql,
)
from tests.integration.inventory.conftest import seed_location
from tests.integration.prescriptions.conftest import consultation, item, prescribe
from tests.rpc import refusal

FILLED, CANCELLED = 3, 4


def get(prescriptions: PrescriptionsHarness, prescription_id: str, metadata: Any) -> Any:
    request = prescriptions_pb2.GetPrescriptionRequest(prescription_id=prescription_id)
    return prescriptions.stub().GetPrescription(request, metadata=metadata)


def listed(prescriptions: PrescriptionsHarness, metadata: Any, **party: Any) -> Any:
    return prescriptions.stub().ListPrescriptions(
        prescriptions_pb2.ListPrescriptionsRequest(**party), metadata=metadata
    )


def find(prescriptions: PrescriptionsHarness, code: str, metadata: Any) -> Any:
    request = prescriptions_pb2.FindActivePrescriptionsRequest(code=code)
    return prescriptions.stub().FindActivePrescriptions(request, metadata=metadata)


def set_status(
    prescriptions: PrescriptionsHarness, prescription_id: str, status: str, metadata: Any, **fields: Any
) -> Any:
    request = prescriptions_pb2.ChangePrescriptionStatusRequest(
        prescription_id=prescription_id, status=status, **fields
    )
    return prescriptions.stub().ChangePrescriptionStatus(request, metadata=metadata)


async def test_nobody_but_its_patient_and_doctor_reads_a_prescription(
    prescriptions: PrescriptionsHarness, appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    visit = await consultation(appointments, auth)
    issued = await prescribe(prescriptions, visit)
    for role in ("PATIENT", "DOCTOR"):
        stranger = bearer(forge_token(auth, str(uuid.uuid4()), role))
        for prescription_id in (issued.id, str(uuid.uuid4())):
            failure = await refusal(get(prescriptions, prescription_id, stranger))
            assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_OWNER")
    for role in ("PHARMACY", "CLINIC_ADMIN", "SYSTEM_ADMIN"):
        other = bearer(forge_token(auth, str(uuid.uuid4()), role))
        failure = await refusal(get(prescriptions, issued.id, other))
        assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED")


async def test_lists_by_appointment_doctor_and_patient_newest_first_for_their_parties(
    prescriptions: PrescriptionsHarness, appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    visit = await consultation(appointments, auth)
    first = await prescribe(prescriptions, visit, [item("A")])
    second = await prescribe(prescriptions, visit, [item("B")])
    for metadata in (visit.patient, visit.doctor):
        found = await listed(prescriptions, metadata, appointment_id=visit.appointment_id)
        assert [p.id for p in found.prescriptions] == [second.id, first.id]
    page = await listed(prescriptions, visit.doctor, doctor_id=visit.doctor_id, page_size=1)
    assert [p.id for p in page.prescriptions] == [second.id]
    rest = await listed(prescriptions, visit.doctor, doctor_id=visit.doctor_id, page_token=page.next_page_token)
    assert ([p.id for p in rest.prescriptions], rest.next_page_token) == ([first.id], "")
    mine = await listed(prescriptions, visit.patient, patient_id=visit.patient_id)
    assert [p.dispense_code for p in mine.prescriptions] == [second.dispense_code, first.dispense_code]
    # Another doctor who saw the same patient lists only the prescriptions they issued.
    other_visit = await consultation(appointments, auth)
    await run_sql(
        prescriptions.database_url,
        "INSERT INTO appointments VALUES (:id, :doctor, :patient, NULL, 'COMPLETED', 'UTC', 1)",
        id=str(uuid.uuid4()),
        doctor=other_visit.doctor_id,
        patient=visit.patient_id,
    )
    theirs = await listed(prescriptions, other_visit.doctor, patient_id=visit.patient_id)
    assert list(theirs.prescriptions) == []
    # Strangers are refused, whichever list they ask for.
    stranger = bearer(forge_token(auth, str(uuid.uuid4()), "DOCTOR"))
    for party in (
        {"appointment_id": visit.appointment_id},
        {"doctor_id": visit.doctor_id},
        {"patient_id": visit.patient_id},
        {"appointment_id": str(uuid.uuid4())},
    ):
        failure = await refusal(listed(prescriptions, stranger, **party))
        assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "NOT_OWNER"), party
    failure = await refusal(listed(prescriptions, visit.patient, doctor_id=visit.doctor_id))
    assert failure.reason == "NOT_OWNER"
    pharmacy = bearer(forge_token(auth, str(uuid.uuid4()), "PHARMACY"))
    failure = await refusal(listed(prescriptions, pharmacy, patient_id=visit.patient_id))
    assert failure.reason == "ROLE_NOT_ALLOWED"
    failure = await refusal(listed(prescriptions, visit.doctor))
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT


async def test_a_pharmacy_finds_an_open_prescription_by_its_code_only_without_notes_and_audited(
    prescriptions: PrescriptionsHarness,
    appointments: AppointmentsHarness,
    inventory: InventoryHarness,
    auth: AuthHarness,
) -> None:
    visit = await consultation(appointments, auth)
    issued = await prescribe(prescriptions, visit, notes="private")
    pharmacy = await seed_location(inventory, auth, "PHARMACY")
    found = await find(
        prescriptions, f" {issued.dispense_code[:4].lower()}-{issued.dispense_code[4:]}", pharmacy.metadata
    )
    [seen] = found.prescriptions
    assert (seen.id, seen.HasField("notes"), seen.dispense_code, len(seen.items)) == (issued.id, False, "", 1)
    assert list((await find(prescriptions, "ZZZZZZZZ", pharmacy.metadata)).prescriptions) == []
    failure = await refusal(find(prescriptions, "", pharmacy.metadata))
    assert (failure.code, failure.fields) == (grpc.StatusCode.INVALID_ARGUMENT, {"code": "INVALID_FIELD"})
    failure = await refusal(find(prescriptions, issued.dispense_code, visit.doctor))
    assert failure.reason == "ROLE_NOT_ALLOWED"
    audit = await run_sql(
        prescriptions.database_url,
        "SELECT action, resource_id, outcome FROM audit_entries WHERE actor_id = :actor ORDER BY id",
        actor=pharmacy.user_id,
    )
    assert ("FIND_BY_CODE", issued.id, "ALLOWED") in audit
    assert len(audit) == 3
    # Expired or no longer open: not found.
    prescriptions.clock.advance(timedelta(days=31))
    try:
        assert list((await find(prescriptions, issued.dispense_code, pharmacy.metadata)).prescriptions) == []
    finally:
        prescriptions.clock.advance(timedelta(days=-31))
    await set_status(prescriptions, issued.id, "FILLED", pharmacy.metadata, code=issued.dispense_code)
    assert list((await find(prescriptions, issued.dispense_code, pharmacy.metadata)).prescriptions) == []


async def test_a_pharmacy_guessing_codes_is_slowed_down_and_others_are_not(
    prescriptions: PrescriptionsHarness, appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    """Codes are eight characters of 32: a pharmacy whose lookups keep missing is refused (429 with
    a retry delay) before its next lookup is made; a pharmacy that types codes right is untouched."""
    visit = await consultation(appointments, auth)
    issued = await prescribe(prescriptions, visit)
    guesser = bearer(forge_token(auth, str(uuid.uuid4()), "PHARMACY"))
    counter = bearer(forge_token(auth, str(uuid.uuid4()), "PHARMACY"))
    for n in range(CODE_MISSES_BURST):
        assert list((await find(prescriptions, f"ZZZZ{n:04d}", guesser)).prescriptions) == []
    failure = await refusal(find(prescriptions, issued.dispense_code, guesser))
    assert (failure.code, failure.reason) == (grpc.StatusCode.RESOURCE_EXHAUSTED, "TOO_MANY_CODE_MISSES")
    assert 0 < int(failure.metadata["retryAfterSeconds"]) <= CODE_MISS_REFILL_SECONDS
    for _ in range(CODE_MISSES_BURST + 5):  # hits never count
        assert [p.id for p in (await find(prescriptions, issued.dispense_code, counter)).prescriptions] == [issued.id]


async def test_the_status_machine_and_who_moves_it(
    prescriptions: PrescriptionsHarness, appointments: AppointmentsHarness, auth: AuthHarness
) -> None:
    visit = await consultation(appointments, auth)
    pharmacy = bearer(forge_token(auth, str(uuid.uuid4()), "PHARMACY"))
    other_doctor = bearer(forge_token(auth, str(uuid.uuid4()), "DOCTOR"))
    to_fill = await prescribe(prescriptions, visit)
    failure = await refusal(set_status(prescriptions, to_fill.id, "CANCELLED", pharmacy))
    assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "ROLE_NOT_ALLOWED")
    failure = await refusal(set_status(prescriptions, to_fill.id, "FILLED", visit.doctor, code=to_fill.dispense_code))
    assert failure.reason == "ROLE_NOT_ALLOWED"
    failure = await refusal(set_status(prescriptions, to_fill.id, "FILLED", pharmacy, code="WRONG123"))
    assert failure.reason == "INVALID_DISPENSE_CODE"
    failure = await refusal(set_status(prescriptions, to_fill.id, "PARTIALLY_FILLED", pharmacy))
    assert failure.code == grpc.StatusCode.INVALID_ARGUMENT
    prescriptions.clock.advance(timedelta(days=31))
    try:
        failure = await refusal(set_status(prescriptions, to_fill.id, "FILLED", pharmacy, code=to_fill.dispense_code))
    finally:
        prescriptions.clock.advance(timedelta(days=-31))
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "PRESCRIPTION_EXPIRED")
    filled = await set_status(prescriptions, to_fill.id, "FILLED", pharmacy, code=to_fill.dispense_code)
    assert (filled.status, filled.HasField("notes"), filled.dispense_code) == (FILLED, False, "")
    failure = await refusal(set_status(prescriptions, to_fill.id, "CANCELLED", visit.doctor))
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INVALID_TRANSITION")

    to_cancel = await prescribe(prescriptions, visit)
    request = prescriptions_pb2.CancelPrescriptionRequest(prescription_id=to_cancel.id, reason="allergy")
    failure = await refusal(prescriptions.stub().CancelPrescription(request, metadata=other_doctor))
    assert failure.reason == "NOT_OWNER"
    cancelled = await prescriptions.stub(1).CancelPrescription(request, metadata=visit.doctor)
    assert (cancelled.status, cancelled.cancellation_reason, cancelled.dispense_code) == (
        CANCELLED,
        "allergy",
        to_cancel.dispense_code,
    )
    for status, metadata in (("CANCELLED", visit.doctor), ("FILLED", pharmacy)):
        failure = await refusal(set_status(prescriptions, to_cancel.id, status, metadata, code=to_cancel.dispense_code))
        assert failure.reason == "INVALID_TRANSITION"
