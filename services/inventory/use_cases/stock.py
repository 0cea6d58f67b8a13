"""Stock use cases: receive, take out and dispense. Each is one call of its stock function with the
ownership check inside; only when that check fails is the location re-read (it may lag) and the call
repeated with the ownership settled, so the usual request costs one round trip."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncEngine

from services.common.clock import Clock, utc_now
from services.common.context import Principal, request_id_var
from services.common.errors import NotYours
from services.inventory.domain.batches import Batch, StockIn, StockOut
from services.inventory.domain.catalog import CatalogItem
from services.inventory.domain.dispensing import Dispensation, Dispense
from services.inventory.domain.ledger import StockTransaction
from services.inventory.store import stock as store
from services.inventory.store.stock import Actor, Subjects
from services.inventory.use_cases.locations import Locations

T = TypeVar("T")


class Stock:
    def __init__(
        self, engine: AsyncEngine, locations: Locations, *, subjects: Subjects, clock: Clock = utc_now
    ) -> None:
        self._engine = engine
        self._locations = locations
        self._subjects = subjects
        self._now = clock

    async def stock_in(self, viewer: Principal, request: StockIn) -> tuple[Batch, StockTransaction]:
        async def move(owner: uuid.UUID | None) -> tuple[Batch, StockTransaction]:
            return await store.stock_in(
                self._engine, request, owner=owner, actor=_actor(viewer), now=self._now(), subjects=self._subjects
            )

        return await _owned(viewer, move, lambda: self._locations.of_item(viewer, request.catalog_item_id, manage=True))

    async def stock_out(self, viewer: Principal, request: StockOut) -> tuple[CatalogItem, list[StockTransaction]]:
        async def move(owner: uuid.UUID | None) -> tuple[CatalogItem, list[StockTransaction]]:
            return await store.stock_out(
                self._engine, request, owner=owner, actor=_actor(viewer), now=self._now(), subjects=self._subjects
            )

        return await _owned(viewer, move, lambda: self._locations.of_item(viewer, request.catalog_item_id, manage=True))

    async def dispense(self, viewer: Principal, request: Dispense) -> Dispensation:
        async def move(owner: uuid.UUID | None) -> Dispensation:
            return await store.dispense(
                self._engine, request, owner=owner, actor=_actor(viewer), now=self._now(), subjects=self._subjects
            )

        return await _owned(viewer, move, lambda: self._locations.managed(viewer, request.location_id))


async def _owned(
    viewer: Principal, move: Callable[[uuid.UUID | None], Awaitable[T]], settle: Callable[[], Awaitable[object]]
) -> T:
    """The move with the stock function's own ownership check (the viewer must own the location); if
    that refuses, the lagging-location check (which refuses for good, or confirms), then the move
    again with the ownership settled."""
    try:
        return await move(viewer.user_id)
    except NotYours:
        await settle()
    return await move(None)


def _actor(viewer: Principal) -> Actor:
    return Actor(viewer.user_id, viewer.role.value, request_id_var.get())
