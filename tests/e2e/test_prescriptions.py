"""Prescriptions over REST through the gateway (SPEC 3.4): issued in a consultation, read by its
parties, reached by a pharmacy only with its code, dispensed from the pharmacy's own stock."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.e2e.conftest import Account, error_info, field_violations, register
from tests.e2e.test_appointments import ready_doctor, virtual_session
from tests.e2e.test_inventory import in_days, pharmacy_of
from tests.e2e.test_profiles import approve, eventually


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def in_consultation(gateway: httpx.Client, admin: Account) -> tuple[Account, Account, str]:
    """A doctor, a patient and their appointment, IN_PROGRESS."""
    doctor = ready_doctor(gateway, admin)
    session = virtual_session(gateway, doctor)
    patient = register(gateway, "PATIENT")
    booked = _ok(gateway.post(
        "/api/appointments", json={"sessionId": session["id"], "appointmentType": "VIRTUAL"}, headers=patient.headers
    ))  # fmt: skip
    appointment = f"/api/appointments/{booked['id']}"
    _ok(gateway.post(f"{appointment}/check-in", headers=doctor.headers))
    _ok(gateway.post(f"{appointment}/start", json={}, headers=doctor.headers))
    return doctor, patient, booked["id"]


ITEM = {
    "drugName": "Amoxicillin",
    "dosage": "500mg",
    "frequency": "3 times a day",
    "duration": "7 days",
    "quantity": 21,
}


def test_prescribe_read_find_and_dispense_over_rest(gateway: httpx.Client, admin: Account) -> None:
    doctor, patient, appointment_id = in_consultation(gateway, admin)
    body = {
        "appointmentId": appointment_id,
        "items": [ITEM],
        "notes": "finish the course",
        "requestId": str(uuid.uuid4()),
    }
    issued = _ok(gateway.post("/api/prescriptions", json=body, headers=doctor.headers))
    assert _ok(gateway.post("/api/prescriptions", json=body, headers=doctor.headers))["id"] == issued["id"]
    assert (issued["status"], issued["patientId"], issued["appointmentId"]) == ("ACTIVE", patient.id, appointment_id)
    assert issued["timeZone"] == "America/New_York"
    assert issued["items"][0]["dispensedQuantity"] == 0
    read = _ok(gateway.get(f"/api/prescriptions/{issued['id']}", headers=patient.headers))
    assert (read["dispenseCode"], read["notes"]) == (issued["dispenseCode"], "finish the course")
    listed = _ok(gateway.get(f"/api/prescriptions/patient/{patient.id}", headers=patient.headers))
    assert ([p["id"] for p in listed["prescriptions"]], listed["nextPageToken"]) == ([issued["id"]], "")
    by_appointment = _ok(gateway.get(f"/api/prescriptions/appointment/{appointment_id}", headers=doctor.headers))
    assert [p["id"] for p in by_appointment["prescriptions"]] == [issued["id"]]

    owner = approve(gateway, admin, register(gateway, "PHARMACY"))
    location = pharmacy_of(gateway, owner)["id"]
    item = _ok(gateway.post(
        "/api/inventory/catalog", headers=owner.headers,
        json={"locationId": location, "drugName": "amoxicillin", "unitType": "CAPSULE", "sellingPrice": "1.20"},
    ))  # fmt: skip
    for number, days, units in (("LATE", 200, 30), ("SOON", 20, 12)):
        stock = {"catalogItemId": item["id"], "batchNumber": number, "expiryDate": in_days(days), "quantity": units,
                 "costPrice": "0.40"}  # fmt: skip
        _ok(gateway.post("/api/inventory/stock/in", json=stock, headers=owner.headers))

    # The pharmacy reaches it only with the code, without notes, and never by patient or doctor.
    found = _ok(
        gateway.get("/api/prescriptions/active", params={"code": issued["dispenseCode"]}, headers=owner.headers)
    )
    [seen] = found["prescriptions"]
    assert (seen["id"], "notes" in seen, seen.get("dispenseCode", "")) == (issued["id"], False, "")
    assert _ok(gateway.get("/api/prescriptions/active", params={"code": "NOPE2345"}, headers=owner.headers)) == {
        "prescriptions": []
    }
    missing = gateway.get("/api/prescriptions/active", headers=owner.headers)
    assert missing.status_code == 400, missing.text
    assert field_violations(missing) == {"code": "INVALID_FIELD"}
    for path in (f"/api/prescriptions/patient/{patient.id}", f"/api/prescriptions/{issued['id']}"):
        refused = gateway.get(path, headers=owner.headers)
        assert (refused.status_code, error_info(refused)["reason"]) == (403, "ROLE_NOT_ALLOWED")

    dispense = f"/api/prescriptions/{issued['id']}/dispense"
    line = {"itemId": seen["items"][0]["id"], "catalogItemId": item["id"], "quantity": 15}
    request = {"code": issued["dispenseCode"], "pharmacyId": location, "lines": [line], "requestId": str(uuid.uuid4())}
    first = _ok(gateway.post(dispense, json=request, headers=owner.headers))
    assert first["prescription"]["status"] == "PARTIALLY_FILLED"
    assert [(b["batchNumber"], b["quantity"]) for b in first["dispensation"]["lines"][0]["batches"]] == [
        ("SOON", 12), ("LATE", 3),
    ]  # fmt: skip
    assert (first["dispensation"]["costTotal"], first["dispensation"]["sellingTotal"]) == ("6.00", "18.00")
    assert _ok(gateway.post(dispense, json=request, headers=owner.headers))["dispensation"] == first["dispensation"]
    too_many = gateway.post(dispense, json={**request, "requestId": str(uuid.uuid4())}, headers=owner.headers)
    assert (too_many.status_code, error_info(too_many)["reason"]) == (400, "QUANTITY_EXCEEDS_REMAINING")
    rest = {**request, "lines": [{**line, "quantity": 6}], "requestId": str(uuid.uuid4())}
    assert _ok(gateway.post(dispense, json=rest, headers=owner.headers))["prescription"]["status"] == "FILLED"
    assert _ok(gateway.get(f"/api/prescriptions/{issued['id']}", headers=patient.headers))["status"] == "FILLED"
    report = _ok(gateway.get("/api/inventory/report", params={"locationId": location}, headers=owner.headers))
    assert report["units"] == "21"


def test_prescription_errors_and_cancellation_over_rest(gateway: httpx.Client, admin: Account) -> None:
    doctor, patient, appointment_id = in_consultation(gateway, admin)
    other_doctor = ready_doctor(gateway, admin)
    refused = gateway.post(
        "/api/prescriptions", json={"appointmentId": appointment_id, "items": [ITEM]}, headers=other_doctor.headers
    )
    assert (refused.status_code, error_info(refused)["reason"]) == (403, "NOT_OWNER")
    invalid = gateway.post(
        "/api/prescriptions", json={"appointmentId": appointment_id, "items": []}, headers=doctor.headers
    )
    assert (invalid.status_code, field_violations(invalid)) == (400, {"items": "INVALID_FIELD"})
    bad_id = gateway.get("/api/prescriptions/not-a-uuid", headers=patient.headers)
    assert bad_id.status_code == 400
    issued = _ok(gateway.post("/api/prescriptions", json={"appointmentId": appointment_id, "items": [ITEM]},
                              headers=doctor.headers))  # fmt: skip
    stranger = register(gateway, "PATIENT")
    hidden = gateway.get(f"/api/prescriptions/{issued['id']}", headers=stranger.headers)
    assert (hidden.status_code, error_info(hidden)["reason"]) == (403, "NOT_OWNER")
    assert gateway.get(f"/api/prescriptions/{issued['id']}").status_code == 401
    not_theirs = gateway.delete(f"/api/prescriptions/{issued['id']}", headers=other_doctor.headers)
    assert not_theirs.status_code == 403
    cancelled = _ok(gateway.delete(f"/api/prescriptions/{issued['id']}", params={"reason": "allergy"},
                                   headers=doctor.headers))  # fmt: skip
    assert (cancelled["status"], cancelled["cancellationReason"]) == ("CANCELLED", "allergy")
    again = gateway.put(f"/api/prescriptions/{issued['id']}", json={"status": "CANCELLED"}, headers=doctor.headers)
    assert (again.status_code, error_info(again)["reason"]) == (400, "INVALID_TRANSITION")
    found = eventually(lambda: _ok(gateway.get(f"/api/prescriptions/doctor/{doctor.id}", headers=doctor.headers)))
    assert [p["status"] for p in found["prescriptions"]] == ["CANCELLED"]
