"""Low stock, expiring stock and the report of a location (SPEC 3.5)."""

from __future__ import annotations

from datetime import timedelta

from google.protobuf import field_mask_pb2
from pulseone.inventory.v1 import inventory_pb2, resources_pb2

from services.common import event_catalogue as catalogue
from tests.integration.conftest import InventoryHarness
from tests.integration.inventory.conftest import Owner, create_item, dispense, outbox_events, stock_in


async def test_low_stock_lists_active_items_at_or_below_their_level_largest_shortage_first(
    inventory: InventoryHarness, clinic: Owner
) -> None:
    short = await create_item(inventory, clinic, reorder_level=10)
    at_level = await create_item(inventory, clinic, reorder_level=4)
    plenty = await create_item(inventory, clinic, reorder_level=2)
    retired = await create_item(inventory, clinic, reorder_level=50, active=False)
    await stock_in(inventory, clinic, short.id, batch="A", quantity=3)
    await stock_in(inventory, clinic, short.id, batch="OLD", quantity=30, expires_in_days=1)
    await stock_in(inventory, clinic, at_level.id, batch="B", quantity=4)
    await stock_in(inventory, clinic, plenty.id, batch="C", quantity=9)
    inventory.clock.advance(timedelta(days=1))  # OLD expires: it no longer counts
    try:
        listed = await inventory.stub().ListLowStockItems(
            inventory_pb2.ListLowStockItemsRequest(location_id=clinic.location_id), metadata=clinic.metadata
        )
    finally:
        inventory.clock.advance(timedelta(days=-1))
    assert [(i.catalog_item.id, i.catalog_item.current_quantity, i.shortage) for i in listed.low_stock_items] == [
        (short.id, 3, 7),
        (at_level.id, 4, 0),
    ]
    assert retired.id not in {i.catalog_item.id for i in listed.low_stock_items}


async def test_expiring_lists_stock_within_the_window_flags_the_expired_and_leaves_out_the_empty(
    inventory: InventoryHarness, clinic: Owner
) -> None:
    item = await create_item(inventory, clinic)
    await stock_in(inventory, clinic, item.id, batch="GONE", quantity=5, expires_in_days=1)
    await stock_in(inventory, clinic, item.id, batch="SOON", quantity=5, expires_in_days=10)
    await stock_in(inventory, clinic, item.id, batch="EMPTY", quantity=5, expires_in_days=5)
    await stock_in(inventory, clinic, item.id, batch="FAR", quantity=5, expires_in_days=40)
    await inventory.stub().StockOut(
        inventory_pb2.StockOutRequest(
            catalog_item_id=item.id, quantity=5, reason="ADJUSTMENT", batch_id=await _batch(inventory, clinic, "EMPTY")
        ),
        metadata=clinic.metadata,
    )
    inventory.clock.advance(timedelta(days=2))
    try:
        default = await inventory.stub().ListExpiringBatches(
            inventory_pb2.ListExpiringBatchesRequest(location_id=clinic.location_id), metadata=clinic.metadata
        )
        wide = await inventory.stub().ListExpiringBatches(
            inventory_pb2.ListExpiringBatchesRequest(location_id=clinic.location_id, days=60), metadata=clinic.metadata
        )
    finally:
        inventory.clock.advance(timedelta(days=-2))
    assert [(b.batch_number, b.expired, b.days_to_expiry) for b in default.batches] == [
        ("GONE", True, -1),
        ("SOON", False, 8),
    ]
    assert [b.batch_number for b in wide.batches] == ["GONE", "SOON", "FAR"]


async def _batch(inventory: InventoryHarness, owner: Owner, number: str) -> str:
    found = await inventory.stub().ListBatches(
        inventory_pb2.ListBatchesRequest(location_id=owner.location_id), metadata=owner.metadata
    )
    return next(b.id for b in found.batches if b.batch_number == number)


async def test_the_report_values_unexpired_stock(inventory: InventoryHarness, clinic: Owner) -> None:
    first = await create_item(inventory, clinic, reorder_level=5, selling_price="2.00")
    second = await create_item(inventory, clinic, reorder_level=100)
    await create_item(inventory, clinic, active=False)
    await stock_in(inventory, clinic, first.id, batch="A", quantity=10, cost="1.25", expires_in_days=20)
    await stock_in(inventory, clinic, first.id, batch="OLD", quantity=7, cost="9.99", expires_in_days=1)
    await stock_in(inventory, clinic, second.id, batch="B", quantity=4, cost="0.50", expires_in_days=90)
    inventory.clock.advance(timedelta(days=1))
    try:
        report = await inventory.stub().GetInventoryReport(
            inventory_pb2.GetInventoryReportRequest(location_id=clinic.location_id), metadata=clinic.metadata
        )
    finally:
        inventory.clock.advance(timedelta(days=-1))
    assert report == resources_pb2.InventoryReport(
        location_id=clinic.location_id,
        item_count=2,
        units=14,
        cost_value="14.50",
        selling_value="20.00",
        low_stock_count=1,
        expiring_count=1,
        expired_units=7,
    )


async def test_raising_the_reorder_level_above_the_stock_is_a_crossing_too(
    inventory: InventoryHarness, clinic: Owner
) -> None:
    item = await create_item(inventory, clinic, reorder_level=2)
    await stock_in(inventory, clinic, item.id, batch="A", quantity=6)
    await dispense(inventory, clinic, [(item.id, 1)])
    assert await outbox_events(inventory, catalogue.STOCK_LOW.subject, item.id) == []
    await inventory.stub().UpdateCatalogItem(
        inventory_pb2.UpdateCatalogItemRequest(
            catalog_item_id=item.id,
            catalog_item=resources_pb2.CatalogItem(reorder_level=8),
            update_mask=field_mask_pb2.FieldMask(),
        ),
        metadata=clinic.metadata,
    )
    [event] = await outbox_events(inventory, catalogue.STOCK_LOW.subject, item.id)
    assert (event.catalog_item.current_quantity, event.catalog_item.reorder_level, event.shortage) == (5, 8, 3)
