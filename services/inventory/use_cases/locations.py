"""Whose stock a caller reaches: a location's owner manages and reads it, a SYSTEM_ADMIN reads every
one. The mirror of locations may lag the profile service (the clinic was created a moment ago, its
event is on its way), so a location missing here, or held by someone else here, is re-read from the
profile service before a request is refused (DESIGN 6)."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.context import Principal
from services.common.db import transaction
from services.common.errors import NotYours
from services.inventory.domain.errors import CatalogItemNotFound, LocationNotFound
from services.inventory.domain.locations import KIND_OF_OWNER, Location, LocationKind, owns, reads_every_location
from services.inventory.store import catalog as catalog_store
from services.inventory.store import locations as store

LocationSource = Callable[[LocationKind, uuid.UUID], Awaitable[Location | None]]
"""The profile service's answer about a clinic or pharmacy (asked on the caller's behalf), None when
it has none or cannot say."""


class Locations:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], source: LocationSource) -> None:
        self._sessions = sessions
        self._source = source

    async def readable(self, viewer: Principal, location_id: uuid.UUID) -> Location:
        """A location the viewer may read: their own, or any for a SYSTEM_ADMIN."""
        if reads_every_location(viewer):
            return await self._any(location_id)
        return await self.managed(viewer, location_id)

    async def managed(self, viewer: Principal, location_id: uuid.UUID) -> Location:
        """The viewer's own location; anyone else's, existing or not, is NOT_OWNER."""
        async with self._sessions() as session:
            found = await store.location(session, location_id)
        if found is not None and owns(viewer, found):
            return found
        kind = KIND_OF_OWNER.get(viewer.role)
        fresh = await self._source(kind, location_id) if kind is not None else None
        if fresh is None or not owns(viewer, fresh):
            raise NotYours()
        await self._remember(fresh)
        return fresh

    async def of_item(self, viewer: Principal, item_id: uuid.UUID, *, manage: bool) -> Location:
        """The location of a catalog item the viewer may reach. An unknown item is someone else's to
        an owner (ids cannot be probed) and not found to a SYSTEM_ADMIN."""
        async with self._sessions() as session:
            location_id = await catalog_store.item_location(session, item_id)
        if location_id is None:
            if reads_every_location(viewer) and not manage:
                raise CatalogItemNotFound(item_id)
            raise NotYours()
        return await (self.managed(viewer, location_id) if manage else self.readable(viewer, location_id))

    async def _any(self, location_id: uuid.UUID) -> Location:
        async with self._sessions() as session:
            found = await store.location(session, location_id)
        if found is not None:
            return found
        for kind in LocationKind:
            fresh = await self._source(kind, location_id)
            if fresh is not None:
                await self._remember(fresh)
                return fresh
        raise LocationNotFound(location_id)

    async def _remember(self, location: Location) -> None:
        async with transaction(self._sessions) as session:
            await store.remember_location(session, location)
