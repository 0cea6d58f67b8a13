"""Locations: the mirror of every clinic and pharmacy, fed by profile events."""

from __future__ import annotations

import uuid
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.common.projections import upsert_newer
from services.inventory import models
from services.inventory.domain.locations import Location, LocationKind

locations = cast(sa.Table, models.Location.__table__)

RE_READ_VERSION = 0
"""The version of a location re-read from the profile service: any event about it is newer."""


def _values(location: Location, version: int) -> dict[str, object]:
    return {
        "id": location.id,
        "kind": location.kind.value,
        "owner_id": location.owner_id,
        "name": location.name,
        "time_zone": location.time_zone,
        "currency": location.currency,
        "version": version,
    }


async def location(session: AsyncSession, location_id: uuid.UUID) -> Location | None:
    row = (await session.execute(sa.select(locations).where(locations.c.id == location_id))).first()
    if row is None:
        return None
    return Location(row.id, LocationKind(row.kind), row.owner_id, row.name, row.time_zone, row.currency)


async def mirror_location(session: AsyncSession, location: Location, version: int) -> bool:
    """Keep the location as the newest event describes it; True when this event was the newest."""
    return await upsert_newer(session, locations, ["id"], _values(location, version))


async def remember_location(session: AsyncSession, location: Location) -> None:
    """A location the profile service confirmed before its event arrived; the event will replace it."""
    statement = insert(locations).values(**_values(location, RE_READ_VERSION)).on_conflict_do_nothing()
    await session.execute(statement)
