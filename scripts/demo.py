"""`pulseone demo`: the seed's patient journey over REST through the gateway, step by step."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import grpc
import httpx

from services.auth.use_cases.accounts import create_system_admin

PASSWORD = "SecurePass123"  # noqa: S105 - the seed's demo password for throwaway accounts
ZONE = "Asia/Colombo"
DAYS = ["MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY"]

Say = Callable[[str], None]
T = TypeVar("T")


class DemoFailed(Exception):
    """A step of the journey did not answer as SPEC.md says."""


class Journey:
    def __init__(self, gateway: str, say: Say) -> None:
        self._client = httpx.Client(base_url=gateway, timeout=15)
        self.say = say
        self.step = 0

    def call(self, what: str, method: str, path: str, token: str | None = None, **kwargs: Any) -> dict[str, Any]:
        self.step += 1
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = self._client.request(method, path, headers=headers, **kwargs)
        if response.status_code != 200:
            raise DemoFailed(f"step {self.step} ({what}): {method} {path} -> {response.status_code} {response.text}")
        self.say(f"{self.step:>2}. {what:<46} {method} {path} -> 200")
        body: dict[str, Any] = response.json()
        return body

    def until(self, what: str, attempt: Callable[[], T], timeout: float = 30.0) -> T:
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
        clinics = journey.until(
            "clinic", lambda: made_for(journey, clinic_token, "clinics", "adminId", clinic_admin["user"]["id"])
        )
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
        _to_the_pharmacy(journey, admin, doctor_token, patient_token, booked["id"])
        _virtual_consultation(journey, gateway, doctor_token, session["id"], booked["appointmentDate"])
        return done
    finally:
        journey.close()


def _to_the_pharmacy(journey: Journey, admin: str, doctor_token: str, patient_token: str, appointment_id: str) -> None:
    """The seed's second half: the doctor prescribes, a pharmacy stocks two batches of the drug, fills
    the prescription with the patient's code, and the ledger shows the sooner batch taken first."""
    prescription = journey.until("prescription", lambda: journey.call(
        "the doctor prescribes paracetamol", "POST", "/api/prescriptions", doctor_token,
        json={"appointmentId": appointment_id, "notes": "Take with water; come back if the fever lasts",
              "items": [{"drugName": "Paracetamol", "genericName": "acetaminophen", "dosage": "500mg",
                         "frequency": "3 times a day", "duration": "5 days", "quantity": 15}]},
    ))  # fmt: skip
    mine = journey.call("the patient reads it", "GET", f"/api/prescriptions/{prescription['id']}", patient_token)
    code = mine["dispenseCode"]
    say = journey.say
    say(f"      dispense code {code}, valid until {mine['validUntil']}")
    pharmacy = register(journey, "PHARMACY", "Green", "Pharmacy",
                        pharmacy={"name": "Green Pharmacy", "licenseNumber": f"PH-{uuid.uuid4().hex[:8]}",
                                  "address": "2 Main St"})  # fmt: skip
    journey.call(
        f"approve {pharmacy['user']['email']}", "POST", f"/api/auth/users/{pharmacy['user']['id']}/approve", admin
    )
    pharmacy_token = login(journey, pharmacy["user"]["email"])
    location = journey.until(
        "pharmacy", lambda: made_for(journey, pharmacy_token, "pharmacies", "ownerId", pharmacy["user"]["id"])
    )["id"]
    item = journey.until("catalog", lambda: journey.call(
        "the pharmacy lists paracetamol in its catalog", "POST", "/api/inventory/catalog", pharmacy_token,
        json={"locationId": location, "drugName": "Paracetamol", "genericName": "acetaminophen",
              "unitType": "TABLET", "reorderLevel": 10, "sellingPrice": "0.50"},
    ))  # fmt: skip
    today = datetime.now(UTC).date()
    for number, days, units in (("PCM-LATE", 400, 30), ("PCM-SOON", 60, 10)):
        journey.call(f"stock in batch {number} ({units} units)", "POST", "/api/inventory/stock/in", pharmacy_token,
                     json={"catalogItemId": item["id"], "batchNumber": number, "quantity": units, "costPrice": "0.20",
                           "expiryDate": (today + timedelta(days=days)).isoformat()})  # fmt: skip
    found = journey.call("the pharmacy finds it by the patient's code", "GET", "/api/prescriptions/active",
                         pharmacy_token, params={"code": code})["prescriptions"]  # fmt: skip
    if len(found) != 1 or "notes" in found[0]:
        raise DemoFailed(f"the pharmacy should see exactly the prescription, without notes: {found}")
    line = {"itemId": found[0]["items"][0]["id"], "catalogItemId": item["id"], "quantity": 15}
    filled = journey.call(
        "the pharmacy dispenses it",
        "POST",
        f"/api/prescriptions/{prescription['id']}/dispense",
        pharmacy_token,
        json={"code": code, "pharmacyId": location, "lines": [line], "requestId": str(uuid.uuid4())},
    )
    taken = [(b["batchNumber"], b["quantity"]) for b in filled["dispensation"]["lines"][0]["batches"]]
    if taken != [("PCM-SOON", 10), ("PCM-LATE", 5)] or filled["prescription"]["status"] != "FILLED":
        raise DemoFailed(f"expected the sooner batch first and the prescription FILLED: {filled}")
    say(f"      {filled['prescription']['status']}: " + ", ".join(f"{n} x{q}" for n, q in taken)
        + f"; sells for {filled['dispensation']['sellingTotal']}")  # fmt: skip
    ledger = journey.call("the pharmacy reads its ledger", "GET", "/api/inventory/transactions", pharmacy_token,
                          params={"locationId": location})["transactions"]  # fmt: skip
    for entry in reversed(ledger):
        say(f"      {entry['type']:<9}{entry['quantity']:>4}  {entry.get('reference', '')}")


def _virtual_consultation(journey: Journey, gateway: str, doctor_token: str, session_id: str, day: str) -> None:
    """A second patient's VIRTUAL visit in the same session: its video session comes from the booking
    event; two synthetic aiortc peers join through the gateway and see each other; both consent, the
    doctor records a few seconds, and the end of the call completes the appointment."""
    patient = register(journey, "PATIENT", "Jane", "Roe")
    token = patient["accessToken"]
    booking = {"sessionId": session_id, "appointmentDate": day, "appointmentType": "VIRTUAL",
               "chiefComplaint": "Follow-up on the cough"}  # fmt: skip
    booked = journey.call("book a virtual visit", "POST", "/api/appointments", token, json=booking)
    appointment = f"/api/appointments/{booked['id']}"
    video_id = journey.until("video session", lambda: _video_session_of(journey, appointment, token))
    video = f"/api/video/sessions/{video_id}"
    figures = asyncio.run(_call(journey, gateway, video_id, doctor_token=doctor_token, patient_token=token))
    journey.say(
        f"      recording: {figures['status']}, {float(figures['durationSeconds']):.1f} s, {figures['frames']} frames,"
        f" {figures['sizeBytes']} bytes of {figures['contentType']}"
    )
    ended = journey.call("the doctor ends the call", "POST", f"{video}/end", doctor_token, json={})
    done = journey.until("completed", lambda: _completed(journey, appointment, token))
    times = f"{done['actualStartTime']} to {done['actualEndTime']}"
    journey.say(f"      video {ended['status']}; appointment {done['status']} {times}")


async def _call(
    journey: Journey, gateway: str, video_id: str, *, doctor_token: str, patient_token: str
) -> dict[str, Any]:
    """The call itself: peers joined, two seconds of video both ways, then a recording of a few seconds."""
    from scripts.video_peer import Participant  # noqa: PLC0415 - aiortc is loaded for this step only

    video = f"/api/video/sessions/{video_id}"
    address = gateway.removeprefix("http://").removeprefix("https://")
    async with grpc.aio.insecure_channel(address) as channel:
        peers = [
            Participant(channel, patient_token, video_id, tint=200),
            Participant(channel, doctor_token, video_id, tint=60),
        ]
        try:
            for peer, who in zip(peers, ("the patient", "the doctor"), strict=True):
                await peer.enter()
                journey.say(f"      {who} joined the video session over gRPC through the gateway")
            async with asyncio.timeout(40):
                await asyncio.gather(*(peer.received(60) for peer in peers))
            journey.say(
                f"      media flows both ways: {peers[1].frames_received} and {peers[0].frames_received} frames"
            )
            for token in (patient_token, doctor_token):
                await asyncio.to_thread(
                    journey.call, "consent to recording", "POST", f"{video}/consent", token, json={"recording": True}
                )
            await asyncio.to_thread(
                journey.call,
                "the doctor starts recording",
                "POST",
                f"{video}/recording",
                doctor_token,
                json={"action": "START"},
            )
            await asyncio.sleep(3)
            return await asyncio.to_thread(
                journey.call,
                "the doctor stops recording",
                "POST",
                f"{video}/recording",
                doctor_token,
                json={"action": "STOP"},
            )
        finally:
            for peer in peers:
                await peer.close()


def _video_session_of(journey: Journey, appointment: str, token: str) -> str:
    found = journey.call("the booking event made its video session", "GET", appointment, token)
    if not found.get("videoSessionId"):
        raise DemoFailed("the video session has not been made yet")
    return str(found["videoSessionId"])


def _completed(journey: Journey, appointment: str, token: str) -> dict[str, Any]:
    found = journey.call("the end of the call completed the visit", "GET", appointment, token)
    if found["status"] != "COMPLETED":
        raise DemoFailed(f"the appointment is {found['status']}")
    return found


def made_for(journey: Journey, token: str, kind: str, owner_field: str, owner_id: str) -> dict[str, Any]:
    """The clinic or pharmacy the profile service made from an owner's registration (`kind`: the
    collection, "clinics" or "pharmacies")."""
    found = journey.call(f"find the {kind} made from the registration", "GET", f"/api/{kind}", token,
                         params={"pageSize": 200})[kind]  # fmt: skip
    mine: list[dict[str, Any]] = [place for place in found if place[owner_field] == owner_id]
    if not mine:
        raise DemoFailed(f"the {kind} of {owner_id} have not been created yet")
    return mine[0]
