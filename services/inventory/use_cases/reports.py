"""Report use cases: a location's batches, ledger, low and expiring stock, and its totals."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.clock import Clock, utc_now
from services.common.context import Principal
from services.common.pagination import Keyset, Page, PageTokens
from services.inventory.domain.batches import Batch
from services.inventory.domain.catalog import CatalogItem
from services.inventory.domain.expiry import end_of, start_of, today_in
from services.inventory.domain.ledger import StockTransaction, TransactionType
from services.inventory.domain.locations import Location
from services.inventory.domain.reports import InventoryReport, expiry_window
from services.inventory.store import reports as store
from services.inventory.store.reports import LedgerFilter
from services.inventory.use_cases.locations import Locations

BATCHES = Keyset("inventory.batches", (date, uuid.UUID))
TRANSACTIONS = Keyset("inventory.transactions", (int,))


class Reports:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        locations: Locations,
        *,
        pages: PageTokens,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._locations = locations
        self._pages = pages
        self._now = clock

    def _today(self, location: Location) -> date:
        return today_in(location.time_zone, self._now())

    async def batches(
        self, viewer: Principal, location_id: uuid.UUID, item_id: uuid.UUID | None, *, size: int, token: str
    ) -> Page[Batch]:
        location = await self._locations.readable(viewer, location_id)
        filters = {"locationId": location_id, "catalogItemId": item_id or ""}
        page = self._pages.page(BATCHES, size=size, token=token, filters=filters)
        async with self._sessions() as session:
            rows = await store.list_batches(
                session,
                location_id,
                item_id,
                self._today(location),
                after=page.after,
                limit=page.fetch,  # type: ignore[arg-type]
            )
        return page.split(rows, lambda batch: (batch.expiry_date, batch.id))

    async def low_stock(self, viewer: Principal, location_id: uuid.UUID) -> list[CatalogItem]:
        location = await self._locations.readable(viewer, location_id)
        async with self._sessions() as session:
            return await store.low_stock(session, location_id, self._today(location))

    async def expiring(self, viewer: Principal, location_id: uuid.UUID, days: int) -> list[Batch]:
        window = expiry_window(days)
        location = await self._locations.readable(viewer, location_id)
        async with self._sessions() as session:
            return await store.expiring_batches(session, location_id, self._today(location), window)

    async def ledger(
        self,
        viewer: Principal,
        location_id: uuid.UUID,
        *,
        item_id: uuid.UUID | None,
        transaction_type: TransactionType | None,
        first: date | None,
        last: date | None,
        size: int,
        token: str,
    ) -> Page[StockTransaction]:
        """`first` and `last` are local dates of the location, both included."""
        location = await self._locations.readable(viewer, location_id)
        zone = location.time_zone
        chosen = LedgerFilter(
            location_id=location_id,
            catalog_item_id=item_id,
            type=transaction_type,
            since=start_of(first, zone) if first else None,
            until=end_of(last, zone) if last else None,
        )
        filters = {
            "locationId": location_id,
            "catalogItemId": item_id or "",
            "type": transaction_type or "",
            "from": first or "",
            "to": last or "",
        }
        page = self._pages.page(TRANSACTIONS, size=size, token=token, filters=filters)
        async with self._sessions() as session:
            rows = await store.ledger(session, chosen, after=page.after, limit=page.fetch)  # type: ignore[arg-type]
        return page.split(rows, lambda transaction: (transaction.seq,))

    async def report(self, viewer: Principal, location_id: uuid.UUID) -> InventoryReport:
        location = await self._locations.readable(viewer, location_id)
        async with self._sessions() as session:
            return await store.report(session, location_id, self._today(location))
