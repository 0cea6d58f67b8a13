"""Reads over a location's stock: batches, the ledger, low and expiring stock, the report."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession

from services.inventory import models
from services.inventory.domain.batches import Batch
from services.inventory.domain.catalog import CatalogItem
from services.inventory.domain.ledger import StockTransaction, TransactionType
from services.inventory.domain.reports import DEFAULT_EXPIRY_WINDOW_DAYS, InventoryReport
from services.inventory.store.catalog import batches, item_of, item_query, items, usable_quantity

transactions = cast(sa.Table, models.StockTransaction.__table__)
CENTS = Decimal("0.01")


@dataclass(frozen=True)
class LedgerFilter:
    """Which lines of a location's ledger to list."""

    location_id: uuid.UUID
    catalog_item_id: uuid.UUID | None
    type: TransactionType | None
    since: datetime | None
    until: datetime | None
    """Exclusive."""


def batch_of(row: Any, today: date) -> Batch:
    return Batch(
        id=row.id,
        catalog_item_id=row.catalog_item_id,
        location_id=row.location_id,
        batch_number=row.batch_number,
        expiry_date=row.expiry_date,
        quantity=row.quantity,
        cost_price=row.cost_price,
        received_at=row.received_at,
        drug_name=row.drug_name,
        today=today,
    )


def batch_query() -> sa.Select[Any]:
    return sa.select(batches, items.c.drug_name).select_from(
        batches.join(items, items.c.id == batches.c.catalog_item_id)
    )


async def list_batches(
    session: AsyncSession,
    location_id: uuid.UUID,
    catalog_item_id: uuid.UUID | None,
    today: date,
    *,
    after: tuple[date, uuid.UUID] | None,
    limit: int,
) -> list[Batch]:
    """First expiry first."""
    query = (
        batch_query()
        .where(batches.c.location_id == location_id)
        .order_by(batches.c.expiry_date, batches.c.id)
        .limit(limit)
    )
    if catalog_item_id is not None:
        query = query.where(batches.c.catalog_item_id == catalog_item_id)
    if after is not None:
        query = query.where(sa.tuple_(batches.c.expiry_date, batches.c.id) > sa.tuple_(*map(sa.literal, after)))
    return [batch_of(row, today) for row in (await session.execute(query)).all()]


async def expiring_batches(session: AsyncSession, location_id: uuid.UUID, today: date, days: int) -> list[Batch]:
    """Batches holding stock that expire within `days` of today, the expired ones included."""
    query = (
        batch_query()
        .where(
            batches.c.location_id == location_id,
            batches.c.quantity > 0,
            batches.c.expiry_date <= today + timedelta(days=days),
        )
        .order_by(batches.c.expiry_date, batches.c.id)
    )
    return [batch_of(row, today) for row in (await session.execute(query)).all()]


async def low_stock(session: AsyncSession, location_id: uuid.UUID, today: date) -> list[CatalogItem]:
    """Active items at or below their reorder level, largest shortage first."""
    quantity = usable_quantity(sa.literal(today, sa.Date))
    query = (
        item_query(sa.literal(today, sa.Date))
        .where(items.c.location_id == location_id, items.c.active, quantity <= items.c.reorder_level)
        .order_by((items.c.reorder_level - quantity).desc(), items.c.drug_name, items.c.id)
    )
    return [item_of(row) for row in (await session.execute(query)).all()]


def transaction_of(row: Any) -> StockTransaction:
    return StockTransaction(
        id=row.id,
        type=TransactionType(row.type),
        quantity=row.quantity,
        batch_id=row.batch_id,
        catalog_item_id=row.catalog_item_id,
        location_id=row.location_id,
        reference=row.reference,
        actor_id=row.actor_id,
        time=row.created_at,
        seq=row.seq,
    )


async def ledger(
    session: AsyncSession, chosen: LedgerFilter, *, after: tuple[int] | None, limit: int
) -> list[StockTransaction]:
    """Newest first."""
    query = (
        sa.select(transactions)
        .where(transactions.c.location_id == chosen.location_id)
        .order_by(transactions.c.seq.desc())
        .limit(limit)
    )
    if chosen.catalog_item_id is not None:
        query = query.where(transactions.c.catalog_item_id == chosen.catalog_item_id)
    if chosen.type is not None:
        query = query.where(transactions.c.type == chosen.type.value)
    if chosen.since is not None:
        query = query.where(transactions.c.created_at >= chosen.since)
    if chosen.until is not None:
        query = query.where(transactions.c.created_at < chosen.until)
    if after is not None:
        query = query.where(transactions.c.seq < after[0])
    return [transaction_of(row) for row in (await session.execute(query)).all()]


async def report(session: AsyncSession, location_id: uuid.UUID, today: date) -> InventoryReport:
    """Units and values over unexpired stock; expired units apart."""
    usable = batches.c.expiry_date > today
    price = sa.func.coalesce(items.c.selling_price, 0)
    stock = (
        sa.select(
            sa.func.coalesce(sa.func.sum(batches.c.quantity).filter(usable), 0).label("units"),
            sa.func.coalesce(sa.func.sum(batches.c.quantity * batches.c.cost_price).filter(usable), 0).label("cost"),
            sa.func.coalesce(sa.func.sum(batches.c.quantity * price).filter(usable), 0).label("selling"),
            sa.func.coalesce(sa.func.sum(batches.c.quantity).filter(sa.not_(usable)), 0).label("expired_units"),
            sa.func.count()
            .filter(
                usable,
                batches.c.quantity > 0,
                batches.c.expiry_date <= today + timedelta(days=DEFAULT_EXPIRY_WINDOW_DAYS),
            )
            .label("expiring"),
        )
        .select_from(batches.join(items, items.c.id == batches.c.catalog_item_id))
        .where(batches.c.location_id == location_id)
    )
    found = (await session.execute(stock)).one()
    quantity = usable_quantity(sa.literal(today, sa.Date))
    counts = (
        await session.execute(
            sa.select(
                sa.func.count().filter(items.c.active).label("items"),
                sa.func.count().filter(items.c.active, quantity <= items.c.reorder_level).label("low"),
            ).where(items.c.location_id == location_id)
        )
    ).one()
    return InventoryReport(
        location_id=location_id,
        item_count=counts.items,
        units=int(found.units),
        cost_value=Decimal(found.cost).quantize(CENTS),
        selling_value=Decimal(found.selling).quantize(CENTS),
        low_stock_count=counts.low,
        expiring_count=found.expiring,
        expired_units=int(found.expired_units),
    )
