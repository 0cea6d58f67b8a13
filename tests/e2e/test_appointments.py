"""Appointments over REST through the gateway, fed by real auth and profile events (SPEC 3.3)."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import httpx
import pytest
from pulseone.appointments.v1 import appointments_pb2, appointments_pb2_grpc

from scripts.platform import Platform
from tests.e2e.conftest import Account, error_info, field_violations, register
from tests.e2e.test_profiles import approve, clinic_of, eventually


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ready_doctor(gateway: httpx.Client, admin: Account) -> Account:
    """A doctor approved, with a time zone and fee, known to the appointments service."""
    doctor = approve(gateway, admin, register(gateway, "DOCTOR"))
    eventually(lambda: _ok(gateway.get(f"/api/doctors/{doctor.id}", headers=doctor.headers)))
    profile = {
        "specialization": "Cardiology",
        "consultationFee": "75.50",
        "currency": "USD",
        "timeZone": "America/New_York",
    }
    _ok(gateway.put(f"/api/doctors/{doctor.id}", json=profile, headers=doctor.headers))
    return doctor


def virtual_session(gateway: httpx.Client, doctor: Account, days_ahead: int = 3) -> dict[str, Any]:
    day = datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=days_ahead)
    body = {
        "dayOfWeek": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"][day.weekday()],
        "sessionStartTime": "09:00",
        "sessionEndTime": "12:00",
        "serviceType": "VIRTUAL",
        "maxQueueSize": 5,
        "estimatedConsultationMinutes": 20,
    }

    def created() -> dict[str, Any]:
        # The doctor's time zone reaches the appointments service through an event.
        return _ok(gateway.post("/api/sessions", json=body, headers=doctor.headers))

    return eventually(created)  # type: ignore[no-any-return]


def test_the_patient_journey_over_rest(gateway: httpx.Client, admin: Account) -> None:
    doctor = ready_doctor(gateway, admin)
    session = virtual_session(gateway, doctor)
    assert (session["timeZone"], session["fee"], session["currency"]) == ("America/New_York", "75.50", "USD")
    patient = register(gateway, "PATIENT")
    # The seed's example request: no date, the next occurrence is booked.
    booked = _ok(gateway.post(
        "/api/appointments",
        json={"sessionId": session["id"], "appointmentType": "VIRTUAL", "chiefComplaint": "chest pain"},
        headers=patient.headers,
    ))  # fmt: skip
    assert (booked["status"], booked["queueNumber"], booked["patientId"]) == ("BOOKED", 1, patient.id)
    assert booked["estimatedWaitMinutes"] == 0
    second = _ok(gateway.post(
        "/api/appointments",
        json={"sessionId": session["id"], "appointmentDate": booked["appointmentDate"], "appointmentType": "VIRTUAL"},
        headers=register(gateway, "PATIENT").headers,
    ))  # fmt: skip
    assert (second["queueNumber"], second["estimatedWaitMinutes"]) == (2, 20)
    appointment = f"/api/appointments/{booked['id']}"
    assert _ok(gateway.post(f"{appointment}/check-in", headers=doctor.headers))["status"] == "CHECKED_IN"
    assert _ok(gateway.post(f"{appointment}/start", json={}, headers=doctor.headers))["status"] == "IN_PROGRESS"
    done = _ok(gateway.post(f"{appointment}/complete", json={"doctorNotes": "rest"}, headers=doctor.headers))
    assert done["status"] == "COMPLETED"
    assert done["actualStartTime"] <= done["actualEndTime"]
    history = _ok(gateway.get(f"{appointment}/history", headers=patient.headers))["statusChanges"]
    assert [h["toStatus"] for h in history] == ["BOOKED", "CHECKED_IN", "IN_PROGRESS", "COMPLETED"]
    mine = _ok(gateway.get("/api/appointments", headers=patient.headers))
    assert [a["id"] for a in mine["appointments"]] == [booked["id"]]
    # The completed visit reaches the profile service: the doctor may read the patient's medical
    # profile, and the patient may rate the doctor.
    eventually(lambda: _ok(gateway.get(f"/api/patients/{patient.id}", headers=doctor.headers)))
    # The completed visit, not just the booking, must have reached profile before a rating counts.
    rated = eventually(
        lambda: _ok(
            gateway.post(
                f"/api/doctors/{doctor.id}/ratings", json={"rating": 5, "review": "thorough"}, headers=patient.headers
            )
        )
    )
    assert rated["rating"] == 5
    profile = _ok(gateway.get(f"/api/doctors/{doctor.id}", headers=patient.headers))
    assert (profile["averageRating"], profile["ratingCount"]) == (5, 1)
    ratings = _ok(gateway.get(f"/api/doctors/{doctor.id}/ratings", headers=patient.headers))["ratings"]
    assert [(r["patientId"], r["review"]) for r in ratings] == [(patient.id, "thorough")]


def test_appointment_errors_over_rest(gateway: httpx.Client, admin: Account) -> None:
    doctor = ready_doctor(gateway, admin)
    session = virtual_session(gateway, doctor, days_ahead=4)
    patient, stranger = register(gateway, "PATIENT"), register(gateway, "PATIENT")
    booked = _ok(
        gateway.post(
            "/api/appointments",
            json={"sessionId": session["id"], "appointmentType": "VIRTUAL"},
            headers=patient.headers,
        )
    )
    # Someone else's appointment: 403, for reading, cancelling and checking in alike.
    assert gateway.get(f"/api/appointments/{booked['id']}", headers=stranger.headers).status_code == 403
    assert (
        gateway.delete(
            f"/api/appointments/{booked['id']}", params={"reason": "x"}, headers=stranger.headers
        ).status_code
        == 403
    )
    assert gateway.post(f"/api/appointments/{booked['id']}/check-in", headers=stranger.headers).status_code == 403
    # A second booking with the same doctor that day: 409.
    again = gateway.post(
        "/api/appointments",
        json={"sessionId": session["id"], "appointmentDate": booked["appointmentDate"], "appointmentType": "VIRTUAL"},
        headers=patient.headers,
    )
    assert again.status_code == 409
    assert error_info(again)["reason"] == "ALREADY_BOOKED"
    # Wrong type for the session, a date that is not the session's, unknown and malformed ids.
    wrong_type = gateway.post(
        "/api/appointments", json={"sessionId": session["id"], "appointmentType": "IN_PERSON"}, headers=stranger.headers
    )
    assert wrong_type.status_code == 400
    assert field_violations(wrong_type) == {"appointmentType": "TYPE_NOT_OFFERED"}
    assert gateway.get(f"/api/sessions/{uuid.uuid4()}", headers=patient.headers).status_code == 404
    assert gateway.get("/api/sessions/nope", headers=patient.headers).status_code == 400
    # The patient cancels: the history records who and why.
    cancelled = _ok(
        gateway.delete(
            f"/api/appointments/{booked['id']}", params={"reason": "feeling better"}, headers=patient.headers
        )
    )
    assert (cancelled["status"], cancelled["cancelledByRole"], cancelled["cancellationReason"]) == (
        "CANCELLED", "PATIENT", "feeling better",
    )  # fmt: skip
    assert gateway.post(f"/api/appointments/{booked['id']}/check-in", headers=doctor.headers).status_code == 400


def test_a_clinic_admin_schedules_a_confirmed_doctor(gateway: httpx.Client, admin: Account) -> None:
    clinic_admin = approve(gateway, admin, register(gateway, "CLINIC_ADMIN"))
    doctor = ready_doctor(gateway, admin)
    clinic = clinic_of(gateway, clinic_admin)
    _ok(
        gateway.post(f"/api/clinics/{clinic['id']}/doctors", json={"doctorId": doctor.id}, headers=clinic_admin.headers)
    )
    _ok(gateway.post(f"/api/clinics/{clinic['id']}/doctors/{doctor.id}/confirm", headers=doctor.headers))
    day = datetime.now(ZoneInfo("Asia/Colombo")).date() + timedelta(days=2)
    body = {
        "doctorId": doctor.id,
        "clinicId": clinic["id"],
        "dayOfWeek": ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"][day.weekday()],
        "sessionStartTime": "14:00",
        "sessionEndTime": "16:00",
        "serviceType": "BOTH",
        "maxQueueSize": 3,
        "estimatedConsultationMinutes": 10,
    }
    session = eventually(lambda: _ok(gateway.post("/api/sessions", json=body, headers=clinic_admin.headers)))
    assert (session["timeZone"], session["clinicName"]) == ("Asia/Colombo", "Lanka Clinic")
    availability = _ok(gateway.get("/api/availability", params={"clinicId": clinic["id"]}, headers=doctor.headers))
    dates = [o["date"] for o in availability["occurrences"] if o["sessionId"] == session["id"]]
    assert day.isoformat() in dates
    # A walk-in is for a patient's account, found by exact email: any other id is 404 and takes no place.
    walk_in = {"sessionId": session["id"], "appointmentDate": day.isoformat(), "appointmentType": "IN_PERSON"}
    for other in (str(uuid.uuid4()), doctor.id, admin.id, clinic_admin.id):
        refused = gateway.post("/api/appointments", json={**walk_in, "patientId": other}, headers=clinic_admin.headers)
        assert (refused.status_code, error_info(refused)["reason"]) == (404, "PATIENT_NOT_FOUND")
    patient = register(gateway, "PATIENT")

    def looked_up() -> str:
        found = _ok(gateway.get("/api/patients/lookup", params={"email": patient.email}, headers=clinic_admin.headers))
        assert [p["id"] for p in found["patients"]] == [patient.id]
        return patient.id

    booked = _ok(
        gateway.post(
            "/api/appointments", json={**walk_in, "patientId": eventually(looked_up)}, headers=clinic_admin.headers
        )
    )
    assert (booked["patientId"], booked["queueNumber"]) == (patient.id, 1)


def test_scheduling_routes_over_rest_and_grpc(platform: Platform, gateway: httpx.Client, admin: Account) -> None:
    doctor = ready_doctor(gateway, admin)
    other = ready_doctor(gateway, admin)
    session = virtual_session(gateway, doctor, days_ahead=5)
    day = session_date(session)
    holiday = (day + timedelta(days=7)).isoformat()
    override = _ok(gateway.post(
        f"/api/sessions/{session['id']}/overrides", json={"date": holiday, "cancelled": True, "reason": "conference"},
        headers=doctor.headers,
    ))  # fmt: skip
    assert (override["date"], override["cancelled"]) == (holiday, True)
    assert [
        o["date"]
        for o in _ok(gateway.get(f"/api/sessions/{session['id']}/overrides", headers=doctor.headers))["overrides"]
    ] == [holiday]
    calendar = _ok(gateway.get(f"/api/doctors/{doctor.id}/calendar", params={"days": 14}, headers=doctor.headers))[
        "days"
    ]
    assert {d["date"]: d["unavailableReason"] for d in calendar}[holiday] == "HOLIDAY"
    # Another doctor cannot touch this doctor's session, over REST or gRPC.
    assert gateway.delete(f"/api/sessions/{session['id']}", headers=other.headers).status_code == 403
    with grpc.insecure_channel(f"127.0.0.1:{platform.gateway_port}") as channel:
        sessions = appointments_pb2_grpc.SessionServiceStub(channel)
        with pytest.raises(grpc.RpcError) as raised:
            sessions.DeactivateSession(
                appointments_pb2.DeactivateSessionRequest(session_id=session["id"]),
                metadata=(("authorization", f"Bearer {other.access_token}"),),
            )
        assert raised.value.code() is grpc.StatusCode.PERMISSION_DENIED
        patient = register(gateway, "PATIENT")
        booked = appointments_pb2_grpc.AppointmentServiceStub(channel).BookAppointment(
            appointments_pb2.BookAppointmentRequest(session_id=session["id"], appointment_type="VIRTUAL"),
            metadata=(("authorization", f"Bearer {patient.access_token}"),),
        )
        assert booked.queue_number == 1
    moved = _ok(gateway.post(
        f"/api/appointments/{booked.id}/reschedule", json={"appointmentDate": (day + timedelta(days=14)).isoformat()},
        headers=patient.headers,
    ))  # fmt: skip
    assert moved["rescheduledFromId"] == booked.id
    # Deactivating with bookings needs force, which cancels them as ordinary cancellations.
    refused = gateway.delete(f"/api/sessions/{session['id']}", headers=doctor.headers)
    assert refused.status_code == 400
    assert error_info(refused)["reason"] == "SESSION_HAS_BOOKINGS"
    stopped = _ok(
        gateway.delete(
            f"/api/sessions/{session['id']}", params={"force": "true", "reason": "retiring"}, headers=doctor.headers
        )
    )
    assert stopped["active"] is False
    after = _ok(gateway.get(f"/api/appointments/{moved['id']}", headers=patient.headers))
    assert (after["status"], after["cancellationReason"], after["cancelledByRole"]) == (
        "CANCELLED",
        "retiring",
        "DOCTOR",
    )


def session_date(session: dict[str, Any]) -> Any:
    today = datetime.now(ZoneInfo(session["timeZone"])).date()
    weekday = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"].index(session["dayOfWeek"])
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def test_doctor_notes_are_hidden_from_the_clinic_admin(gateway: httpx.Client, admin: Account) -> None:
    clinic_admin = approve(gateway, admin, register(gateway, "CLINIC_ADMIN"))
    doctor = ready_doctor(gateway, admin)
    clinic = clinic_of(gateway, clinic_admin)
    _ok(
        gateway.post(f"/api/clinics/{clinic['id']}/doctors", json={"doctorId": doctor.id}, headers=clinic_admin.headers)
    )
    _ok(gateway.post(f"/api/clinics/{clinic['id']}/doctors/{doctor.id}/confirm", headers=doctor.headers))
    day = datetime.now(ZoneInfo("Asia/Colombo")).date() + timedelta(days=3)
    body = {
        "doctorId": doctor.id, "clinicId": clinic["id"], "dayOfWeek": day.strftime("%A").upper(),
        "sessionStartTime": "10:00", "sessionEndTime": "11:00", "serviceType": "IN_PERSON", "maxQueueSize": 2,
        "estimatedConsultationMinutes": 30,
    }  # fmt: skip
    session = eventually(lambda: _ok(gateway.post("/api/sessions", json=body, headers=clinic_admin.headers)))
    patient = register(gateway, "PATIENT")
    booked = _ok(
        gateway.post(
            "/api/appointments",
            json={"sessionId": session["id"], "appointmentType": "IN_PERSON"},
            headers=patient.headers,
        )
    )
    path = f"/api/appointments/{booked['id']}"
    _ok(gateway.put(path, json={"doctorNotes": "suspected asthma"}, headers=doctor.headers))
    assert _ok(gateway.get(path, headers=doctor.headers))["doctorNotes"] == "suspected asthma"
    assert _ok(gateway.get(path, headers=patient.headers))["doctorNotes"] == "suspected asthma"
    assert _ok(gateway.get(path, headers=clinic_admin.headers))["doctorNotes"] == ""
