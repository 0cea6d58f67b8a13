"""`pulseone demo`: the seed's patient journey over REST through the gateway, step by step."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx

from services.auth.use_cases.accounts import create_system_admin

PASSWORD = "SecurePass123"  # noqa: S105 - the seed's demo password for throwaway accounts
ZONE = "Asia/Colombo"
DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]

Say = Callable[[str], None]


class DemoFailed(Exception):
    """A step of the journey did not answer as SPEC.md says."""


class Journey:
    def __init__(self, gateway: str, say: Say) -> None:
        self._client = httpx.Client(base_url=gateway, timeout=15)
        self._say = say
        self.step = 0

    def call(self, what: str, method: str, path: str, token: str | None = None, **kwargs: Any) -> dict[str, Any]:
        self.step += 1
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = self._client.request(method, path, headers=headers, **kwargs)
        if response.status_code != 200:
            raise DemoFailed(f"step {self.step} ({what}): {method} {path} -> {response.status_code} {response.text}")
        self._say(f"{self.step:>2}. {what:<46} {method} {path} -> 200")
        body: dict[str, Any] = response.json()
        return body

    def until(self, what: str, attempt: Callable[[], dict[str, Any]], timeout: float = 30.0) -> dict[str, Any]:
        """Events take a moment to reach the other services: retry a step until it succeeds."""
        deadline = time.monotonic() + timeout
        while True:
            step = self.step
            try:
                return attempt()
            except DemoFailed:
                self.step = step
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)

    def close(self) -> None:
        self._client.close()


def register(journey: Journey, role: str, first: str, last: str, **extra: Any) -> dict[str, Any]:
    email = f"{first.lower()}.{last.lower()}-{uuid.uuid4().hex[:6]}@example.com"
    body = {"email": email, "password": PASSWORD, "role": role, "firstName": first, "lastName": last,
            "phoneNumber": "555-1234", **extra}  # fmt: skip
    return journey.call(
        f"register {role.lower().replace('_', ' ')} {first} {last}", "POST", "/api/auth/register", json=body
    )


def login(journey: Journey, email: str) -> str:
    signed_in = journey.call(
        f"sign in as {email}", "POST", "/api/auth/login", json={"email": email, "password": PASSWORD}
    )
    return str(signed_in["accessToken"])


def run(gateway: str, database_url: str, say: Say = print) -> dict[str, Any]:
    """Run the journey; returns the completed appointment. Raises DemoFailed on the first wrong answer."""
    journey = Journey(gateway, say)
    try:
        admin_email = f"demo-admin-{uuid.uuid4().hex[:6]}@example.com"
        asyncio.run(create_system_admin(database_url, admin_email, PASSWORD, "Demo", "Administrator"))
        say(f" 0. created the SYSTEM_ADMIN {admin_email} with the operator command")
        admin = login(journey, admin_email)
        patient = register(journey, "PATIENT", "John", "Doe")
        doctor = register(journey, "DOCTOR", "Gregory", "House")
        clinic_admin = register(
            journey, "CLINIC_ADMIN", "Lisa", "Cuddy",
            clinic={"name": "Princeton Clinic", "address": "1 Galle Rd", "phone": "+94 11 234 5678", "timeZone": ZONE},
        )  # fmt: skip
        for account in (doctor, clinic_admin):
            journey.call(
                f"approve {account['user']['email']}", "POST", f"/api/auth/users/{account['user']['id']}/approve", admin
            )
        doctor_token = login(journey, doctor["user"]["email"])
        clinic_token = login(journey, clinic_admin["user"]["email"])
        doctor_id = doctor["user"]["id"]
        journey.until("doctor profile", lambda: journey.call(
            "set the doctor's specialization and fee", "PUT", f"/api/doctors/{doctor_id}", doctor_token,
            json={"specialization": "Diagnostics", "consultationFee": "2500.00", "currency": "LKR", "timeZone": ZONE},
        ))  # fmt: skip
        clinics = journey.until("clinic", lambda: _clinic_of(journey, clinic_token, clinic_admin["user"]["id"]))
        clinic_id = clinics["id"]
        journey.call("the clinic admin sets the clinic's currency", "PUT", f"/api/clinics/{clinic_id}", clinic_token,
                     json={"currency": "LKR"})  # fmt: skip
        journey.call("invite the doctor to the clinic", "POST", f"/api/clinics/{clinic_id}/doctors", clinic_token,
                     json={"doctorId": doctor_id})  # fmt: skip
        journey.call(
            "the doctor confirms", "POST", f"/api/clinics/{clinic_id}/doctors/{doctor_id}/confirm", doctor_token
        )
        today = datetime.now(ZoneInfo(ZONE)).date()
        session_body = {
            "doctorId": doctor_id, "clinicId": clinic_id, "dayOfWeek": DAYS[today.weekday()],
            "sessionStartTime": "00:00", "sessionEndTime": "23:59", "serviceType": "BOTH", "maxQueueSize": 20,
            "estimatedConsultationMinutes": 15, "effectiveFrom": today.isoformat(),
        }  # fmt: skip
        session = journey.until("session", lambda: journey.call(
            "the clinic admin creates today's session", "POST", "/api/sessions", clinic_token, json=session_body
        ))  # fmt: skip
        patient_token = patient["accessToken"]
        booking = {"sessionId": session["id"], "patientId": patient["user"]["id"], "appointmentType": "IN_PERSON",
                   "chiefComplaint": "Fever and cough"}  # fmt: skip
        booked = journey.call(
            "book (the seed's request, no date)", "POST", "/api/appointments", patient_token, json=booking
        )
        say(
            f"      queue number {booked['queueNumber']} on {booked['appointmentDate']},"
            f" fee {booked['fee']} {booked['currency']}"
        )
        appointment = f"/api/appointments/{booked['id']}"
        journey.call("the patient checks in", "POST", f"{appointment}/check-in", patient_token)
        queue = f"/api/sessions/{session['id']}/queue/call-next"
        called = journey.call("the doctor calls the next patient", "POST", queue,
                              doctor_token, params={"date": booked["appointmentDate"]})  # fmt: skip
        started = datetime.fromisoformat(called["actualStartTime"].replace("Z", "+00:00"))
        ended = started + timedelta(minutes=12)
        times = {"actualStartTime": started.isoformat(), "actualEndTime": ended.isoformat()}
        done = journey.call(
            "the doctor completes it with actual times", "POST", f"{appointment}/complete", doctor_token, json=times
        )
        journey.call("the doctor writes the consultation notes", "PUT", f"{appointment}/notes", doctor_token,
                     json={"chiefComplaint": "Fever and cough", "diagnosis": "Viral upper respiratory infection",
                           "treatmentPlan": "Rest, fluids, paracetamol", "vitalSigns": {"temperature": "38.2 C"},
                           "followUpRequired": True, "followUpInDays": 7})  # fmt: skip
        notes = journey.call("the patient reads the notes", "GET", f"{appointment}/notes", patient_token)
        say(f"      diagnosis: {notes['diagnosis']}; status {done['status']}; "
            f"{done['actualStartTime']} to {done['actualEndTime']}")  # fmt: skip
        return done
    finally:
        journey.close()


def _clinic_of(journey: Journey, token: str, admin_id: str) -> dict[str, Any]:
    clinics = journey.call("find the clinic made from the registration", "GET", "/api/clinics", token,
                           params={"pageSize": 200})["clinics"]  # fmt: skip
    mine: list[dict[str, Any]] = [c for c in clinics if c["adminId"] == admin_id]
    if not mine:
        raise DemoFailed("the clinic has not been created yet")
    return mine[0]
