"""What a stock function costs in round trips to PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from opentelemetry.sdk.trace import TracerProvider

from services.common import tracing
from services.common.db import create_engine
from services.inventory.domain.batches import StockIn, StockOut
from services.inventory.domain.ledger import StockOutReason
from services.inventory.events import PUBLISHED
from services.inventory.store import stock
from tests.integration.conftest import InventoryHarness, round_trips, run_sql
from tests.integration.inventory.conftest import Owner, create_item, today


async def test_receiving_stock_is_one_round_trip(inventory: InventoryHarness, pharmacy: Owner) -> None:
    """The function checks, writes the batch, the ledger line and its events by itself: no BEGIN
    and no COMMIT around it."""
    item = await create_item(inventory, pharmacy)
    engine = create_engine(inventory.database_url, 1)
    actor = stock.Actor(uuid.UUID(pharmacy.user_id), "PHARMACY", "round-trips")

    async def receive(batch: str) -> None:
        request = StockIn(
            uuid.UUID(item.id), batch, today(inventory) + timedelta(days=90), 5, Decimal("1.00"), "", None
        )
        await stock.stock_in(engine, request, owner=None, actor=actor, now=inventory.clock(), subjects=PUBLISHED)

    try:
        await receive("WARM")  # a new connection's first use also asks the server what it is
        with round_trips(engine) as counted:
            await receive("COUNTED")
    finally:
        await engine.dispose()
    assert counted == [1]


async def test_taking_stock_out_while_traced_is_still_one_round_trip_and_its_event_carries_the_trace(
    inventory: InventoryHarness, pharmacy: Owner
) -> None:
    """The stock function's traced overload takes the context as a parameter: no statement more, and
    the low-stock event it writes carries the call's trace."""
    item = await create_item(inventory, pharmacy, reorder_level=100)
    engine = create_engine(inventory.database_url, 1)
    actor = stock.Actor(uuid.UUID(pharmacy.user_id), "PHARMACY", "round-trips")
    received = StockIn(uuid.UUID(item.id), "B1", today(inventory) + timedelta(days=90), 150, Decimal("1.00"), "", None)
    taken = StockOut(uuid.UUID(item.id), 60, StockOutReason.DAMAGED, None, "", None)  # 90 left: low
    provider = TracerProvider()
    tracing.install(provider)
    try:
        # Above the reorder level (no event), and a new connection's first use asks what the server is.
        await stock.stock_in(engine, received, owner=None, actor=actor, now=inventory.clock(), subjects=PUBLISHED)
        with round_trips(engine) as counted, tracing.tracer().start_as_current_span("RecordStockOut") as call:
            await stock.stock_out(engine, taken, owner=None, actor=actor, now=inventory.clock(), subjects=PUBLISHED)
    finally:
        tracing.install(None)
        await engine.dispose()
    assert counted == [1]
    rows = await run_sql(
        inventory.database_url,
        "SELECT trace_context->>'traceparent' FROM outbox WHERE subject = :subject"
        " AND payload_json->'catalogItem'->>'id' = :item",
        subject=PUBLISHED.low,
        item=item.id,
    )
    assert [row[0].split("-")[1] for row in rows] == [format(call.get_span_context().trace_id, "032x")]
