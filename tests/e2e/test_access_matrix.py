"""The access matrix (SPEC 1 and 2): every REST route that names a resource in its path, called by
the resource's owner, by another user of the same role, by every other role, without a token, and
for a resource that does not exist.

The routes come from the descriptor set (every binding with a path variable) and their authz rules;
SPEC section 2's answer per route, which the rule alone cannot give (ownership, care, the clinic's
admin, directory data), is the table `ACCESS`. A route the table does not cover fails the test.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from pulseone.authz.v1 import authz_pb2

from gateway.contract import Binding, Method, load_methods
from scripts.demo import DAYS
from scripts.platform import DESCRIPTOR_SET, SERVICES
from tests.e2e.conftest import Account, register
from tests.e2e.test_appointments import ready_doctor
from tests.e2e.test_inventory import pharmacy_of
from tests.e2e.test_prescriptions import ITEM
from tests.e2e.test_profiles import approve, clinic_of, eventually

ZONE = "America/New_York"

# The callers: one account of each role owning the resources the fixtures make, another of the same
# role owning nothing of them, and the SYSTEM_ADMIN.
PATIENT, OTHER_PATIENT = "patient", "other patient"
DOCTOR, OTHER_DOCTOR = "doctor", "other doctor"
CLINIC_ADMIN, OTHER_CLINIC_ADMIN = "clinic admin", "other clinic admin"
PHARMACY, OTHER_PHARMACY = "pharmacy", "other pharmacy"
SYSTEM_ADMIN = "system admin"
ROLE_OF = {
    PATIENT: "PATIENT",
    OTHER_PATIENT: "PATIENT",
    DOCTOR: "DOCTOR",
    OTHER_DOCTOR: "DOCTOR",
    CLINIC_ADMIN: "CLINIC_ADMIN",
    OTHER_CLINIC_ADMIN: "CLINIC_ADMIN",
    PHARMACY: "PHARMACY",
    OTHER_PHARMACY: "PHARMACY",
    SYSTEM_ADMIN: "SYSTEM_ADMIN",
}
EVERYONE = frozenset(ROLE_OF)

# Owners' calls run in phases, so a call that ends something (a cancellation, the end of a call or
# of an affiliation) comes after the calls that need it still open.
READ, CHANGE, END = 0, 1, 2


@dataclass(frozen=True)
class Access:
    """SPEC's answer for one route, over the resources the fixtures make for it.

    `allowed` callers pass authorization (success or a domain outcome, never 401/403); every other
    caller is refused with 403: ROLE_NOT_ALLOWED when the route's authz rule leaves its role out,
    else `refusal` (or the caller's own in `refusal_of`). A resource that does not exist is that same
    403 for every caller the rule lets in, except `knows_unknown`, who are entitled to know
    (directory data, a SYSTEM_ADMIN's reach) and get `unknown_status`.
    """

    allowed: frozenset[str]
    ids: dict[str, str] = field(default_factory=dict)
    body: Callable[[World, str], dict[str, Any]] | None = None
    query: Callable[[World], dict[str, str]] | None = None
    refusal: str = "NOT_OWNER"
    refusal_of: dict[str, str] = field(default_factory=dict)
    knows_unknown: frozenset[str] = frozenset()
    unknown_status: int = 404
    phase: int = READ


def directory(**ids: str) -> Access:
    """Directory data: readable by any signed-in user; an unknown id is 404 for all (SPEC 2)."""
    return Access(allowed=EVERYONE, ids=ids, knows_unknown=EVERYONE)


def body(document: dict[str, Any]) -> Callable[[World, str], dict[str, Any]]:
    return lambda world, caller: {key: world.resolve(value) for key, value in document.items()}


@dataclass
class World:
    """The callers and the resources of the matrix, made once for the module."""

    callers: dict[str, Account]
    ids: dict[str, str]
    dispense_code: str

    def resolve(self, value: Any) -> Any:
        """`{name}` strings name a resource id; anything else is taken as it is."""
        if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
            return self.ids[value[1:-1]]
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def code_for(self, caller: str) -> str:
        """A pharmacy reaches a prescription only with its dispense code (SPEC 3.4): the pharmacy
        of the matrix holds it; any other caller presents a code of the right form that is not it."""
        return self.dispense_code if caller == PHARMACY else "".join(reversed(self.dispense_code))


def prescription_status(world: World, caller: str) -> dict[str, Any]:
    """Its doctor cancels; a pharmacy fills with the code; other callers try the doctor's change."""
    if ROLE_OF[caller] == "PHARMACY":
        return {"status": "FILLED", "code": world.code_for(caller)}
    return {"status": "CANCELLED", "reason": "access matrix"}


def dispense(world: World, caller: str) -> dict[str, Any]:
    """From the caller's own stock (another pharmacy's is NOT_OWNER), with the code the caller holds."""
    other = caller == OTHER_PHARMACY
    item = world.ids["other pharmacy catalog item" if other else "catalog item"]
    location = world.ids["other pharmacy location" if other else "pharmacy location"]
    line = {"itemId": world.ids["prescription item"], "catalogItemId": item, "quantity": 1}
    return {"code": world.code_for(caller), "pharmacyId": location, "lines": [line]}


def today(world: World) -> dict[str, str]:
    return {"date": world.ids["today"]}


PARTIES = frozenset({PATIENT, DOCTOR})
APPOINTMENT_PARTIES = frozenset({PATIENT, DOCTOR, CLINIC_ADMIN})
SESSION_MANAGERS = frozenset({DOCTOR, CLINIC_ADMIN})
VIDEO = {"session_id": "video session"}
# A doctor's own affiliation with a clinic: one never made is NOT_FOUND to that doctor.
OWN_AFFILIATION = frozenset({DOCTOR})

ACCESS: dict[tuple[str, str], Access] = {
    # Appointments: sessions and their overrides (SPEC 3.3). Sessions are directory data: whether one
    # exists is no secret, so an unknown one is 404 even for a caller who may not manage it.
    ("GET", "/api/sessions/{session_id}"): directory(),
    ("GET", "/api/sessions/{session_id}/overrides"): directory(),
    ("GET", "/api/doctors/{doctor_id}/calendar"): directory(),
    ("PUT", "/api/sessions/{session_id}"): Access(
        SESSION_MANAGERS, body=body({"estimatedConsultationMinutes": 15}), phase=CHANGE, knows_unknown=EVERYONE
    ),
    ("POST", "/api/sessions/{session_id}/overrides"): Access(
        SESSION_MANAGERS,
        body=body({"date": "{next week}", "cancelled": True, "reason": "matrix"}),
        phase=CHANGE,
        knows_unknown=EVERYONE,
    ),
    ("DELETE", "/api/sessions/{session_id}/overrides/{date}"): Access(
        SESSION_MANAGERS, ids={"date": "next week"}, phase=END, knows_unknown=EVERYONE
    ),
    ("DELETE", "/api/sessions/{session_id}"): Access(SESSION_MANAGERS, phase=END, knows_unknown=EVERYONE),
    ("GET", "/api/sessions/{session_id}/queue"): Access(SESSION_MANAGERS, query=today, knows_unknown=EVERYONE),
    ("POST", "/api/sessions/{session_id}/queue/call-next"): Access(
        frozenset({DOCTOR}), query=today, phase=CHANGE, knows_unknown=EVERYONE
    ),
    # Appointments: the appointment itself, its patient, its doctor, its clinic's admin (SPEC 3.3).
    ("GET", "/api/appointments/{appointment_id}"): Access(APPOINTMENT_PARTIES),
    ("GET", "/api/appointments/{appointment_id}/history"): Access(APPOINTMENT_PARTIES),
    ("GET", "/api/appointments/{appointment_id}/position"): Access(frozenset({PATIENT})),
    ("PUT", "/api/appointments/{appointment_id}"): Access(
        frozenset({DOCTOR}), body=body({"chiefComplaint": "matrix"}), phase=CHANGE
    ),
    ("POST", "/api/appointments/{appointment_id}/reschedule"): Access(
        frozenset({PATIENT, CLINIC_ADMIN}), body=body({"appointmentDate": "{next week}"}), phase=CHANGE
    ),
    ("POST", "/api/appointments/{appointment_id}/check-in"): Access(APPOINTMENT_PARTIES, body=body({}), phase=CHANGE),
    ("POST", "/api/appointments/{appointment_id}/start"): Access(frozenset({DOCTOR}), body=body({}), phase=CHANGE),
    ("POST", "/api/appointments/{appointment_id}/no-show"): Access(SESSION_MANAGERS, body=body({}), phase=CHANGE),
    ("POST", "/api/appointments/{appointment_id}/complete"): Access(frozenset({DOCTOR}), body=body({}), phase=END),
    ("POST", "/api/appointments/{appointment_id}/cancel"): Access(
        APPOINTMENT_PARTIES, body=body({"reason": "matrix"}), phase=END
    ),
    ("DELETE", "/api/appointments/{appointment_id}"): Access(
        APPOINTMENT_PARTIES, query=lambda world: {"reason": "matrix"}, phase=END
    ),
    # Consultation notes and history: clinical, never a clinic admin's (SPEC 2, 3.3).
    ("GET", "/api/appointments/{appointment_id}/notes"): Access(PARTIES),
    ("PUT", "/api/appointments/{appointment_id}/notes"): Access(
        frozenset({DOCTOR}), body=body({"chiefComplaint": "cough"}), phase=CHANGE
    ),
    ("POST", "/api/appointments/{appointment_id}/notes/addenda"): Access(
        frozenset({DOCTOR}), body=body({"text": "addendum"}), phase=CHANGE
    ),
    ("GET", "/api/patients/{patient_id}/history"): Access(PARTIES, refusal="NOT_IN_CARE"),
    # Accounts: a SYSTEM_ADMIN's, who is told when an account does not exist (SPEC 1, 3.1).
    ("GET", "/api/auth/users/{user_id}"): Access(
        frozenset({SYSTEM_ADMIN}), ids={"user_id": "account"}, knows_unknown=frozenset({SYSTEM_ADMIN})
    ),
    ("POST", "/api/auth/users/{user_id}/approve"): Access(
        frozenset({SYSTEM_ADMIN}),
        ids={"user_id": "account"},
        body=body({}),
        knows_unknown=frozenset({SYSTEM_ADMIN}),
        phase=CHANGE,
    ),
    ("POST", "/api/auth/users/{user_id}/suspend"): Access(
        frozenset({SYSTEM_ADMIN}),
        ids={"user_id": "account"},
        body=body({"reason": "matrix"}),
        knows_unknown=frozenset({SYSTEM_ADMIN}),
        phase=CHANGE,
    ),
    ("POST", "/api/auth/users/{user_id}/reactivate"): Access(
        frozenset({SYSTEM_ADMIN}),
        ids={"user_id": "account"},
        body=body({}),
        knows_unknown=frozenset({SYSTEM_ADMIN}),
        phase=END,
    ),
    # Inventory: the location's owner, and a SYSTEM_ADMIN reads (SPEC 3.5).
    ("GET", "/api/inventory/catalog/{catalog_item_id}"): Access(
        frozenset({PHARMACY, SYSTEM_ADMIN}), knows_unknown=frozenset({SYSTEM_ADMIN})
    ),
    ("PUT", "/api/inventory/catalog/{catalog_item_id}"): Access(
        frozenset({PHARMACY}), body=body({"reorderLevel": 5}), phase=CHANGE
    ),
    ("GET", "/api/inventory/batches/clinic/{location_id}"): Access(
        frozenset({CLINIC_ADMIN, SYSTEM_ADMIN}),
        ids={"location_id": "clinic"},
        knows_unknown=frozenset({SYSTEM_ADMIN}),
    ),
    # Prescriptions: its patient and its doctor, never a pharmacy except with the code (SPEC 3.4).
    ("GET", "/api/prescriptions/{prescription_id}"): Access(PARTIES),
    ("GET", "/api/prescriptions/appointment/{appointment_id}"): Access(PARTIES),
    ("GET", "/api/prescriptions/doctor/{doctor_id}"): Access(frozenset({DOCTOR})),
    # A doctor lists a patient's prescriptions they wrote; a patient reads no doctor's list.
    ("GET", "/api/prescriptions/patient/{patient_id}"): Access(PARTIES),
    ("PUT", "/api/prescriptions/{prescription_id}"): Access(
        frozenset({DOCTOR, PHARMACY}),
        body=prescription_status,
        refusal_of=dict.fromkeys((PHARMACY, OTHER_PHARMACY), "INVALID_DISPENSE_CODE"),
        phase=END,
    ),
    ("DELETE", "/api/prescriptions/{prescription_id}"): Access(
        frozenset({DOCTOR}), query=lambda world: {"reason": "matrix"}, phase=END
    ),
    ("POST", "/api/prescriptions/{prescription_id}/dispense"): Access(
        frozenset({PHARMACY}), body=dispense, refusal="INVALID_DISPENSE_CODE", phase=CHANGE
    ),
    # Profiles (SPEC 3.2).
    ("GET", "/api/profiles/{user_id}"): Access(
        frozenset({PATIENT, SYSTEM_ADMIN}), ids={"user_id": "patient"}, knows_unknown=frozenset({SYSTEM_ADMIN})
    ),
    ("PUT", "/api/profiles/{user_id}"): Access(
        frozenset({PATIENT, SYSTEM_ADMIN}),
        ids={"user_id": "patient"},
        body=body({"firstName": "Ada"}),
        knows_unknown=frozenset({SYSTEM_ADMIN}),
        phase=CHANGE,
    ),
    ("GET", "/api/patients/{patient_id}"): Access(PARTIES, refusal="NOT_IN_CARE"),
    ("PUT", "/api/patients/{patient_id}"): Access(
        frozenset({PATIENT}), body=body({"address": "1 Galle Rd"}), phase=CHANGE
    ),
    ("GET", "/api/patients/{patient_id}/consents"): Access(frozenset({PATIENT})),
    ("POST", "/api/patients/{patient_id}/consents"): Access(
        frozenset({PATIENT}), body=body({"doctorId": "{doctor}"}), phase=CHANGE
    ),
    ("DELETE", "/api/patients/{patient_id}/consents/{doctor_id}"): Access(frozenset({PATIENT}), phase=END),
    ("GET", "/api/doctors/{doctor_id}"): directory(),
    ("GET", "/api/doctors/{doctor_id}/ratings"): directory(),
    ("PUT", "/api/doctors/{doctor_id}"): Access(frozenset({DOCTOR}), body=body({"bio": "matrix"}), phase=CHANGE),
    # Any patient may try; only one with a completed visit succeeds (a domain outcome, not access).
    ("POST", "/api/doctors/{doctor_id}/ratings"): Access(
        frozenset({PATIENT, OTHER_PATIENT}),
        body=body({"rating": 5, "review": "kind"}),
        knows_unknown=frozenset({PATIENT, OTHER_PATIENT}),
        phase=CHANGE,
    ),
    ("GET", "/api/clinics/{clinic_id}"): directory(),
    ("GET", "/api/clinics/{clinic_id}/doctors"): directory(),
    ("PUT", "/api/clinics/{clinic_id}"): Access(
        frozenset({CLINIC_ADMIN}), body=body({"phone": "+94 11 234 5678"}), phase=CHANGE
    ),
    ("POST", "/api/clinics/{clinic_id}/doctors"): Access(
        frozenset({CLINIC_ADMIN}), body=body({"doctorId": "{doctor}"}), phase=CHANGE
    ),
    ("POST", "/api/clinics/{clinic_id}/doctors/{doctor_id}/confirm"): Access(
        frozenset({DOCTOR}), body=body({}), knows_unknown=OWN_AFFILIATION, phase=CHANGE
    ),
    ("POST", "/api/clinics/{clinic_id}/doctors/{doctor_id}/reject"): Access(
        frozenset({DOCTOR}), body=body({}), knows_unknown=OWN_AFFILIATION, phase=CHANGE
    ),
    ("DELETE", "/api/clinics/{clinic_id}/doctors/{doctor_id}"): Access(
        SESSION_MANAGERS, knows_unknown=OWN_AFFILIATION, phase=END
    ),
    ("GET", "/api/pharmacies/{pharmacy_id}"): directory(pharmacy_id="pharmacy location"),
    ("PUT", "/api/pharmacies/{pharmacy_id}"): Access(
        frozenset({PHARMACY}),
        ids={"pharmacy_id": "pharmacy location"},
        body=body({"phone": "+94 11 000 0000"}),
        phase=CHANGE,
    ),
    # Video: its participants; a SYSTEM_ADMIN reads sessions and histories (SPEC 3.6).
    ("GET", "/api/video/sessions/{session_id}"): Access(
        frozenset({PATIENT, DOCTOR, SYSTEM_ADMIN}), ids=VIDEO, knows_unknown=frozenset({SYSTEM_ADMIN})
    ),
    ("GET", "/api/video/sessions/{session_id}/recording"): Access(PARTIES, ids=VIDEO),
    ("GET", "/api/video/sessions/{session_id}/recording/download"): Access(PARTIES, ids=VIDEO),
    ("POST", "/api/video/sessions/{session_id}/join"): Access(PARTIES, ids=VIDEO, body=body({}), phase=CHANGE),
    ("GET", "/api/video/sessions/{session_id}/events"): Access(PARTIES, ids=VIDEO, phase=CHANGE),
    ("POST", "/api/video/sessions/{session_id}/signals"): Access(
        PARTIES, ids=VIDEO, body=body({"type": "OFFER", "toParticipantId": "{doctor}", "sdp": "v=0"}), phase=CHANGE
    ),
    ("POST", "/api/video/sessions/{session_id}/consent"): Access(
        PARTIES, ids=VIDEO, body=body({"recording": False}), phase=CHANGE
    ),
    ("POST", "/api/video/sessions/{session_id}/recording"): Access(
        frozenset({DOCTOR}), ids=VIDEO, body=body({"action": "STOP"}), phase=CHANGE
    ),
    ("POST", "/api/video/sessions/{session_id}/leave"): Access(PARTIES, ids=VIDEO, body=body({}), phase=END),
    ("POST", "/api/video/sessions/{session_id}/end"): Access(frozenset({DOCTOR}), ids=VIDEO, body=body({}), phase=END),
    ("GET", "/api/video/sessions/history/{user_id}"): Access(
        frozenset({PATIENT, SYSTEM_ADMIN}),
        ids={"user_id": "patient"},
        knows_unknown=frozenset({SYSTEM_ADMIN}),
        unknown_status=200,
    ),
}

# A path variable names the resource of the same name unless the route says otherwise.
RESOURCE_OF_VARIABLE = {
    "session_id": "session",
    "appointment_id": "appointment",
    "patient_id": "patient",
    "doctor_id": "doctor",
    "clinic_id": "clinic",
    "prescription_id": "prescription",
    "catalog_item_id": "catalog item",
}


@dataclass(frozen=True, eq=False)
class Route:
    """One REST binding of a method (compared by identity: the descriptor's options are unhashable)."""

    method: Method
    binding: Binding

    @property
    def key(self) -> tuple[str, str]:
        return self.binding.verb, self.binding.template

    @property
    def variables(self) -> list[str]:
        return [part[1:-1].split("=")[0] for part in self.binding.template.split("/") if part.startswith("{")]

    @property
    def access(self) -> Access:
        return ACCESS[self.key]

    def admits(self, caller: str) -> bool:
        """The route's authz rule lets the caller's role in (an empty list admits every role)."""
        rule = self.method.rule
        assert rule is not None
        roles = {authz_pb2.Rule.Role.Name(r) for r in rule.roles}
        return not roles or ROLE_OF[caller] in roles

    def path(self, world: World, unknown: bool = False) -> str:
        """The route's path for the matrix's resources; with `unknown`, its first variable (the
        resource the route is about) is an id nothing has."""
        path = self.binding.template
        for position, variable in enumerate(self.variables):
            resource = self.access.ids.get(variable, RESOURCE_OF_VARIABLE.get(variable, variable))
            value = str(uuid.uuid4()) if unknown and position == 0 else world.ids[resource]
            path = path.replace(f"{{{variable}}}", value)
        return path

    def __str__(self) -> str:
        return f"{self.binding.verb} {self.binding.template}"


ROUTES = [
    Route(method, binding)
    for method in load_methods(DESCRIPTOR_SET)
    if method.exposed and method.cluster in {s.name for s in SERVICES}
    for binding in method.bindings
    if "{" in binding.template
]


def test_every_route_with_a_resource_id_is_in_the_matrix() -> None:
    """A new per-resource route needs SPEC's answer in ACCESS before it ships; a removed one leaves."""
    assert {r.key for r in ROUTES} == set(ACCESS)


def test_the_matrix_is_consistent_with_the_authz_rules() -> None:
    """Whoever the table lets in, the route's rule must admit (else the table contradicts itself)."""
    contradictions = [(str(r), c) for r in ROUTES for c in r.access.allowed if not r.admits(c)]
    assert contradictions == []


# --- the world -------------------------------------------------------------------------------------


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    document: dict[str, Any] = response.json()
    return document


def _in_parallel(*makers: Callable[[], Account]) -> list[Account]:
    with ThreadPoolExecutor(len(makers)) as pool:
        return list(pool.map(lambda make: make(), makers))


@pytest.fixture(scope="module")
def world(gateway: httpx.Client, admin: Account) -> World:
    """One account of each role (and another of each), a clinic of the clinic admin, the doctor
    affiliated to it with an all-day session today (BOTH, so a VIRTUAL booking has a video session and
    the clinic's admin), the patient's appointment IN_PROGRESS with notes and a prescription, and a
    catalog item of the pharmacy."""
    clinic = {"name": "Matrix Clinic", "address": "1 Galle Rd", "phone": "+1 212 555 0100", "timeZone": ZONE}
    (
        patient, other_patient, account, doctor, other_doctor,
        clinic_admin, other_clinic_admin, pharmacy, other_pharmacy,
    ) = _in_parallel(
        lambda: register(gateway, "PATIENT"),
        lambda: register(gateway, "PATIENT"),
        lambda: register(gateway, "PATIENT"),
        lambda: ready_doctor(gateway, admin),
        lambda: ready_doctor(gateway, admin),
        lambda: approve(gateway, admin, register(gateway, "CLINIC_ADMIN", clinic=clinic)),
        lambda: approve(gateway, admin, register(gateway, "CLINIC_ADMIN")),
        lambda: approve(gateway, admin, register(gateway, "PHARMACY")),
        lambda: approve(gateway, admin, register(gateway, "PHARMACY")),
    )  # fmt: skip
    clinic_id = clinic_of(gateway, clinic_admin)["id"]
    clinic_of(gateway, other_clinic_admin)
    location = pharmacy_of(gateway, pharmacy)["id"]
    other_location = pharmacy_of(gateway, other_pharmacy)["id"]
    _ok(gateway.post(f"/api/clinics/{clinic_id}/doctors", json={"doctorId": doctor.id}, headers=clinic_admin.headers))
    _ok(gateway.post(f"/api/clinics/{clinic_id}/doctors/{doctor.id}/confirm", headers=doctor.headers))

    day = datetime.now(ZoneInfo(ZONE)).date()
    session_body = {
        "doctorId": doctor.id, "clinicId": clinic_id, "dayOfWeek": DAYS[day.weekday()],
        "sessionStartTime": "00:00", "sessionEndTime": "23:59", "serviceType": "BOTH", "maxQueueSize": 20,
        "estimatedConsultationMinutes": 15, "effectiveFrom": day.isoformat(),
    }  # fmt: skip
    session = eventually(lambda: _ok(gateway.post("/api/sessions", json=session_body, headers=clinic_admin.headers)))
    booking = {"sessionId": session["id"], "appointmentDate": day.isoformat(), "appointmentType": "VIRTUAL"}
    appointment = _ok(gateway.post("/api/appointments", json=booking, headers=patient.headers))
    path = f"/api/appointments/{appointment['id']}"

    def video_session() -> str:
        found = _ok(gateway.get(path, headers=patient.headers))
        assert found["videoSessionId"]
        return str(found["videoSessionId"])

    video = eventually(video_session)
    _ok(gateway.post(f"{path}/check-in", headers=doctor.headers))
    _ok(gateway.post(f"{path}/start", json={}, headers=doctor.headers))
    _ok(gateway.put(f"{path}/notes", json={"chiefComplaint": "cough"}, headers=doctor.headers))
    prescription = _ok(
        gateway.post(
            "/api/prescriptions", json={"appointmentId": appointment["id"], "items": [ITEM]}, headers=doctor.headers
        )
    )

    def catalog_item(owner: Account, location_id: str) -> str:
        item = {"locationId": location_id, "drugName": ITEM["drugName"], "unitType": "CAPSULE", "sellingPrice": "1"}
        return str(
            eventually(lambda: _ok(gateway.post("/api/inventory/catalog", json=item, headers=owner.headers)))["id"]
        )

    return World(
        callers={
            PATIENT: patient,
            OTHER_PATIENT: other_patient,
            DOCTOR: doctor,
            OTHER_DOCTOR: other_doctor,
            CLINIC_ADMIN: clinic_admin,
            OTHER_CLINIC_ADMIN: other_clinic_admin,
            PHARMACY: pharmacy,
            OTHER_PHARMACY: other_pharmacy,
            SYSTEM_ADMIN: admin,
        },
        ids={
            "patient": patient.id,
            "doctor": doctor.id,
            "account": account.id,
            "clinic": clinic_id,
            "pharmacy location": location,
            "other pharmacy location": other_location,
            "session": session["id"],
            "appointment": appointment["id"],
            "video session": video,
            "prescription": prescription["id"],
            "prescription item": prescription["items"][0]["id"],
            "catalog item": catalog_item(pharmacy, location),
            "other pharmacy catalog item": catalog_item(other_pharmacy, other_location),
            "today": day.isoformat(),
            "next week": (day + timedelta(days=7)).isoformat(),
        },
        dispense_code=prescription["dispenseCode"],
    )


# --- the calls -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    route: Route
    caller: str | None  # None: without a token
    unknown: bool = False

    def __str__(self) -> str:
        who = self.caller or "no token"
        return f"{self.route} as {who}" + (" (unknown id)" if self.unknown else "")


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any


def send(gateway: httpx.Client, world: World, call: Call) -> Answer:
    route, access = call.route, call.route.access
    headers = world.callers[call.caller].headers if call.caller else {}
    json_body = access.body(world, call.caller or PATIENT) if access.body else None
    params = access.query(world) if access.query else None
    path = route.path(world, unknown=call.unknown)
    if route.method.server_streaming:
        # Only the status matters; the stream itself stays open (heartbeats) until closed.
        with gateway.stream(route.binding.verb, path, headers=headers, params=params) as stream:
            if stream.status_code == 200:
                return Answer(200, None)
            stream.read()
            return Answer(stream.status_code, stream.json())
    response = gateway.request(route.binding.verb, path, headers=headers, params=params, json=json_body)
    try:
        return Answer(response.status_code, response.json())
    except ValueError:
        return Answer(response.status_code, response.text)


def refusal_of(call: Call) -> tuple[int, str]:
    """What SPEC tells a caller who may not: (HTTP status, ErrorInfo reason)."""
    route, access = call.route, call.route.access
    if call.caller is None:
        return 401, "TOKEN_MISSING"
    if not route.admits(call.caller):
        return 403, "ROLE_NOT_ALLOWED"
    return 403, access.refusal_of.get(call.caller, access.refusal)


def verdict(call: Call, answer: Answer) -> str | None:
    """None when the answer is SPEC's, else what is wrong with it."""
    access = call.route.access
    entitled = call.caller is not None and call.caller in (access.knows_unknown if call.unknown else access.allowed)
    if entitled:
        if call.unknown and answer.status != access.unknown_status:
            return f"{answer.status}, expected {access.unknown_status}: {answer.body}"
        if answer.status in (401, 403) or answer.status >= 500:
            return f"{answer.status}, expected success or a domain outcome: {answer.body}"
        return None
    status, reason = refusal_of(call)
    if answer.status != status or not isinstance(answer.body, dict):
        return f"{answer.status}, expected {status} {reason}: {answer.body}"
    infos = [d for d in answer.body.get("details", []) if d.get("@type", "").endswith("google.rpc.ErrorInfo")]
    expected_code = 16 if status == 401 else 7
    if answer.body.get("code") != expected_code or len(infos) != 1:
        return f"not the SPEC error shape with code {expected_code}: {answer.body}"
    if call.caller is None:
        return None if infos[0]["domain"] == "pulseone.gateway" else f"not refused at the gateway: {answer.body}"
    if infos[0]["reason"] != reason:
        return f"403 {infos[0]['reason']}, expected 403 {reason}: {answer.body}"
    return None


def matrix_calls() -> tuple[list[Call], list[list[Call]]]:
    """The refusals (independent of each other and of state: they run at once) and the owners'
    calls, phase by phase, in table order."""
    refused: list[Call] = []
    phases: list[list[Call]] = [[], [], []]
    for route in ROUTES:
        access = route.access
        refused.append(Call(route, None))
        for caller in ROLE_OF:
            if caller in access.allowed:
                phases[access.phase].append(Call(route, caller))
            else:
                refused.append(Call(route, caller))
            if route.admits(caller):
                refused.append(Call(route, caller, unknown=True))
    return refused, phases


@pytest.fixture(scope="module")
def answers(gateway: httpx.Client, world: World) -> dict[str, dict[Call, Answer]]:
    """Every call of the matrix, answered; keyed by route."""
    refused, phases = matrix_calls()
    found: dict[Call, Answer] = {}
    with ThreadPoolExecutor(8) as pool:
        found.update(zip(refused, pool.map(lambda c: send(gateway, world, c), refused), strict=True))
    for phase in phases:
        for call in phase:
            found[call] = send(gateway, world, call)
    by_route: dict[str, dict[Call, Answer]] = {}
    for call, answer in found.items():
        by_route.setdefault(str(call.route), {})[call] = answer
    return by_route


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_access_to_the_route_is_what_spec_section_2_says(route: Route, answers: dict[str, dict[Call, Answer]]) -> None:
    wrong = {str(call): problem for call, answer in answers[str(route)].items() if (problem := verdict(call, answer))}
    assert not wrong, "\n".join(f"{call}: {problem}" for call, problem in wrong.items())
