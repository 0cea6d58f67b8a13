"""The account journey over REST through the gateway, as SPEC 3.1 describes it."""

from __future__ import annotations

import uuid

import httpx

from tests.e2e.conftest import PASSWORD, Account, error_info, field_violations, login, register


def test_a_patient_registers_reads_themself_refreshes_and_logs_out(gateway: httpx.Client) -> None:
    patient = register(gateway, "PATIENT")
    user = patient.body["user"]
    assert set(user) == {"id", "email", "role", "status", "firstName", "lastName", "phoneNumber", "createTime"}
    assert (user["role"], user["status"]) == ("PATIENT", "ACTIVE")
    assert patient.body["tokenType"] == "Bearer"
    assert patient.body["expiresIn"] == 900

    me = gateway.get("/api/auth/me", headers=patient.headers)
    assert me.status_code == 200
    assert me.json()["id"] == patient.id

    refreshed = gateway.post("/api/auth/refresh", json={"refreshToken": patient.refresh_token})
    assert refreshed.status_code == 200
    pair = refreshed.json()
    assert pair["refreshToken"] != patient.refresh_token
    assert gateway.get("/api/auth/me", headers={"authorization": f"Bearer {pair['accessToken']}"}).status_code == 200

    assert gateway.post("/api/auth/logout", json={"refreshToken": pair["refreshToken"]}).json() == {}
    after = gateway.post("/api/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    assert after.status_code == 401
    assert error_info(after)["reason"] == "REFRESH_TOKEN_REVOKED"


def test_login_is_case_insensitive_on_the_email(gateway: httpx.Client) -> None:
    patient = register(gateway, "PATIENT")
    response = login(gateway, "  " + patient.email.upper())
    assert response.status_code == 200
    assert response.json()["user"]["id"] == patient.id


def test_a_doctor_waits_for_approval_then_an_admin_approves(gateway: httpx.Client, admin: Account) -> None:
    doctor = register(gateway, "DOCTOR")
    assert doctor.body["user"]["status"] == "PENDING_APPROVAL"
    pending = gateway.get(
        "/api/auth/users", params={"status": "PENDING_APPROVAL", "role": "DOCTOR"}, headers=admin.headers
    )
    assert pending.status_code == 200
    assert doctor.id in [u["id"] for u in pending.json()["users"]]
    assert "nextPageToken" in pending.json()

    approved = gateway.post(f"/api/auth/users/{doctor.id}/approve", headers=admin.headers)
    assert approved.status_code == 200
    assert approved.json()["status"] == "ACTIVE"
    assert gateway.get("/api/auth/me", headers=doctor.headers).json()["status"] == "ACTIVE"


def test_suspend_and_reactivate(gateway: httpx.Client, admin: Account) -> None:
    patient = register(gateway, "PATIENT")
    suspended = gateway.post(f"/api/auth/users/{patient.id}/suspend", json={"reason": "abuse"}, headers=admin.headers)
    assert suspended.json()["status"] == "SUSPENDED"
    refused = gateway.get("/api/auth/me", headers=patient.headers)
    assert refused.status_code == 403
    assert error_info(refused)["reason"] == "ACCOUNT_SUSPENDED"
    assert login(gateway, patient.email).status_code == 403
    reactivated = gateway.post(f"/api/auth/users/{patient.id}/reactivate", headers=admin.headers)
    assert reactivated.json()["status"] == "ACTIVE"
    assert login(gateway, patient.email).status_code == 200


def test_only_the_right_password_learns_that_an_account_is_suspended(gateway: httpx.Client, admin: Account) -> None:
    """A wrong password for a suspended account is the same 401 as for any account; the right one is 403."""
    active, suspended = register(gateway, "PATIENT"), register(gateway, "PATIENT")
    gateway.post(f"/api/auth/users/{suspended.id}/suspend", json={"reason": "abuse"}, headers=admin.headers)
    wrong = [login(gateway, account.email, "wrong password 1") for account in (active, suspended)]
    assert [r.status_code for r in wrong] == [401, 401]
    assert wrong[0].json() == wrong[1].json()
    assert error_info(wrong[1])["reason"] == "INVALID_CREDENTIALS"
    right = login(gateway, suspended.email)
    assert (right.status_code, error_info(right)["reason"]) == (403, "ACCOUNT_SUSPENDED")


def test_an_admin_creates_accounts_of_any_role(gateway: httpx.Client, admin: Account) -> None:
    body = {
        "email": f"admin2-{uuid.uuid4().hex[:8]}@example.com",
        "password": PASSWORD,
        "role": "SYSTEM_ADMIN",
        "firstName": "Second",
        "lastName": "Admin",
    }
    created = gateway.post("/api/auth/users", json=body, headers=admin.headers)
    assert created.status_code == 200, created.text
    assert (created.json()["role"], created.json()["status"]) == ("SYSTEM_ADMIN", "ACTIVE")
    assert login(gateway, body["email"]).status_code == 200


def test_change_password(gateway: httpx.Client) -> None:
    patient = register(gateway, "PATIENT")
    changed = gateway.post(
        "/api/auth/password",
        json={"currentPassword": PASSWORD, "newPassword": "another secret 9"},
        headers=patient.headers,
    )
    assert changed.status_code == 200
    assert gateway.post("/api/auth/refresh", json={"refreshToken": patient.refresh_token}).status_code == 401
    assert login(gateway, patient.email, "another secret 9").status_code == 200


def test_verify_and_jwks_are_public(gateway: httpx.Client) -> None:
    patient = register(gateway, "PATIENT")
    verified = gateway.post("/api/auth/verify", json={"token": patient.access_token}).json()
    assert verified["valid"] is True
    assert (verified["userId"], verified["role"], verified["status"]) == (patient.id, "PATIENT", "ACTIVE")
    assert gateway.post("/api/auth/verify", json={"token": "nonsense"}).json()["valid"] is False
    jwks = gateway.get("/.well-known/jwks.json")
    assert jwks.status_code == 200
    assert jwks.headers["content-type"].startswith("application/json")
    keys = jwks.json()["keys"]
    assert keys
    assert all(k["kty"] == "OKP" and k["alg"] == "EdDSA" and k["kid"] and "d" not in k for k in keys)


def test_field_violations_use_json_names(gateway: httpx.Client) -> None:
    response = gateway.post(
        "/api/auth/register",
        json={
            "email": "x",
            "password": "aaaaaaaaaaaa",
            "role": "PHARMACY",
            "firstName": "A",
            "lastName": "B",
            "pharmacy": {"name": "P"},
        },
    )
    assert response.status_code == 400
    info = error_info(response)
    assert (info["reason"], info["domain"]) == ("VALIDATION_FAILED", "pulseone.auth")
    assert field_violations(response) == {
        "email": "INVALID_FIELD",
        "password": "WEAK_PASSWORD",
        "pharmacy.licenseNumber": "INVALID_FIELD",
    }
