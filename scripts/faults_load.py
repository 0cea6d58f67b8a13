"""The scripted load of `pulseone faults`: clients that book, cancel, reschedule, prescribe and
dispense through the gateway while faults strike, retrying every request without a definite answer
(the same request, the same requestId, as SPEC promises retries are safe) and recording how each
one ended, so the checks can hold the platform to every success it replied."""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import httpx

from scripts.bench_dispense import UNITS, Pharmacy
from scripts.bench_schedule import Schedule

HOT = 3
"""Occurrences per doctor that half the bookings go to, so they fill up and the capacity rule bites."""
RETRY_BUDGET = 120.0
"""Seconds a client keeps retrying one request before it records the outcome as unknown."""
ATTEMPT_TIMEOUT = 20.0
"""Seconds one attempt may take: above the gateway's 30 s route timeout less its queueing, below the budget."""
ABORTED = 10
"""The gRPC code of a lost race that may be retried (HTTP 409 like ALREADY_EXISTS, told apart by the body)."""


@dataclass
class Request:
    """One logical request of the load and how it ended: `success` (with the reply), `refused` (a
    definite 4xx, with its reason), or `unknown` (no definite answer within the retry budget)."""

    kind: str
    method: str
    path: str
    body: dict[str, Any] | None
    token: str
    request_id: str | None = None
    subject: str = ""
    """The appointment, prescription or reference the request is about."""
    attempts: int = 0
    outcome: str = "unknown"
    status: int = 0
    reason: str = ""
    reply: dict[str, Any] = field(default_factory=dict)
    confirmed: bool = False
    """A retried state change refused as already done, whose effect a read then confirmed."""


@dataclass(frozen=True)
class Booking:
    appointment_id: str
    patient_token: str
    schedule: Schedule
    day: date


@dataclass(frozen=True)
class Issued:
    prescription_id: str
    code: str
    item_id: str


@dataclass
class World:
    """What the load runs against: the doctors' schedules, the patients (by token), the pharmacies
    (the first one's stock is what direct dispenses draw from), and every request so far."""

    schedules: list[Schedule]
    patients: list[str]
    prescribing: list[Pharmacy]
    hot: Pharmacy
    requests: list[Request] = field(default_factory=list)


def _retryable(response: httpx.Response) -> bool:
    """No definite answer: a 5xx (503 backend down, 504 timeout, 500), a throttle, or a lost race."""
    if response.status_code >= 500 or response.status_code == 429:
        return True
    if response.status_code == 409:
        try:
            return int(response.json().get("code", 0)) == ABORTED
        except ValueError:
            return True
    return False


def _reason(response: httpx.Response) -> str:
    try:
        details = response.json().get("details", [])
    except ValueError:
        return ""
    return next((str(d.get("reason", "")) for d in details if str(d.get("@type", "")).endswith("ErrorInfo")), "")


async def send(client: httpx.AsyncClient, request: Request) -> Request:
    """Send until a definite answer or the retry budget is spent, backing off between attempts."""
    deadline = time.monotonic() + RETRY_BUDGET
    delay = 0.2
    headers = {"authorization": f"Bearer {request.token}"}
    while True:
        request.attempts += 1
        try:
            response = await client.request(
                request.method, request.path, json=request.body, headers=headers, timeout=ATTEMPT_TIMEOUT
            )
        except httpx.HTTPError:
            response = None
        if response is not None and not _retryable(response):
            request.status = response.status_code
            if response.status_code == 200:
                request.outcome, request.reply = "success", response.json()
            else:
                request.outcome, request.reason = "refused", _reason(response)
            return request
        if response is not None:
            request.status = response.status_code
        if time.monotonic() + delay > deadline:
            return request
        await asyncio.sleep(delay)
        delay = min(delay * 2, 3.0)


class Client:
    """One user of the platform at a time: a loop of weighted random actions on its own bookings
    and prescriptions, every request recorded in the world."""

    def __init__(self, world: World, http: httpx.AsyncClient, seed: int) -> None:
        self.world = world
        self.http = http
        self.random = random.Random(seed)  # noqa: S311 - a reproducible mix of actions, not a secret
        self.booked: list[Booking] = []
        self.issued: list[Issued] = []

    async def run(self, busy: Callable[[], bool]) -> None:
        while busy():
            await self._act()

    async def _act(self) -> None:
        actions: list[tuple[int, Callable[[], Any]]] = [(4, self.book), (1, self.dispense_stock)]
        if self.booked:
            actions += [(1, self.cancel), (1, self.reschedule), (2, self.consult)]
        if self.issued:
            actions.append((3, self.dispense_prescription))
        weights, choices = zip(*actions, strict=True)
        await self.random.choices(choices, weights)[0]()

    async def _send(self, request: Request) -> Request:
        self.world.requests.append(request)
        return await send(self.http, request)

    def _occurrence(self, schedule: Schedule | None = None) -> tuple[Schedule, str, date]:
        """Half the time one of the doctor's first `HOT` occurrences (they fill up: bookings race
        for the last places), else any of them (places left for the whole load)."""
        schedule = schedule or self.random.choice(self.world.schedules)
        occurrences = schedule.occurrences()
        session_id, day = self.random.choice(occurrences[:HOT] if self.random.random() < 0.5 else occurrences)
        return schedule, session_id, day

    async def book(self) -> None:
        schedule, session_id, day = self._occurrence()
        patient = self.random.choice(self.world.patients)
        request_id = str(uuid.uuid4())
        body = {"sessionId": session_id, "appointmentDate": day.isoformat(), "appointmentType": "VIRTUAL",
                "requestId": request_id}  # fmt: skip
        done = await self._send(Request("book", "POST", "/api/appointments", body, patient, request_id))
        if done.outcome == "success":
            self.booked.append(Booking(done.reply["id"], patient, schedule, day))

    async def cancel(self) -> None:
        booking = self.booked.pop(self.random.randrange(len(self.booked)))
        path = f"/api/appointments/{booking.appointment_id}"
        request = Request("cancel", "POST", f"{path}/cancel", {"reason": "fault drill"}, booking.patient_token)
        request.subject = booking.appointment_id
        await self._confirm_transition(await self._send(request), path, {"CANCELLED"})

    async def reschedule(self) -> None:
        booking = self.booked.pop(self.random.randrange(len(self.booked)))
        _, session_id, day = self._occurrence(booking.schedule)
        request_id = str(uuid.uuid4())
        body = {"sessionId": session_id, "appointmentDate": day.isoformat(), "requestId": request_id}
        path = f"/api/appointments/{booking.appointment_id}/reschedule"
        request = Request("reschedule", "POST", path, body, booking.patient_token, request_id)
        request.subject = booking.appointment_id
        done = await self._send(request)
        if done.outcome == "success":
            self.booked.append(Booking(done.reply["id"], booking.patient_token, booking.schedule, day))
        elif done.outcome == "refused":
            self.booked.append(booking)  # still booked where it was

    async def consult(self) -> None:
        """The doctor checks the patient in, starts the visit and prescribes (allowed IN_PROGRESS)."""
        booking = self.booked.pop(self.random.randrange(len(self.booked)))
        doctor = booking.schedule.doctor_token
        path = f"/api/appointments/{booking.appointment_id}"
        for kind, step, reached in (
            ("check-in", "check-in", {"CHECKED_IN", "IN_PROGRESS"}),
            ("start", "start", {"IN_PROGRESS"}),
        ):
            request = Request(kind, "POST", f"{path}/{step}", {}, doctor, subject=booking.appointment_id)
            if not await self._confirm_transition(await self._send(request), path, reached):
                return
        item = {"drugName": "Paracetamol", "dosage": "500mg", "duration": "3 days", "quantity": UNITS}
        request_id = str(uuid.uuid4())
        body = {"appointmentId": booking.appointment_id, "items": [item], "requestId": request_id}
        request = Request("prescribe", "POST", "/api/prescriptions", body, doctor, request_id)
        request.subject = booking.appointment_id
        done = await self._send(request)
        if done.outcome == "success":
            reply = done.reply
            self.issued.append(Issued(reply["id"], reply["dispenseCode"], reply["items"][0]["id"]))

    async def _confirm_transition(self, request: Request, path: str, reached: set[str]) -> bool:
        """A state change without a requestId: a retry of one that took effect is refused as an
        invalid transition; a read by the same caller tells whether the effect is there."""
        if request.outcome == "refused" and request.attempts > 1 and request.reason == "INVALID_TRANSITION":
            read = await send(self.http, Request("read", "GET", path, None, request.token))
            if read.outcome == "success" and read.reply.get("status") in reached:
                request.confirmed = True
        return request.outcome == "success" or request.confirmed

    async def dispense_prescription(self) -> None:
        issued = self.issued.pop(self.random.randrange(len(self.issued)))
        pharmacy = self.random.choice(self.world.prescribing)
        line = {"itemId": issued.item_id, "catalogItemId": pharmacy.catalog_item_id, "quantity": UNITS}
        request_id = str(uuid.uuid4())
        body = {"code": issued.code, "pharmacyId": pharmacy.location_id, "lines": [line], "requestId": request_id}
        path = f"/api/prescriptions/{issued.prescription_id}/dispense"
        request = Request("dispense-prescription", "POST", path, body, pharmacy.token, request_id)
        request.subject = issued.prescription_id
        await self._send(request)

    async def dispense_stock(self) -> None:
        hot = self.world.hot
        reference = f"faults-{uuid.uuid4()}"
        line = {"catalogItemId": hot.catalog_item_id, "quantity": self.random.randint(1, 3)}
        request_id = str(uuid.uuid4())
        body = {"locationId": hot.location_id, "lines": [line], "reference": reference, "requestId": request_id}
        request = Request("dispense-stock", "POST", "/api/inventory/dispense", body, hot.token, request_id)
        request.subject = reference
        await self._send(request)


async def run_load(world: World, gateway: str, clients: int, seconds: float, faulting: Callable[[], bool]) -> None:
    """`clients` concurrent clients for `seconds`, and on while `faulting()` says a fault or its
    recovery is still under way (a late one strikes under load too); requests still retrying then
    are seen through."""
    until = time.monotonic() + seconds

    def busy() -> bool:
        return time.monotonic() < until or faulting()

    limits = httpx.Limits(max_connections=clients * 2, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=gateway, limits=limits) as http:
        await asyncio.gather(*(Client(world, http, seed).run(busy) for seed in range(clients)))
