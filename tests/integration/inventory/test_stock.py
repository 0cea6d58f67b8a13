"""Stock in, stock out and the ledger through the running service (SPEC 3.5)."""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import grpc
import pytest
from pulseone.inventory.v1 import inventory_pb2, resources_pb2

from services.common import event_catalogue as catalogue
from tests.integration.conftest import AuthHarness, InventoryHarness
from tests.integration.inventory.conftest import (
    Owner,
    clock_at,
    create_item,
    days_from_today,
    ledger_matches_batches,
    outbox_events,
    seed_location,
    stock_in,
)
from tests.rpc import failure_of

Type = resources_pb2.StockTransaction


def stock_out(
    inventory: InventoryHarness, owner: Owner, item_id: str, quantity: int, reason: str = "ADJUSTMENT", **fields: Any
) -> Any:
    request = inventory_pb2.StockOutRequest(catalog_item_id=item_id, quantity=quantity, reason=reason, **fields)
    return inventory.stub().StockOut(request, metadata=owner.metadata)


async def batches_of(inventory: InventoryHarness, owner: Owner, item_id: str) -> dict[str, int]:
    request = inventory_pb2.ListBatchesRequest(location_id=owner.location_id, catalog_item_id=item_id)
    found = await inventory.stub().ListBatches(request, metadata=owner.metadata)
    return {b.batch_number: b.quantity for b in found.batches}


async def test_stock_in_makes_a_batch_and_tops_up_the_same_one(inventory: InventoryHarness, pharmacy: Owner) -> None:
    item = await create_item(inventory, pharmacy)
    first = await stock_in(inventory, pharmacy, item.id, batch="LOT-1", quantity=10, cost="1.20", reference="INV-7")
    assert (first.batch.batch_number, first.batch.quantity, first.batch.cost_price) == ("LOT-1", 10, "1.20")
    assert (first.batch.days_to_expiry, first.batch.expired, first.batch.drug_name) == (100, False, item.drug_name)
    assert (first.transaction.type, first.transaction.quantity, first.transaction.batch_id) == (
        Type.IN, 10, first.batch.id,
    )  # fmt: skip
    assert (first.transaction.reference, first.transaction.actor_id) == ("INV-7", pharmacy.user_id)
    again = await stock_in(inventory, pharmacy, item.id, batch="LOT-1", quantity=5)
    assert (again.batch.id, again.batch.quantity, again.transaction.quantity) == (first.batch.id, 15, 5)
    assert await batches_of(inventory, pharmacy, item.id) == {"LOT-1": 15}


async def test_a_batch_number_with_another_expiry_is_refused(inventory: InventoryHarness, pharmacy: Owner) -> None:
    item = await create_item(inventory, pharmacy)
    await stock_in(inventory, pharmacy, item.id, batch="LOT-1", expires_in_days=100)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stock_in(inventory, pharmacy, item.id, batch="LOT-1", expires_in_days=200)
    failure = failure_of(refused.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.ALREADY_EXISTS, "BATCH_NUMBER_TAKEN")
    assert failure.metadata == {"batchNumber": "LOT-1", "expiryDate": days_from_today(inventory, 100)}


@pytest.mark.parametrize("days", [0, -1])
async def test_stock_expiring_today_or_earlier_is_not_received(
    inventory: InventoryHarness, pharmacy: Owner, days: int
) -> None:
    item = await create_item(inventory, pharmacy)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stock_in(inventory, pharmacy, item.id, batch="OLD", expires_in_days=days)
    failure = failure_of(refused.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "BATCH_EXPIRED")
    assert await batches_of(inventory, pharmacy, item.id) == {}


async def test_stock_out_takes_first_expiry_first_and_writes_the_reasons_type(
    inventory: InventoryHarness, pharmacy: Owner
) -> None:
    item = await create_item(inventory, pharmacy)
    await stock_in(inventory, pharmacy, item.id, batch="LATE", expires_in_days=200, quantity=10)
    await stock_in(inventory, pharmacy, item.id, batch="SOON", expires_in_days=20, quantity=4)
    taken = await stock_out(inventory, pharmacy, item.id, 6, "DAMAGED", reference="dropped")
    assert [(t.type, t.quantity) for t in taken.transactions] == [(Type.ADJUSTMENT, -4), (Type.ADJUSTMENT, -2)]
    assert taken.catalog_item.current_quantity == 8
    assert await batches_of(inventory, pharmacy, item.id) == {"SOON": 0, "LATE": 8}
    returned = await stock_out(inventory, pharmacy, item.id, 3, "RETURN_TO_SUPPLIER")
    assert [(t.type, t.quantity) for t in returned.transactions] == [(Type.RETURN, -3)]


async def test_stock_out_of_a_named_batch_and_writing_off_expired_stock(
    inventory: InventoryHarness, pharmacy: Owner
) -> None:
    item = await create_item(inventory, pharmacy)
    soon = await stock_in(inventory, pharmacy, item.id, batch="SOON", expires_in_days=2, quantity=5)
    late = await stock_in(inventory, pharmacy, item.id, batch="LATE", expires_in_days=50, quantity=5)
    named = await stock_out(inventory, pharmacy, item.id, 2, batch_id=late.batch.id)
    assert [(t.batch_id, t.quantity) for t in named.transactions] == [(late.batch.id, -2)]
    inventory.clock.advance(timedelta(days=3))
    try:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stock_out(inventory, pharmacy, item.id, 6, "EXPIRED")  # only 5 units expired
        assert failure_of(refused.value).metadata["available"] == "5"
        written_off = await stock_out(inventory, pharmacy, item.id, 5, "EXPIRED")
        assert [(t.type, t.batch_id, t.quantity) for t in written_off.transactions] == [
            (Type.EXPIRED, soon.batch.id, -5)
        ]
        assert written_off.catalog_item.current_quantity == 3
    finally:
        inventory.clock.advance(timedelta(days=-3))


async def test_taking_more_than_there_is_takes_nothing(inventory: InventoryHarness, pharmacy: Owner) -> None:
    item = await create_item(inventory, pharmacy)
    await stock_in(inventory, pharmacy, item.id, batch="A", quantity=3)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stock_out(inventory, pharmacy, item.id, 4)
    failure = failure_of(refused.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_STOCK")
    assert failure.metadata == {"catalogItemId": item.id, "requested": "4", "available": "3"}
    other_batch = str(uuid.uuid4())
    with pytest.raises(grpc.aio.AioRpcError) as missing:
        await stock_out(inventory, pharmacy, item.id, 1, batch_id=other_batch)
    assert failure_of(missing.value).reason == "BATCH_NOT_FOUND"
    assert await batches_of(inventory, pharmacy, item.id) == {"A": 3}


async def test_stock_in_and_out_are_idempotent_per_request_id(inventory: InventoryHarness, pharmacy: Owner) -> None:
    item = await create_item(inventory, pharmacy)
    request_id = str(uuid.uuid4())
    first = await stock_in(inventory, pharmacy, item.id, batch="A", quantity=10, request_id=request_id)
    again = await stock_in(inventory, pharmacy, item.id, batch="A", quantity=10, request_id=request_id, replica=1)
    assert again.transaction == first.transaction
    assert again.batch.quantity == 10
    out_id = str(uuid.uuid4())
    taken = await stock_out(inventory, pharmacy, item.id, 4, request_id=out_id)
    retried = await stock_out(inventory, pharmacy, item.id, 4, request_id=out_id)
    assert retried.transactions == taken.transactions  # type: ignore[attr-defined]
    assert await batches_of(inventory, pharmacy, item.id) == {"A": 6}
    with pytest.raises(grpc.aio.AioRpcError) as reused:
        await stock_out(inventory, pharmacy, item.id, 1, request_id=request_id)
    assert failure_of(reused.value).reason == "REQUEST_ID_REUSED"


async def test_the_ledger_lists_every_change_newest_first_with_filters(
    inventory: InventoryHarness, pharmacy: Owner
) -> None:
    item = await create_item(inventory, pharmacy)
    other = await create_item(inventory, pharmacy)
    await stock_in(inventory, pharmacy, item.id, batch="A", quantity=10)
    await stock_in(inventory, pharmacy, other.id, batch="B", quantity=10)
    await stock_out(inventory, pharmacy, item.id, 2, "DAMAGED")
    stub = inventory.stub()
    everything = await stub.ListTransactions(
        inventory_pb2.ListTransactionsRequest(location_id=pharmacy.location_id), metadata=pharmacy.metadata
    )
    assert [(t.type, t.quantity) for t in everything.transactions] == [
        (Type.ADJUSTMENT, -2),
        (Type.IN, 10),
        (Type.IN, 10),
    ]
    only_item_ins = await stub.ListTransactions(
        inventory_pb2.ListTransactionsRequest(location_id=pharmacy.location_id, catalog_item_id=item.id, type=Type.IN),
        metadata=pharmacy.metadata,
    )
    assert [(t.catalog_item_id, t.quantity) for t in only_item_ins.transactions] == [(item.id, 10)]
    first_page = await stub.ListTransactions(
        inventory_pb2.ListTransactionsRequest(location_id=pharmacy.location_id, page_size=2), metadata=pharmacy.metadata
    )
    second_page = await stub.ListTransactions(
        inventory_pb2.ListTransactionsRequest(
            location_id=pharmacy.location_id, page_size=2, page_token=first_page.next_page_token
        ),
        metadata=pharmacy.metadata,
    )
    assert [t.id for t in [*first_page.transactions, *second_page.transactions]] == [
        t.id for t in everything.transactions
    ]
    assert second_page.next_page_token == ""
    yesterday = days_from_today(inventory, -1)
    before = await stub.ListTransactions(
        inventory_pb2.ListTransactionsRequest(location_id=pharmacy.location_id, to=yesterday),
        metadata=pharmacy.metadata,
    )
    assert list(before.transactions) == []
    assert await ledger_matches_batches(inventory) == []


async def test_a_fall_below_the_reorder_level_is_published_once_per_crossing(
    inventory: InventoryHarness, pharmacy: Owner
) -> None:
    item = await create_item(inventory, pharmacy, reorder_level=5)
    await stock_in(inventory, pharmacy, item.id, batch="A", quantity=10)
    for _ in range(4):  # 8, 6, 4 (crossing), 2
        await stock_out(inventory, pharmacy, item.id, 2)
    low = await outbox_events(inventory, catalogue.STOCK_LOW.subject, item.id)
    assert [(e.catalog_item.current_quantity, e.shortage) for e in low] == [(4, 1)]
    await stock_in(inventory, pharmacy, item.id, batch="A", quantity=10)  # 12: above again
    await stock_out(inventory, pharmacy, item.id, 7)  # 5: at the level, a second crossing
    low = await outbox_events(inventory, catalogue.STOCK_LOW.subject, item.id)
    assert [(e.catalog_item.current_quantity, e.shortage) for e in low] == [(4, 1), (5, 0)]
    assert low[0].metadata.entity_version < low[1].metadata.entity_version
    assert low[1].metadata.actor_id == pharmacy.user_id
    listed = await inventory.stub().ListLowStockItems(
        inventory_pb2.ListLowStockItemsRequest(location_id=pharmacy.location_id), metadata=pharmacy.metadata
    )
    assert [(i.catalog_item.id, i.shortage) for i in listed.low_stock_items] == [(item.id, 0)]


async def test_expiry_follows_the_locations_zone_at_midnight(inventory: InventoryHarness, auth: AuthHarness) -> None:
    """Kiritimati is 14 hours ahead of UTC: there, a batch expiring 'tomorrow' expires at local midnight."""
    zone = "Pacific/Kiritimati"
    owner = await seed_location(inventory, auth, zone=zone)
    item = await create_item(inventory, owner)
    local_today = datetime.now(ZoneInfo(zone)).date() + timedelta(days=5)
    before_midnight = datetime.combine(local_today, time(23, 59, 30), ZoneInfo(zone))
    tomorrow = (local_today + timedelta(days=1)).isoformat()
    with clock_at(inventory, before_midnight):
        received = await inventory.stub().StockIn(
            inventory_pb2.StockInRequest(
                catalog_item_id=item.id, batch_number="EDGE", expiry_date=tomorrow, quantity=5, cost_price="1"
            ),
            metadata=owner.metadata,
        )
        assert (received.batch.days_to_expiry, received.batch.expired) == (1, False)
    with clock_at(inventory, before_midnight + timedelta(minutes=1)):
        found = await inventory.stub().GetCatalogItem(
            inventory_pb2.GetCatalogItemRequest(catalog_item_id=item.id), metadata=owner.metadata
        )
        assert found.current_quantity == 0
        expiring = await inventory.stub().ListExpiringBatches(
            inventory_pb2.ListExpiringBatchesRequest(location_id=owner.location_id), metadata=owner.metadata
        )
        assert [(b.batch_number, b.expired, b.days_to_expiry) for b in expiring.batches] == [("EDGE", True, 0)]
