"""Who and what the bench books: doctors registered and approved through the gateway, each with a
session on every weekday, and places to book spread over their occurrences, every place a different
patient's (patients need no account: the bench signs their tokens with the platform's keys)."""

from __future__ import annotations

import asyncio
import json
import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import psycopg

from scripts.bench_measure import Check
from scripts.demo import DAYS, PASSWORD, Journey, login, register
from scripts.platform import Platform, service_spec
from services.auth.use_cases.accounts import create_system_admin

ZONE = "Asia/Colombo"
CAPACITY = 100
"""Places per occurrence: the most a session may offer."""
START, END = "08:00", "20:00"
MINUTES = 5
FEE, CURRENCY = "10.00", "USD"


@dataclass(frozen=True)
class Place:
    session_id: str
    day: date
    patient_id: str


@dataclass(frozen=True)
class Schedule:
    """A doctor's sessions, one a weekday, and the `days` dates from `first_day` on that the bench books."""

    doctor_id: str
    doctor_token: str
    sessions: tuple[str, ...]
    """By weekday, Monday first."""
    first_day: date
    days: int

    def occurrences(self) -> list[tuple[str, date]]:
        dates = (self.first_day + timedelta(days=n) for n in range(self.days))
        return [(self.sessions[day.weekday()], day) for day in dates]

    def places(self, count: int) -> list[Place]:
        """`count` places taken round-robin over the occurrences, so concurrent bookings spread
        over many rows instead of queueing on one lock."""
        occurrences = self.occurrences()
        if count > len(occurrences) * CAPACITY:
            raise ValueError(f"{count} places do not fit {len(occurrences)} occurrences")
        return [Place(*occurrences[n % len(occurrences)], str(uuid.uuid4())) for n in range(count)]


def booking_line(session_id: str, day: date, patient_token: str) -> str:
    """A wrk request line (bench_requests.lua) booking a place of an occurrence as the token's patient."""
    body = {"sessionId": session_id, "appointmentDate": day.isoformat(), "appointmentType": "VIRTUAL"}
    return f"POST\t/api/appointments\t{patient_token}\t{json.dumps(body, separators=(',', ':'))}"


def days_for(places: int) -> int:
    """Dates enough for `places` bookings at full capacity, and at least a week."""
    return max(math.ceil(places / CAPACITY), len(DAYS))


class Registry:
    """Accounts made the way a clinic would make them: a system administrator approves doctors."""

    def __init__(self, platform: Platform) -> None:
        self.journey = Journey(platform.gateway_url, lambda _: None)
        admin_email = f"bench-admin-{uuid.uuid4().hex[:6]}@example.com"
        asyncio.run(create_system_admin(service_database(platform, "auth"), admin_email, PASSWORD, "B", "A"))
        self.admin = login(self.journey, admin_email)

    def doctor(self, days: int, capacity: int = CAPACITY) -> Schedule:
        """An approved doctor with a virtual session of `capacity` places on every weekday."""
        doctor = register(self.journey, "DOCTOR", "Bench", "Doctor")
        doctor_id = doctor["user"]["id"]
        self.journey.call("approve", "POST", f"/api/auth/users/{doctor_id}/approve", self.admin)
        doctor_token = login(self.journey, doctor["user"]["email"])
        profile = {"consultationFee": FEE, "currency": CURRENCY, "timeZone": ZONE}
        path = f"/api/doctors/{doctor_id}"
        self.journey.until("profile", partial(self.journey.call, "profile", "PUT", path, doctor_token, json=profile))
        sessions = []
        for weekday in DAYS:
            body = {"dayOfWeek": weekday, "sessionStartTime": START, "sessionEndTime": END, "serviceType": "VIRTUAL",
                    "maxQueueSize": capacity, "estimatedConsultationMinutes": MINUTES}  # fmt: skip
            session = self.journey.until(
                "session", partial(self.journey.call, "session", "POST", "/api/sessions", doctor_token, json=body)
            )
            sessions.append(session["id"])
        tomorrow = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=1)
        return Schedule(doctor_id, doctor_token, tuple(sessions), tomorrow, days)

    def patients(self, count: int) -> list[str]:
        """The emails of `count` registered patients (password: the demo's)."""
        return [register(self.journey, "PATIENT", "Bench", f"Patient{n}")["user"]["email"] for n in range(count)]

    def close(self) -> None:
        self.journey.close()


def booked_per_occurrence(platform: Platform, doctor_id: str) -> dict[tuple[str, str], int]:
    """The places each of the doctor's occurrences holds, by session id and ISO date."""
    with psycopg.connect(service_database(platform, "appointments")) as connection:
        rows = connection.execute(
            "SELECT session_id::text, appointment_date::text, count(*) FROM appointments"
            " WHERE doctor_id = %s AND status <> 'CANCELLED' GROUP BY 1, 2",
            (doctor_id,),
        ).fetchall()
    return {(session, day): count for session, day, count in rows}


def booked_by_doctor(platform: Platform, doctor_id: str) -> tuple[int, int]:
    """How many places the doctor's occurrences hold, and the most any one holds."""
    held = booked_per_occurrence(platform, doctor_id).values()
    return sum(held), max(held, default=0)


def bookings_check(platform: Platform, doctor_id: str, answered: int, in_flight: int) -> Check:
    """Every booking answered is in the database (plus at most `in_flight` the load tool abandoned
    when its time was up), and no occurrence holds more than its capacity."""
    booked, largest = booked_by_doctor(platform, doctor_id)
    passed = answered <= booked <= answered + in_flight and largest <= CAPACITY
    return Check(
        passed,
        f"{booked} booked for {answered} answered (at most {in_flight} more in flight),"
        f" fullest occurrence {largest}/{CAPACITY}",
    )


def service_database(platform: Platform, service: str) -> str:
    """A service's own database on the platform, as the server's administrator: the bench and the
    fault checks seed and count rows there, and pgbench runs the service's SQL as that user."""
    return platform.admin_database_url(service_spec(service))
