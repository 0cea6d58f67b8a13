"""Dispensing through two running replicas: first expiry first from unexpired batches, all lines or
none, never more than there was, once per request id (SPEC 3.5; issue 9, D-C3)."""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import grpc
import pytest
from pulseone.inventory.v1 import inventory_pb2, resources_pb2

from services.common import event_catalogue as catalogue
from tests.integration.conftest import AuthHarness, InventoryHarness, run_sql
from tests.integration.inventory.conftest import (
    Owner,
    clock_at,
    create_item,
    dispense,
    ledger_matches_batches,
    outbox_events,
    seed_location,
    stock_in,
)
from tests.rpc import failure_of


async def quantities(inventory: InventoryHarness, item_id: str) -> dict[str, int]:
    rows = await run_sql(
        inventory.database_url, "SELECT batch_number, quantity FROM batches WHERE catalog_item_id = :id", id=item_id
    )
    return dict(rows)  # type: ignore[arg-type]


async def test_a_dispense_takes_first_expiry_first_and_prices_the_lines(
    inventory: InventoryHarness, pharmacy: Owner
) -> None:
    item = await create_item(inventory, pharmacy, selling_price="3.00")
    await stock_in(inventory, pharmacy, item.id, batch="LATE", expires_in_days=300, quantity=10, cost="1.50")
    await stock_in(inventory, pharmacy, item.id, batch="SOON", expires_in_days=30, quantity=4, cost="1.00")
    dispensed = await dispense(inventory, pharmacy, [(item.id, 6)], reference="rx-1")
    assert (dispensed.location_id, dispensed.reference) == (pharmacy.location_id, "rx-1")
    [line] = dispensed.lines
    assert [(b.batch_number, b.quantity, b.cost_price) for b in line.batches] == [
        ("SOON", 4, "1.00"),
        ("LATE", 2, "1.50"),
    ]
    assert (line.quantity, line.cost_total, line.selling_total) == (6, "7.00", "18.00")
    assert (dispensed.cost_total, dispensed.selling_total) == ("7.00", "18.00")
    assert await quantities(inventory, item.id) == {"SOON": 0, "LATE": 8}
    ledger = await run_sql(
        inventory.database_url,
        "SELECT type, quantity, reference, actor_id::text FROM stock_transactions WHERE catalog_item_id = :id"
        " AND type = 'DISPENSE' ORDER BY seq",
        id=item.id,
    )
    assert ledger == [("DISPENSE", -4, "rx-1", pharmacy.user_id), ("DISPENSE", -2, "rx-1", pharmacy.user_id)]
    [event] = await outbox_events(inventory, catalogue.STOCK_DISPENSED.subject, pharmacy.location_id)
    assert event.dispensed == dispensed
    assert (event.metadata.actor_id, event.metadata.actor_role) == (pharmacy.user_id, "PHARMACY")


async def test_expired_batches_are_never_dispensed(inventory: InventoryHarness, pharmacy: Owner) -> None:
    item = await create_item(inventory, pharmacy)
    await stock_in(inventory, pharmacy, item.id, batch="SOON", expires_in_days=1, quantity=5)
    await stock_in(inventory, pharmacy, item.id, batch="LATE", expires_in_days=10, quantity=5)
    inventory.clock.advance(timedelta(days=1))  # SOON expires today
    try:
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await dispense(inventory, pharmacy, [(item.id, 6)])
        assert failure_of(refused.value).metadata == {"catalogItemId": item.id, "requested": "6", "available": "5"}
        dispensed = await dispense(inventory, pharmacy, [(item.id, 5)])
    finally:
        inventory.clock.advance(timedelta(days=-1))
    assert [b.batch_number for b in dispensed.lines[0].batches] == ["LATE"]
    assert await quantities(inventory, item.id) == {"SOON": 5, "LATE": 0}


async def test_at_midnight_in_a_zone_far_from_utc_expired_stock_stops_being_dispensed(
    inventory: InventoryHarness, auth: AuthHarness
) -> None:
    """Pago Pago is 11 hours behind UTC: its midnight is UTC's late morning, its 'today' UTC's yesterday."""
    zone = "Pacific/Pago_Pago"
    owner = await seed_location(inventory, auth, zone=zone)
    item = await create_item(inventory, owner)
    day = datetime.now(ZoneInfo(zone)).date() + timedelta(days=3)
    midnight = datetime.combine(day + timedelta(days=1), time(0), ZoneInfo(zone))
    with clock_at(inventory, midnight - timedelta(hours=1)):
        await inventory.stub().StockIn(
            inventory_pb2.StockInRequest(
                catalog_item_id=item.id, batch_number="EDGE", expiry_date=(day + timedelta(days=1)).isoformat(),
                quantity=4, cost_price="1",
            ),
            metadata=owner.metadata,
        )  # fmt: skip
    with clock_at(inventory, midnight - timedelta(seconds=30)):
        assert (await dispense(inventory, owner, [(item.id, 1)])).lines[0].quantity == 1
    with clock_at(inventory, midnight + timedelta(seconds=30)):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await dispense(inventory, owner, [(item.id, 1)], replica=1)
        assert failure_of(refused.value).reason == "INSUFFICIENT_STOCK"
    assert await quantities(inventory, item.id) == {"EDGE": 3}


async def test_all_lines_or_none(inventory: InventoryHarness, pharmacy: Owner) -> None:
    first, second = await create_item(inventory, pharmacy), await create_item(inventory, pharmacy)
    await stock_in(inventory, pharmacy, first.id, batch="A", quantity=10)
    await stock_in(inventory, pharmacy, second.id, batch="B", quantity=2)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await dispense(inventory, pharmacy, [(first.id, 5), (second.id, 3)])
    failure = failure_of(refused.value)
    assert (failure.code, failure.reason, failure.metadata["catalogItemId"]) == (
        grpc.StatusCode.FAILED_PRECONDITION, "INSUFFICIENT_STOCK", second.id,
    )  # fmt: skip
    assert await quantities(inventory, first.id) == {"A": 10}
    assert await outbox_events(inventory, catalogue.STOCK_DISPENSED.subject, pharmacy.location_id) == []


async def test_an_item_of_another_location_or_no_longer_stocked_is_not_dispensed(
    inventory: InventoryHarness, auth: AuthHarness, pharmacy: Owner
) -> None:
    other = await seed_location(inventory, auth)
    elsewhere = await create_item(inventory, other)
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await dispense(inventory, pharmacy, [(elsewhere.id, 1)])
    assert (failure_of(refused.value).code, failure_of(refused.value).reason) == (
        grpc.StatusCode.NOT_FOUND, "CATALOG_ITEM_NOT_FOUND",
    )  # fmt: skip
    retired = await create_item(inventory, pharmacy, active=False)
    with pytest.raises(grpc.aio.AioRpcError) as inactive:
        await dispense(inventory, pharmacy, [(retired.id, 1)])
    assert failure_of(inactive.value).reason == "CATALOG_ITEM_INACTIVE"


async def test_a_dispense_needs_lines_of_at_least_one_unit(inventory: InventoryHarness, pharmacy: Owner) -> None:
    item = await create_item(inventory, pharmacy)
    for lines in ([], [(item.id, 0)], [(item.id, -3)]):
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await dispense(inventory, pharmacy, lines)
        assert failure_of(refused.value).reason == "VALIDATION_FAILED"


async def test_concurrent_dispenses_through_two_replicas_never_sell_more_than_there_was(
    inventory: InventoryHarness, pharmacy: Owner
) -> None:
    item = await create_item(inventory, pharmacy)
    for number, (days, units) in enumerate([(30, 20), (10, 15), (60, 15)]):
        await stock_in(inventory, pharmacy, item.id, batch=f"B{number}", expires_in_days=days, quantity=units)
    results = await asyncio.gather(
        *(dispense(inventory, pharmacy, [(item.id, 2)], replica=i % 2) for i in range(40)), return_exceptions=True
    )
    dispensed = [r for r in results if isinstance(r, resources_pb2.Dispensed)]
    refused = [r for r in results if isinstance(r, grpc.aio.AioRpcError)]
    assert (len(dispensed), len(refused)) == (25, 15)
    assert Counter(failure_of(r).reason for r in refused) == {"INSUFFICIENT_STOCK": 15}
    assert sum(b.quantity for d in dispensed for b in d.lines[0].batches) == 50
    assert await quantities(inventory, item.id) == {"B0": 0, "B1": 0, "B2": 0}
    assert await ledger_matches_batches(inventory) == []


async def test_concurrent_dispenses_of_several_items_in_any_order_all_complete(
    inventory: InventoryHarness, pharmacy: Owner
) -> None:
    """Items are locked in one order whatever the order of the lines: no deadlock, nothing oversold."""
    first, second = await create_item(inventory, pharmacy), await create_item(inventory, pharmacy)
    await stock_in(inventory, pharmacy, first.id, batch="A", quantity=30)
    await stock_in(inventory, pharmacy, second.id, batch="B", quantity=30)
    orders = [[(first.id, 1), (second.id, 1)], [(second.id, 1), (first.id, 1)]]
    results = await asyncio.gather(
        *(dispense(inventory, pharmacy, orders[i % 2], replica=(i // 2) % 2) for i in range(30)),
        return_exceptions=True,
    )
    assert all(isinstance(r, resources_pb2.Dispensed) for r in results), results
    assert await quantities(inventory, first.id) == {"A": 0}
    assert await quantities(inventory, second.id) == {"B": 0}


async def test_a_retried_dispense_returns_the_first_and_takes_nothing_more(
    inventory: InventoryHarness, pharmacy: Owner
) -> None:
    item = await create_item(inventory, pharmacy)
    await stock_in(inventory, pharmacy, item.id, batch="A", quantity=10)
    request_id = str(uuid.uuid4())
    first = await dispense(inventory, pharmacy, [(item.id, 3)], request_id=request_id, reference="rx-9")
    again = await dispense(inventory, pharmacy, [(item.id, 3)], request_id=request_id, reference="rx-9", replica=1)
    assert again == first
    another = await dispense(inventory, pharmacy, [(item.id, 4)], request_id=str(uuid.uuid4()))
    assert another.lines[0].quantity == 4
    assert await quantities(inventory, item.id) == {"A": 3}
    events = await outbox_events(inventory, catalogue.STOCK_DISPENSED.subject, pharmacy.location_id)
    assert len(events) == 2


async def test_one_request_id_dispensed_concurrently_through_both_replicas_is_dispensed_once(
    inventory: InventoryHarness, pharmacy: Owner
) -> None:
    item = await create_item(inventory, pharmacy)
    await stock_in(inventory, pharmacy, item.id, batch="A", quantity=10)
    request_id = str(uuid.uuid4())
    results = await asyncio.gather(
        *(dispense(inventory, pharmacy, [(item.id, 3)], request_id=request_id, replica=i % 2) for i in range(8))
    )
    assert all(r == results[0] for r in results)
    assert await quantities(inventory, item.id) == {"A": 7}
    assert len(await outbox_events(inventory, catalogue.STOCK_DISPENSED.subject, pharmacy.location_id)) == 1
