"""Catalog items, each with its units in unexpired batches as of a given instant."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.inventory import models
from services.inventory.domain.catalog import CatalogChanges, CatalogItem, NewCatalogItem, UnitType
from services.inventory.domain.errors import DrugNameTaken
from services.inventory.store.locations import locations
from services.inventory.store.stock import Actor

items = cast(sa.Table, models.CatalogItem.__table__)
batches = cast(sa.Table, models.Batch.__table__)

NAME_INDEX = "catalog_items_drug_name"


def today_at(now: datetime) -> sa.ColumnElement[Any]:
    """The location's date at `now` (in the query, the location's zone decides)."""
    return sa.cast(sa.func.timezone(locations.c.time_zone, sa.literal(now, sa.DateTime(timezone=True))), sa.Date)


def usable_quantity(today: sa.ColumnElement[Any]) -> sa.ScalarSelect[Any]:
    """Units of the item in batches whose expiry date is after today (in the location's zone)."""
    return (
        sa.select(sa.func.coalesce(sa.func.sum(batches.c.quantity), 0))
        .where(batches.c.catalog_item_id == items.c.id, batches.c.expiry_date > today)
        .scalar_subquery()
    )


def item_query(today: sa.ColumnElement[Any]) -> sa.Select[Any]:
    """Items with their current quantity; `today` may use the joined location's zone (`today_at`)."""
    return sa.select(items, usable_quantity(today).label("current_quantity")).select_from(
        items.join(locations, locations.c.id == items.c.location_id)
    )


def item_of(row: Any) -> CatalogItem:
    return CatalogItem(
        id=row.id,
        location_id=row.location_id,
        drug_name=row.drug_name,
        generic_name=row.generic_name,
        unit_type=UnitType(row.unit_type),
        reorder_level=row.reorder_level,
        selling_price=row.selling_price,
        active=row.active,
        current_quantity=int(row.current_quantity),
        create_time=row.created_at,
        update_time=row.updated_at,
    )


def _taken(error: IntegrityError) -> bool:
    return NAME_INDEX in str(error.orig)


async def item(session: AsyncSession, item_id: uuid.UUID, now: datetime) -> CatalogItem | None:
    row = (await session.execute(item_query(today_at(now)).where(items.c.id == item_id))).first()
    return item_of(row) if row is not None else None


async def item_location(session: AsyncSession, item_id: uuid.UUID) -> uuid.UUID | None:
    """The location of an item, for the ownership check."""
    found = await session.execute(sa.select(items.c.location_id).where(items.c.id == item_id))
    return cast(uuid.UUID | None, found.scalar())


async def list_items(
    session: AsyncSession,
    location_id: uuid.UUID,
    now: datetime,
    *,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[CatalogItem]:
    """Newest first."""
    query = (
        item_query(today_at(now))
        .where(items.c.location_id == location_id)
        .order_by(items.c.created_at.desc(), items.c.id.desc())
        .limit(limit)
    )
    if after is not None:
        query = query.where(sa.tuple_(items.c.created_at, items.c.id) < sa.tuple_(*map(sa.literal, after)))
    return [item_of(row) for row in (await session.execute(query)).all()]


async def create_item(session: AsyncSession, item_id: uuid.UUID, new: NewCatalogItem, now: datetime) -> None:
    """A new item holds nothing: it starts low unless inactive (no event: it did not fall)."""
    values = {
        "id": item_id,
        "location_id": new.location_id,
        "drug_name": new.drug_name,
        "generic_name": new.generic_name,
        "unit_type": new.unit_type.value,
        "reorder_level": new.reorder_level,
        "selling_price": new.selling_price,
        "active": new.active,
        "low": new.active,
        "created_at": now,
        "updated_at": now,
    }
    try:
        await session.execute(sa.insert(items).values(**values))
    except IntegrityError as error:
        if _taken(error):
            raise DrugNameTaken(new.drug_name) from None
        raise


async def update_item(session: AsyncSession, item_id: uuid.UUID, changes: CatalogChanges, now: datetime) -> None:
    values: dict[str, object] = {
        name: value.value if isinstance(value, UnitType) else value
        for name in changes.changed
        for value in [getattr(changes, name)]
    }
    statement = (
        sa.update(items).where(items.c.id == item_id).values(**values, version=items.c.version + 1, updated_at=now)
    )
    try:
        await session.execute(statement)
    except IntegrityError as error:
        if _taken(error):
            raise DrugNameTaken(changes.drug_name) from None
        raise


async def check_level(session: AsyncSession, item_id: uuid.UUID, now: datetime, actor: Actor, subject: str) -> None:
    """The low-stock rule after a change of the reorder level or of `active` (the stock functions run
    it after every movement): publishes STOCK_LOW if the item fell to or below its level."""
    instant = sa.literal(now, sa.DateTime(timezone=True))
    level = sa.func.inventory_check_level(sa.literal(item_id), instant, actor.user_id, actor.role, actor.trace, subject)
    await session.execute(sa.select(level))
