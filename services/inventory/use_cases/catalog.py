"""Catalog use cases: create, read, list and change a location's catalog items."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.clock import Clock, utc_now
from services.common.context import Principal, request_id_var
from services.common.db import transaction
from services.common.pagination import Keyset, Page, PageTokens
from services.inventory.domain.catalog import CatalogChanges, CatalogItem, NewCatalogItem
from services.inventory.domain.errors import CatalogItemNotFound
from services.inventory.store import catalog as store
from services.inventory.store.stock import Actor, Subjects
from services.inventory.use_cases.locations import Locations

CATALOG_ITEMS = Keyset("inventory.catalog_items", (datetime, uuid.UUID))


class Catalog:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        locations: Locations,
        *,
        pages: PageTokens,
        subjects: Subjects,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._locations = locations
        self._pages = pages
        self._subjects = subjects
        self._now = clock

    async def create(self, viewer: Principal, new: NewCatalogItem) -> CatalogItem:
        await self._locations.managed(viewer, new.location_id)
        item_id = uuid.uuid4()
        now = self._now()
        async with transaction(self._sessions) as session:
            await store.create_item(session, item_id, new, now)
            return await self._item(session, item_id, now)

    async def get(self, viewer: Principal, item_id: uuid.UUID) -> CatalogItem:
        await self._locations.of_item(viewer, item_id, manage=False)
        async with self._sessions() as session:
            return await self._item(session, item_id, self._now())

    async def list(self, viewer: Principal, location_id: uuid.UUID, *, size: int, token: str) -> Page[CatalogItem]:
        await self._locations.readable(viewer, location_id)
        page = self._pages.page(CATALOG_ITEMS, size=size, token=token, filters={"locationId": location_id})
        async with self._sessions() as session:
            rows = await store.list_items(session, location_id, self._now(), after=page.after, limit=page.fetch)  # type: ignore[arg-type]
        return page.split(rows, lambda item: (item.create_time, item.id))

    async def update(self, viewer: Principal, item_id: uuid.UUID, changes: CatalogChanges) -> CatalogItem:
        """A change of the reorder level or of `active` may make the item low: the rule runs as after
        any stock movement."""
        await self._locations.of_item(viewer, item_id, manage=True)
        now = self._now()
        async with transaction(self._sessions) as session:
            if changes.changed:
                await store.update_item(session, item_id, changes, now)
                actor = Actor(viewer.user_id, viewer.role.value, request_id_var.get())
                await store.check_level(session, item_id, now, actor, self._subjects.low)
            return await self._item(session, item_id, now)

    async def _item(self, session: AsyncSession, item_id: uuid.UUID, now: datetime) -> CatalogItem:
        found = await store.item(session, item_id, now)
        if found is None:
            raise CatalogItemNotFound(item_id)
        return found
