"""Two replicas of appointments and of inventory behind Envoy (see REPLICATED): the booking race and
the dispense race through the gateway hold, and each replica served its share."""

from __future__ import annotations

import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from scripts.metrics import sample_sum
from scripts.platform import Platform, service_spec
from tests.e2e.conftest import REPLICATED, Account, error_info, register
from tests.e2e.test_appointments import ready_doctor, virtual_session
from tests.e2e.test_inventory import in_days, pharmacy_of
from tests.e2e.test_profiles import approve

BOOK = "/pulseone.appointments.v1.AppointmentService/BookAppointment"
DISPENSE = "/pulseone.inventory.v1.InventoryService/DispenseStock"
CAPACITY = 5  # the session's maxQueueSize (see virtual_session)
PATIENTS = 14
STOCK = 12
DISPENSES = 20


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def calls(platform: Platform, service: str, method: str) -> dict[str, float]:
    """Calls of `method` each replica of `service` answered, by instance, from its own metrics."""
    return {
        instance: sample_sum(text, "pulseone_grpc_requests_total", method=method)
        for instance, text in platform.metrics_of(service_spec(service)).items()
    }


def race(requests: list[Any]) -> list[httpx.Response]:
    """Send every request at once, each on its own connection to the gateway."""

    def send(request: Any) -> httpx.Response:
        method, url, kwargs = request
        with httpx.Client(timeout=30) as client:
            return client.request(method, url, **kwargs)

    with ThreadPoolExecutor(len(requests)) as pool:
        return list(pool.map(send, requests))


def test_the_platform_runs_two_replicas_of_appointments_and_inventory(platform: Platform) -> None:
    for name, count in REPLICATED.items():
        spec = service_spec(name)
        assert len(set(platform.replica_ports(spec))) == count
        assert all(platform.services[instance].running for instance in platform.instances(spec))


def test_the_booking_race_through_the_gateway_never_overbooks(
    platform: Platform, gateway: httpx.Client, admin: Account
) -> None:
    doctor = ready_doctor(gateway, admin)
    session = virtual_session(gateway, doctor, days_ahead=5)
    patients = [register(gateway, "PATIENT") for _ in range(PATIENTS)]
    before = calls(platform, "appointments", BOOK)
    # One occurrence (without a date, a full one would be followed by the next week's).
    day = (datetime.now(ZoneInfo("America/New_York")).date() + timedelta(days=5)).isoformat()
    body = {"sessionId": session["id"], "appointmentDate": day, "appointmentType": "VIRTUAL"}
    url = f"{platform.gateway_url}/api/appointments"
    replies = race([("POST", url, {"json": body, "headers": p.headers}) for p in patients])
    booked = [r.json() for r in replies if r.status_code == 200]
    refused = [r for r in replies if r.status_code != 200]
    assert len(booked) == CAPACITY, [r.text for r in refused]
    assert sorted(b["queueNumber"] for b in booked) == list(range(1, CAPACITY + 1))
    assert {b["appointmentDate"] for b in booked} == {day}
    assert [(r.status_code, error_info(r)["reason"]) for r in refused] == [(400, "SESSION_FULL")] * (
        PATIENTS - CAPACITY
    )
    # What the database holds, as the doctor's list shows it: the five, no more.
    held = _ok(gateway.get("/api/appointments", params={"date": day, "pageSize": 50}, headers=doctor.headers))
    assert sorted(a["queueNumber"] for a in held["appointments"]) == list(range(1, CAPACITY + 1))
    # Both replicas booked: Envoy spread the race over them.
    after = calls(platform, "appointments", BOOK)
    served = {instance: after[instance] - before[instance] for instance in after}
    assert sum(served.values()) == PATIENTS
    assert all(count > 0 for count in served.values()), served


def test_the_dispense_race_through_the_gateway_never_takes_stock_below_zero(
    platform: Platform, gateway: httpx.Client, admin: Account
) -> None:
    owner = approve(gateway, admin, register(gateway, "PHARMACY"))
    location = pharmacy_of(gateway, owner)["id"]
    item = _ok(gateway.post(
        "/api/inventory/catalog",
        json={"locationId": location, "drugName": "Metformin", "unitType": "TABLET", "sellingPrice": "2.00"},
        headers=owner.headers,
    ))  # fmt: skip
    for number, quantity in (("A", STOCK // 2), ("B", STOCK - STOCK // 2)):
        _ok(gateway.post(
            "/api/inventory/stock/in",
            json={
                "catalogItemId": item["id"], "batchNumber": number, "expiryDate": in_days(200),
                "quantity": quantity, "costPrice": "1.00", "requestId": str(uuid.uuid4()),
            },
            headers=owner.headers,
        ))  # fmt: skip
    before = calls(platform, "inventory", DISPENSE)
    url = f"{platform.gateway_url}/api/inventory/dispense"
    lines = [{"catalogItemId": item["id"], "quantity": 1}]
    bodies = [{"locationId": location, "lines": lines, "reference": f"rx-{n}"} for n in range(DISPENSES)]
    replies = race([("POST", url, {"json": body, "headers": owner.headers}) for body in bodies])
    outcomes = Counter(
        "dispensed" if r.status_code == 200 else f"{r.status_code} {error_info(r)['reason']}" for r in replies
    )
    assert outcomes == {"dispensed": STOCK, "400 INSUFFICIENT_STOCK": DISPENSES - STOCK}
    # Every unit went out exactly once: stock is zero, and the ledger says why.
    read = _ok(gateway.get(f"/api/inventory/catalog/{item['id']}", headers=owner.headers))
    assert read["currentQuantity"] == 0
    ledger = _ok(
        gateway.get(
            "/api/inventory/transactions", params={"locationId": location, "pageSize": 100}, headers=owner.headers
        )
    )["transactions"]
    taken = [t["quantity"] for t in ledger if t["type"] == "DISPENSE"]
    assert (len(taken), sum(taken)) == (STOCK, -STOCK)
    after = calls(platform, "inventory", DISPENSE)
    served = {instance: after[instance] - before[instance] for instance in after}
    assert sum(served.values()) == DISPENSES
    assert all(count > 0 for count in served.values()), served


@pytest.mark.parametrize("service", sorted(REPLICATED))
def test_callers_inside_the_platform_reach_every_replica(platform: Platform, service: str) -> None:
    """Services call a replicated service at all its addresses (round robin), not at its first."""
    caller = service_spec("prescriptions")
    target = platform.service_env(caller)[f"PULSEONE_{service.upper()}_ADDRESS"]
    spec = service_spec(service)
    assert target == "ipv4:" + ",".join(f"127.0.0.1:{port}" for port in platform.replica_ports(spec))
