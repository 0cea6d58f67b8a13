"""Profiles over REST through the gateway (SPEC 3.2): created from registration, then edited by owners."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from tests.e2e.conftest import Account, error_info, field_violations, register


def eventually(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        try:
            return check()
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def approve(gateway: httpx.Client, admin: Account, account: Account) -> Account:
    assert gateway.post(f"/api/auth/users/{account.id}/approve", headers=admin.headers).status_code == 200
    response = gateway.post("/api/auth/login", json={"email": account.email, "password": "correct horse 1"})
    data = response.json()
    return Account(account.id, account.email, data["accessToken"], data["refreshToken"], data)


def clinic_of(gateway: httpx.Client, admin_account: Account) -> dict[str, Any]:
    def find() -> dict[str, Any]:
        clinics = gateway.get("/api/clinics", params={"pageSize": 200}, headers=admin_account.headers).json()["clinics"]
        mine = [c for c in clinics if c["adminId"] == admin_account.id]
        assert mine
        return mine[0]

    return eventually(find)  # type: ignore[no-any-return]


def test_registration_creates_profiles_and_the_clinic(gateway: httpx.Client) -> None:
    patient = register(gateway, "PATIENT")
    clinic_admin = register(gateway, "CLINIC_ADMIN")

    def profile() -> dict[str, Any]:
        response = gateway.get(f"/api/profiles/{patient.id}", headers=patient.headers)
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]

    body = eventually(profile)
    assert (body["id"], body["email"], body["role"], body["firstName"]) == (patient.id, patient.email, "PATIENT", "Ada")
    clinic = clinic_of(gateway, clinic_admin)
    assert (clinic["name"], clinic["timeZone"], clinic["active"]) == ("Lanka Clinic", "Asia/Colombo", True)


def test_affiliation_end_to_end(gateway: httpx.Client, admin: Account) -> None:
    clinic_admin = approve(gateway, admin, register(gateway, "CLINIC_ADMIN"))
    doctor = approve(gateway, admin, register(gateway, "DOCTOR"))
    clinic = clinic_of(gateway, clinic_admin)
    eventually(lambda: _assert_ok(gateway.get(f"/api/doctors/{doctor.id}", headers=doctor.headers)))
    invited = gateway.post(
        f"/api/clinics/{clinic['id']}/doctors", json={"doctorId": doctor.id}, headers=clinic_admin.headers
    )
    assert invited.status_code == 200, invited.text
    assert invited.json()["status"] == "PENDING"
    confirmed = gateway.post(f"/api/clinics/{clinic['id']}/doctors/{doctor.id}/confirm", headers=doctor.headers)
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["status"] == "CONFIRMED"
    listed = gateway.get(f"/api/clinics/{clinic['id']}/doctors", headers=doctor.headers).json()["doctors"]
    assert [(d["doctorId"], d["status"]) for d in listed] == [(doctor.id, "CONFIRMED")]
    profile = gateway.get(f"/api/doctors/{doctor.id}", headers=doctor.headers).json()
    assert profile["clinics"] == [{"id": clinic["id"], "name": clinic["name"]}]

    def verified() -> None:
        # The approval reaches the profile service as an event, a moment after the approval itself.
        assert gateway.get(f"/api/doctors/{doctor.id}", headers=doctor.headers).json()["verified"] is True

    eventually(verified)


def _assert_ok(response: httpx.Response) -> httpx.Response:
    assert response.status_code == 200, response.text
    return response


def test_a_patient_cannot_read_another_patient(gateway: httpx.Client) -> None:
    owner = register(gateway, "PATIENT")
    other = register(gateway, "PATIENT")
    eventually(lambda: _assert_ok(gateway.get(f"/api/patients/{owner.id}", headers=owner.headers)))
    response = gateway.get(f"/api/patients/{owner.id}", headers=other.headers)
    assert response.status_code == 403
    assert error_info(response)["domain"] == "pulseone.profile"
    assert gateway.get(f"/api/profiles/{owner.id}", headers=other.headers).status_code == 403


def test_medical_profile_updates_follow_the_update_rule(gateway: httpx.Client) -> None:
    patient = register(gateway, "PATIENT")
    eventually(lambda: _assert_ok(gateway.get(f"/api/patients/{patient.id}", headers=patient.headers)))
    first = gateway.put(
        f"/api/patients/{patient.id}",
        params={"updateMask": "allergies,emergencyContacts"},
        json={
            "bloodGroup": "AB-",
            "dateOfBirth": "1990-05-17",
            "allergies": ["penicillin"],
            "emergencyContacts": [{"name": "Grace", "relationship": "sister", "phone": "+94 77 000 1111"}],
        },
        headers=patient.headers,
    )
    assert first.status_code == 200, first.text
    second = gateway.put(
        f"/api/patients/{patient.id}", json={"address": "7 Temple Rd", "allergies": []}, headers=patient.headers
    )
    body = second.json()
    assert (body["address"], body["bloodGroup"], body["dateOfBirth"]) == ("7 Temple Rd", "AB-", "1990-05-17")
    assert body["allergies"] == ["penicillin"]
    assert body["emergencyContacts"][0]["name"] == "Grace"
    cleared = gateway.put(
        f"/api/patients/{patient.id}",
        params={"updateMask": "allergies"},
        json={"allergies": []},
        headers=patient.headers,
    ).json()
    assert cleared["allergies"] == []


def test_bad_time_zone_is_400_with_a_field_violation(gateway: httpx.Client, admin: Account) -> None:
    clinic_admin = approve(gateway, admin, register(gateway, "CLINIC_ADMIN"))
    clinic = clinic_of(gateway, clinic_admin)
    response = gateway.put(
        f"/api/clinics/{clinic['id']}", json={"timeZone": "Atlantis/Capital"}, headers=clinic_admin.headers
    )
    assert response.status_code == 400
    assert field_violations(response) == {"timeZone": "INVALID_TIME_ZONE"}
    assert error_info(response)["domain"] == "pulseone.profile"


def test_unknown_ids_are_404_and_malformed_ids_400(gateway: httpx.Client) -> None:
    patient = register(gateway, "PATIENT")
    for path in (f"/api/clinics/{uuid.uuid4()}", f"/api/doctors/{uuid.uuid4()}", f"/api/pharmacies/{uuid.uuid4()}"):
        response = gateway.get(path, headers=patient.headers)
        assert response.status_code == 404, path
    malformed = gateway.get("/api/clinics/not-a-uuid", headers=patient.headers)
    assert malformed.status_code == 400
    assert field_violations(malformed) == {"clinicId": "INVALID_ID"}


def test_profile_routes_need_a_token(gateway: httpx.Client) -> None:
    assert gateway.get("/api/doctors").status_code == 401
    assert gateway.get(f"/api/patients/{uuid.uuid4()}").status_code == 401
