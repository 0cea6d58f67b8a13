"""Hostile and careless input through the gateway: always a 4xx in the SPEC error shape, never a 5xx."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import grpc
import httpx
import pytest
from google.rpc import error_details_pb2, status_pb2
from pulseone.appointments.v1 import appointments_pb2, appointments_pb2_grpc
from pulseone.auth.v1 import auth_pb2, auth_pb2_grpc

from scripts.platform import Platform
from tests.e2e.conftest import Account, error_info, field_violations, register
from tests.e2e.test_profiles import approve, clinic_of

NUL = "\u0000"


@dataclass(frozen=True)
class Callers:
    patient: Account
    doctor: Account
    clinic_admin: Account
    admin: Account

    def of(self, role: str) -> Account:
        return {"PATIENT": self.patient, "DOCTOR": self.doctor, "CLINIC_ADMIN": self.clinic_admin}.get(role, self.admin)


@pytest.fixture(scope="module")
def callers(gateway: httpx.Client, admin: Account) -> Callers:
    return Callers(
        patient=register(gateway, "PATIENT"),
        doctor=approve(gateway, admin, register(gateway, "DOCTOR")),
        clinic_admin=approve(gateway, admin, register(gateway, "CLINIC_ADMIN")),
        admin=admin,
    )


def send(gateway: httpx.Client, callers: Callers, role: str | None, verb: str, path: str, **kwargs: Any) -> Any:
    path = path.format(
        me=callers.of(role or "PATIENT").id,
        patient=callers.patient.id,
        doctor=callers.doctor.id,
        any=uuid.uuid4(),
    )
    headers = callers.of(role).headers if role else {}
    return gateway.request(verb, path, headers=headers, **kwargs)


def register_body(**fields: Any) -> dict[str, Any]:
    body = {
        "email": f"hostile-{uuid.uuid4().hex[:8]}@example.com",
        "password": "correct horse 1",
        "role": "PATIENT",
        "firstName": "Ada",
        "lastName": "Lovelace",
    }
    body.update(fields)
    return body


def clinic_admin_body(**clinic: Any) -> dict[str, Any]:
    details = {"name": "Lanka", "address": "1 Galle Rd", "phone": "+94 11 234 5678", "timeZone": "Asia/Colombo"}
    details.update(clinic)
    return register_body(role="CLINIC_ADMIN", clinic=details)


# (caller role or None, verb, path, request kwargs, the field the violation names)
HOSTILE = [
    (None, "POST", "/api/auth/register", {"json": register_body(firstName=f"Ada{NUL}")}, "firstName"),
    (None, "POST", "/api/auth/login", {"json": {"email": f"a{NUL}@b.c", "password": "x"}}, "email"),
    (None, "POST", "/api/auth/register", {"json": register_body(role=99)}, "role"),
    (None, "POST", "/api/auth/register", {"json": clinic_admin_body(timeZone="A" * 300)}, "clinic.timeZone"),
    (None, "POST", "/api/auth/register", {"json": clinic_admin_body(name=f"Clinic{NUL}")}, "clinic.name"),
    (None, "POST", "/api/auth/login", {"json": {"email": "a" * 3000 + "@b.c", "password": "x"}}, "email"),
    ("PATIENT", "PUT", "/api/profiles/{me}", {"json": {"firstName": f"A{NUL}"}}, "profile.firstName"),
    ("PATIENT", "PUT", "/api/patients/{me}", {"json": {"medicalHistory": f"asthma{NUL}"}}, "patient.medicalHistory"),
    ("PATIENT", "PUT", "/api/patients/{me}", {"json": {"gender": -1}}, "patient.gender"),
    ("DOCTOR", "PUT", "/api/doctors/{me}", {"json": {"timeZone": "Z" * 300}}, "doctor.timeZone"),
    ("CLINIC_ADMIN", "PUT", "/api/clinics/{any}", {"json": {"name": f"x{NUL}"}}, "clinic.name"),
    ("PATIENT", "GET", "/api/doctors", {"params": {"query": NUL}}, "query"),
    ("PATIENT", "GET", "/api/doctors", {"params": {"specialization": NUL}}, "specialization"),
    ("CLINIC_ADMIN", "GET", "/api/patients/lookup", {"params": {"email": NUL}}, "email"),
    (
        "PATIENT",
        "POST",
        "/api/appointments",
        {"json": {"sessionId": "{any}", "appointmentType": "VIRTUAL", "chiefComplaint": f"ache{NUL}"}},
        "chiefComplaint",
    ),
    (
        "PATIENT",
        "POST",
        "/api/appointments",
        {"json": {"sessionId": "{any}", "appointmentType": -2}},
        "appointmentType",
    ),
    (
        "DOCTOR",
        "POST",
        "/api/sessions",
        {"json": {"dayOfWeek": "MONDAY", "serviceType": 99, "maxQueueSize": 5}},
        "session.serviceType",
    ),
]


@pytest.mark.parametrize(("role", "verb", "path", "kwargs", "field"), HOSTILE, ids=lambda v: str(v)[:40])
def test_hostile_fields_are_400_naming_the_field(
    gateway: httpx.Client, callers: Callers, role: str | None, verb: str, path: str, kwargs: Any, field: str
) -> None:
    if "json" in kwargs and "sessionId" in kwargs["json"]:
        kwargs = {"json": {**kwargs["json"], "sessionId": str(uuid.uuid4())}}
    response = send(gateway, callers, role, verb, path, **kwargs)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == 3
    assert error_info(response)["reason"] == "VALIDATION_FAILED"
    assert field in field_violations(response), response.text


def test_invalid_utf8_in_a_query_is_400(gateway: httpx.Client, callers: Callers) -> None:
    response = gateway.get("/api/pharmacies?query=%C0%AF", headers=callers.patient.headers)
    assert response.status_code == 400, response.text
    assert response.json()["code"] == 3
    assert error_info(response)["reason"] in {"MALFORMED_REQUEST", "INVALID_REQUEST"}


def test_a_system_admin_cannot_read_medical_profiles_existing_or_not(gateway: httpx.Client, callers: Callers) -> None:
    assert gateway.get(f"/api/patients/{callers.patient.id}", headers=callers.patient.headers).status_code in (200, 404)
    for patient_id in (callers.patient.id, str(uuid.uuid4())):
        response = gateway.get(f"/api/patients/{patient_id}", headers=callers.admin.headers)
        assert response.status_code == 403, response.text
        assert error_info(response)["reason"] == "ROLE_NOT_ALLOWED"
        assert "bloodGroup" not in response.text


def test_clinic_admin_cannot_read_history_or_notes(gateway: httpx.Client, callers: Callers) -> None:
    clinic_of(gateway, callers.clinic_admin)
    for path in (f"/api/patients/{callers.patient.id}/history", f"/api/appointments/{uuid.uuid4()}/notes"):
        for caller in (callers.clinic_admin, callers.admin):
            response = gateway.get(path, headers=caller.headers)
            assert response.status_code == 403, (path, response.text)


@pytest.fixture(scope="module")
def channel(platform: Platform) -> Iterator[grpc.Channel]:
    with grpc.insecure_channel(f"127.0.0.1:{platform.gateway_port}") as opened:
        yield opened


@pytest.mark.parametrize(
    "payload",
    [b"\x0a\xff\xff\xff\xff\xff", b"\x0a\x02\xc0\xaf", b"\x18\x05\x0a"],
    ids=["truncated", "invalid-utf8", "wrong-wire-type"],
)
def test_malformed_protobuf_over_native_grpc_is_invalid_argument(channel: grpc.Channel, payload: bytes) -> None:
    login = channel.unary_unary("/pulseone.auth.v1.AuthService/Login")
    with pytest.raises(grpc.RpcError) as raised:
        login(payload, timeout=10)
    error: Any = raised.value
    assert error.code() is grpc.StatusCode.INVALID_ARGUMENT
    details = dict(error.trailing_metadata())["grpc-status-details-bin"]
    status = status_pb2.Status.FromString(details)
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert (info.reason, info.domain) == ("MALFORMED_REQUEST", "pulseone.auth")


def test_unknown_enum_numbers_over_native_grpc_are_invalid_argument(channel: grpc.Channel, callers: Callers) -> None:
    register_call = auth_pb2_grpc.AuthServiceStub(channel).Register
    availability = appointments_pb2_grpc.SessionServiceStub(channel).ListAvailability
    patient = tuple(callers.patient.headers.items())
    calls: list[tuple[Any, Any, tuple[tuple[str, str], ...]]] = [
        (register_call, auth_pb2.RegisterRequest(email="x@example.com", role=99), ()),  # type: ignore[arg-type]
        (availability, appointments_pb2.ListAvailabilityRequest(service_type=99), patient),  # type: ignore[arg-type]
    ]
    for call, request, metadata in calls:
        with pytest.raises(grpc.RpcError) as raised:
            call(request, metadata=metadata, timeout=10)
        error: Any = raised.value
        assert error.code() is grpc.StatusCode.INVALID_ARGUMENT, error.details()


@pytest.mark.parametrize("name", ["dm|rhd", "m~'~", "y^", "a*b", "x!"])
def test_a_header_name_grpc_cannot_carry_is_ignored_not_a_500(
    gateway: httpx.Client, callers: Callers, name: str
) -> None:
    """HTTP allows these names; gRPC metadata does not, and a service's gRPC server failed the whole
    call on one (500 "Illegal header key"). The gateway drops them, as it ignores any header the API
    does not read."""
    patient = callers.of("PATIENT")
    response = gateway.get(f"/api/patients/{patient.id}", headers={**patient.headers, name: "x"})
    assert response.status_code == 200, response.text
    grpc_response = gateway.post(
        "/pulseone.auth.v1.AuthService/GetJwks",
        content=b"\x00\x00\x00\x00\x00",
        headers={"content-type": "application/grpc-web+proto", name: "x"},
    )
    assert grpc_response.status_code == 200
    assert grpc_response.headers.get("grpc-status", "0") == "0"
