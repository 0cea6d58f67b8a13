"""Locations, owners and stock for the inventory tests, seeded as profile events would leave them."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from pulseone.inventory.v1 import inventory_pb2, resources_pb2

from services.common.event_catalogue import CATALOGUE
from services.common.outbox import encoded
from services.inventory.domain.expiry import today_in
from tests.integration.conftest import AuthHarness, InventoryHarness, bearer, forge_token, run_sql

ZONE = "Asia/Colombo"


@dataclass
class Owner:
    """A CLINIC_ADMIN or PHARMACY user and the location they own."""

    user_id: str
    token: str
    location_id: str
    zone: str

    @property
    def metadata(self) -> tuple[tuple[str, str]]:
        return bearer(self.token)


async def seed_location(
    inventory: InventoryHarness, auth: AuthHarness, role: str = "PHARMACY", zone: str = ZONE
) -> Owner:
    user_id, location_id = str(uuid.uuid4()), str(uuid.uuid4())
    kind = "CLINIC" if role == "CLINIC_ADMIN" else "PHARMACY"
    await run_sql(
        inventory.database_url,
        "INSERT INTO locations (id, kind, owner_id, name, time_zone, version)"
        " VALUES (:id, :kind, :owner, 'X', :zone, 1)",
        id=location_id,
        kind=kind,
        owner=user_id,
        zone=zone,
    )
    return Owner(user_id, forge_token(auth, user_id, role), location_id, zone)


@pytest.fixture
async def pharmacy(inventory: InventoryHarness, auth: AuthHarness) -> Owner:
    return await seed_location(inventory, auth, "PHARMACY")


@pytest.fixture
async def clinic(inventory: InventoryHarness, auth: AuthHarness) -> Owner:
    return await seed_location(inventory, auth, "CLINIC_ADMIN")


def today(inventory: InventoryHarness, zone: str = ZONE) -> date:
    return today_in(zone, inventory.clock())


def days_from_today(inventory: InventoryHarness, days: int, zone: str = ZONE) -> str:
    return (today(inventory, zone) + timedelta(days=days)).isoformat()


async def create_item(
    inventory: InventoryHarness, owner: Owner, name: str | None = None, replica: int = 0, **fields: Any
) -> resources_pb2.CatalogItem:
    item = resources_pb2.CatalogItem(
        location_id=owner.location_id,
        drug_name=name or f"Paracetamol {uuid.uuid4().hex[:6]}",
        unit_type="TABLET",
        **fields,
    )
    request = inventory_pb2.CreateCatalogItemRequest(catalog_item=item)
    created: resources_pb2.CatalogItem = await inventory.stub(replica).CreateCatalogItem(
        request, metadata=owner.metadata
    )
    return created


async def stock_in(
    inventory: InventoryHarness,
    owner: Owner,
    item_id: str,
    *,
    batch: str,
    expires_in_days: int = 100,
    quantity: int = 10,
    cost: str = "1.00",
    replica: int = 0,
    **fields: Any,
) -> inventory_pb2.StockInResponse:
    request = inventory_pb2.StockInRequest(
        catalog_item_id=item_id,
        batch_number=batch,
        expiry_date=days_from_today(inventory, expires_in_days, owner.zone),
        quantity=quantity,
        cost_price=cost,
        **fields,
    )
    response: inventory_pb2.StockInResponse = await inventory.stub(replica).StockIn(request, metadata=owner.metadata)
    return response


def dispense(
    inventory: InventoryHarness, owner: Owner, lines: list[tuple[str, int]], replica: int = 0, **fields: Any
) -> Any:
    request = inventory_pb2.DispenseStockRequest(
        location_id=owner.location_id,
        lines=[inventory_pb2.DispenseLine(catalog_item_id=item, quantity=quantity) for item, quantity in lines],
        **fields,
    )
    return inventory.stub(replica).DispenseStock(request, metadata=owner.metadata)


async def ledger_matches_batches(inventory: InventoryHarness) -> list[Any]:
    """Batches whose quantity is not the sum of their ledger lines (none, ever)."""
    return await run_sql(
        inventory.database_url,
        "SELECT b.id, b.quantity, coalesce(sum(t.quantity), 0) FROM batches b"
        " LEFT JOIN stock_transactions t ON t.batch_id = b.id"
        " GROUP BY b.id HAVING b.quantity <> coalesce(sum(t.quantity), 0)",
    )


@contextlib.contextmanager
def clock_at(inventory: InventoryHarness, instant: datetime) -> Iterator[None]:
    """Move the services' clock so that it reads `instant` now (and back afterwards)."""
    saved = inventory.clock.offset
    inventory.clock.offset = instant - datetime.now(UTC)
    try:
        yield
    finally:
        inventory.clock.offset = saved


async def outbox_events(inventory: InventoryHarness, subject: str, entity_id: str) -> list[Any]:
    """The events on `subject` about `entity_id` the service recorded, decoded as the relay sends them."""
    rows = await run_sql(
        inventory.database_url,
        "SELECT subject, payload, payload_json FROM outbox"
        " WHERE subject = :subject AND payload_json->'metadata'->>'entityId' = :entity ORDER BY seq",
        subject=subject,
        entity=entity_id,
    )
    return [CATALOGUE[subject].decode(encoded(*row)) for row in rows]
