"""What a stock function costs in round trips to PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from services.common.db import create_engine
from services.inventory.domain.batches import StockIn
from services.inventory.events import PUBLISHED
from services.inventory.store import stock
from tests.integration.conftest import InventoryHarness, round_trips
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
