"""Inventory over REST through the gateway (SPEC 3.5): a clinic admin and a pharmacy manage their own
stock, nobody else's; the seed's /api/inventory aliases."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

import httpx

from tests.e2e.conftest import Account, error_info, register
from tests.e2e.test_profiles import approve, clinic_of, eventually


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def post(gateway: httpx.Client, path: str, account: Account, **body: Any) -> httpx.Response:
    return gateway.post(path, json=body, headers=account.headers)


def get(gateway: httpx.Client, path: str, account: Account, **params: Any) -> httpx.Response:
    return gateway.get(path, params=params, headers=account.headers)


def pharmacy_of(gateway: httpx.Client, owner: Account) -> dict[str, Any]:
    def find() -> dict[str, Any]:
        pharmacies = _ok(get(gateway, "/api/pharmacies", owner, pageSize=200))["pharmacies"]
        mine = [p for p in pharmacies if p["ownerId"] == owner.id]
        assert mine
        return mine[0]

    return eventually(find)  # type: ignore[no-any-return]


def in_days(days: int) -> str:
    """A date `days` from now: every zone's today is within a day of this machine's."""
    return (date.today() + timedelta(days=days)).isoformat()


def test_a_pharmacy_stocks_and_dispenses_first_expiry_first(gateway: httpx.Client, admin: Account) -> None:
    owner = approve(gateway, admin, register(gateway, "PHARMACY"))
    location = pharmacy_of(gateway, owner)["id"]
    item = _ok(
        post(
            gateway, "/api/inventory/catalog", owner,
            locationId=location, drugName="Amoxicillin", unitType="CAPSULE", sellingPrice="3.00",
        )
    )  # fmt: skip
    assert (item["drugName"], item["currentQuantity"], item["active"]) == ("Amoxicillin", 0, True)
    for number, days, quantity in (("LATE", 300, 10), ("SOON", 30, 4)):
        received = _ok(
            post(
                gateway, "/api/inventory/stock/in", owner,
                catalogItemId=item["id"], batchNumber=number, expiryDate=in_days(days), quantity=quantity,
                costPrice="1.00", requestId=str(uuid.uuid4()),
            )
        )  # fmt: skip
        assert (received["batch"]["quantity"], received["transaction"]["type"]) == (quantity, "IN")
    line = {"catalogItemId": item["id"], "quantity": 6}
    dispensed = _ok(post(gateway, "/api/inventory/dispense", owner, locationId=location, lines=[line], reference="rx"))
    assert [(b["batchNumber"], b["quantity"]) for b in dispensed["lines"][0]["batches"]] == [("SOON", 4), ("LATE", 2)]
    assert (dispensed["costTotal"], dispensed["sellingTotal"]) == ("6.00", "18.00")
    ledger = _ok(get(gateway, "/api/inventory/transactions", owner, locationId=location))["transactions"]
    assert [(t["type"], t["quantity"]) for t in ledger] == [("DISPENSE", -2), ("DISPENSE", -4), ("IN", 4), ("IN", 10)]
    too_much = post(gateway, "/api/inventory/dispense", owner, locationId=location, lines=[{**line, "quantity": 9}])
    assert too_much.status_code == 400, too_much.text
    assert error_info(too_much)["reason"] == "INSUFFICIENT_STOCK"
    report = _ok(get(gateway, "/api/inventory/report", owner, locationId=location))
    assert (report["itemCount"], report["units"], report["costValue"], report["sellingValue"]) == (
        1, "8", "8.00", "24.00",
    )  # fmt: skip


def test_a_clinic_admin_manages_the_clinics_stock_through_the_seeds_aliases(
    gateway: httpx.Client, admin: Account
) -> None:
    clinic_admin = approve(gateway, admin, register(gateway, "CLINIC_ADMIN"))
    location = clinic_of(gateway, clinic_admin)["id"]
    created = _ok(
        post(
            gateway, "/api/inventory", clinic_admin,
            locationId=location, drugName="Paracetamol", unitType="TABLET", reorderLevel=20,
        )
    )  # fmt: skip
    listed = _ok(get(gateway, "/api/inventory", clinic_admin, locationId=location))["catalogItems"]
    assert [i["id"] for i in listed] == [created["id"]]
    _ok(
        post(
            gateway, "/api/inventory/stock/in", clinic_admin,
            catalogItemId=created["id"], batchNumber="P-1", expiryDate=in_days(20), quantity=12, costPrice="0.10",
        )
    )  # fmt: skip
    batches = _ok(get(gateway, f"/api/inventory/batches/clinic/{location}", clinic_admin))["batches"]
    assert [(b["batchNumber"], b["quantity"], b["expired"]) for b in batches] == [("P-1", 12, False)]
    low = _ok(get(gateway, "/api/inventory/stock/low", clinic_admin, locationId=location))["lowStockItems"]
    assert [(i["catalogItem"]["id"], i["shortage"]) for i in low] == [(created["id"], 8)]
    expiring = _ok(get(gateway, "/api/inventory/stock/expiring", clinic_admin, locationId=location))["batches"]
    assert [b["batchNumber"] for b in expiring] == ["P-1"]
    changed = _ok(
        gateway.put(f"/api/inventory/catalog/{created['id']}", json={"reorderLevel": 5}, headers=clinic_admin.headers)
    )
    assert (changed["reorderLevel"], changed["currentQuantity"]) == (5, 12)


def test_someone_elses_stock_is_forbidden_whether_or_not_it_exists(gateway: httpx.Client, admin: Account) -> None:
    owner = approve(gateway, admin, register(gateway, "PHARMACY"))
    location = pharmacy_of(gateway, owner)["id"]
    item = _ok(
        post(gateway, "/api/inventory/catalog", owner, locationId=location, drugName="Ibuprofen", unitType="TABLET")
    )
    stranger = approve(gateway, admin, register(gateway, "CLINIC_ADMIN"))
    for location_id in (location, str(uuid.uuid4())):
        listed = get(gateway, "/api/inventory/catalog", stranger, locationId=location_id)
        assert listed.status_code == 403, listed.text
        assert error_info(listed)["reason"] == "NOT_OWNER"
    for item_id in (item["id"], str(uuid.uuid4())):
        read = get(gateway, f"/api/inventory/catalog/{item_id}", stranger)
        assert read.status_code == 403, read.text
    stock_in = post(
        gateway, "/api/inventory/stock/in", stranger,
        catalogItemId=item["id"], batchNumber="X", expiryDate=in_days(30), quantity=1, costPrice="1",
    )  # fmt: skip
    assert stock_in.status_code == 403, stock_in.text
    as_patient = get(gateway, "/api/inventory/catalog", register(gateway, "PATIENT"), locationId=location)
    assert as_patient.status_code == 403
    assert error_info(as_patient)["reason"] == "ROLE_NOT_ALLOWED"
    as_admin = _ok(get(gateway, "/api/inventory/catalog", admin, locationId=location))["catalogItems"]
    assert [i["id"] for i in as_admin] == [item["id"]]
