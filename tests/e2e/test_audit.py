"""GET /api/audit through the gateway: a SYSTEM_ADMIN sees who touched a patient's data, across services."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import httpx

from tests.e2e.conftest import Account, error_info, field_violations, register
from tests.e2e.test_appointments import _ok, ready_doctor, virtual_session
from tests.e2e.test_profiles import eventually


def audit(gateway: httpx.Client, account: Account, **query: Any) -> httpx.Response:
    return gateway.get("/api/audit", params=query, headers=account.headers)


def everything(gateway: httpx.Client, admin: Account, **query: Any) -> list[dict[str, Any]]:
    entries: list[dict[str, Any]] = []
    token = ""
    for _ in range(100):
        page = _ok(audit(gateway, admin, pageToken=token, **query))
        entries += page.get("auditEntries", [])
        token = page.get("nextPageToken", "")
        if not token:
            return entries
    raise AssertionError("no last page")


def test_a_doctors_read_of_a_medical_profile_is_on_the_patients_trail(gateway: httpx.Client, admin: Account) -> None:
    doctor = ready_doctor(gateway, admin)
    session = virtual_session(gateway, doctor, days_ahead=4)
    patient = register(gateway, "PATIENT")
    booked = _ok(gateway.post(
        "/api/appointments", json={"sessionId": session["id"], "appointmentType": "VIRTUAL"}, headers=patient.headers
    ))  # fmt: skip
    eventually(lambda: _ok(gateway.get(f"/api/patients/{patient.id}", headers=doctor.headers)))

    entries = everything(gateway, admin, patientId=patient.id, pageSize=2)

    reads = [e for e in entries if (e["actorId"], e["action"], e["outcome"]) == (doctor.id, "READ", "ALLOWED")]
    assert reads, entries
    read = reads[0]
    assert (read["service"], read["actorRole"], read["resourceType"], read["resourceId"], read["patientId"]) == (
        "profile",
        "DOCTOR",
        "patient",
        patient.id,
        patient.id,
    )
    assert read["at"].endswith("Z")
    assert read["requestId"]
    assert read["id"]
    assert {e["service"] for e in entries} >= {"profile", "appointments"}  # pages crossed services
    assert any(e["resourceId"] == booked["id"] for e in entries)
    # As instants: proto JSON writes 0, 3, 6 or 9 digits of a fraction, so the texts do not sort.
    times = [datetime.fromisoformat(e["at"].replace("Z", "+00:00")) for e in entries]
    assert times == sorted(times, reverse=True)
    assert len({(e["service"], e["id"]) for e in entries}) == len(entries)


def test_only_a_system_admin_reads_the_audit_trail(gateway: httpx.Client, admin: Account) -> None:
    for role in ("PATIENT", "DOCTOR", "CLINIC_ADMIN", "PHARMACY"):
        refused = audit(gateway, register(gateway, role))
        assert refused.status_code == 403, (role, refused.text)
        assert error_info(refused)["reason"] == "ROLE_NOT_ALLOWED"
    assert gateway.get("/api/audit").status_code == 401


def test_bad_audit_filters_are_400_with_field_violations(gateway: httpx.Client, admin: Account) -> None:
    refused = audit(gateway, admin, patientId="42", resourceType="spreadsheet", to="soon")
    assert refused.status_code == 400, refused.text
    assert set(field_violations(refused)) == {"patientId", "resourceType", "to"}
    assert audit(gateway, admin, pageSize=-1).status_code == 400
    assert audit(gateway, admin, pageToken="forged.token").status_code == 400
