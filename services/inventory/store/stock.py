"""The stock movements: stock in, stock out and dispense, each ONE call of its PL/pgSQL function through
psycopg (lock, pick first expiry first, write the ledger and the outbox, return what was done), and
the translation of the functions' refusals into named domain errors."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.types.json import Jsonb
from sqlalchemy.ext.asyncio import AsyncEngine

from services.common import tracing
from services.common.db import Autocommit, run_to_completion
from services.common.errors import DomainError, NotYours
from services.common.outbox import nudge_relays
from services.inventory.domain.batches import Batch, StockIn, StockOut
from services.inventory.domain.catalog import CatalogItem, UnitType
from services.inventory.domain.dispensing import BatchUse, Dispensation, Dispense, DispensedLine
from services.inventory.domain.errors import (
    BatchExpired,
    BatchNotFound,
    BatchNumberTaken,
    CatalogItemInactive,
    CatalogItemNotFound,
    InsufficientStock,
    QuantityLimit,
    RequestIdReused,
)
from services.inventory.domain.ledger import StockTransaction, TransactionType, takes_expired_stock, type_for

REFUSED = "PI000"
"""The SQLSTATE of the stock functions' refusals: the reason is the message, its metadata the detail."""
QUANTITY_LIMIT = "batches_quantity_limit"


@dataclass(frozen=True)
class Actor:
    """Who moves the stock, for the ledger and the events' metadata."""

    user_id: uuid.UUID
    role: str
    trace: str
    """The request id of the call, for tracing events."""


@dataclass(frozen=True)
class Subjects:
    """The subjects the stock functions publish on (from the event catalogue)."""

    dispensed: str
    low: str


def _id(value: str) -> uuid.UUID:
    return uuid.UUID(value)


REFUSALS: dict[str, Callable[[Mapping[str, str]], DomainError]] = {
    "NOT_OWNER": lambda m: NotYours(),
    "CATALOG_ITEM_NOT_FOUND": lambda m: CatalogItemNotFound(_id(m["catalogItemId"])),
    "CATALOG_ITEM_INACTIVE": lambda m: CatalogItemInactive(_id(m["catalogItemId"])),
    "BATCH_NOT_FOUND": lambda m: BatchNotFound(_id(m["batchId"])),
    "BATCH_EXPIRED": lambda m: BatchExpired(date.fromisoformat(m["expiryDate"]), date.fromisoformat(m["today"])),
    "BATCH_NUMBER_TAKEN": lambda m: BatchNumberTaken(m["batchNumber"], date.fromisoformat(m["expiryDate"])),
    "INSUFFICIENT_STOCK": lambda m: InsufficientStock(
        _id(m["catalogItemId"]), int(m["requested"]), int(m["available"])
    ),
    "REQUEST_ID_REUSED": lambda m: RequestIdReused(_id(m["requestId"])),
}


def refusal(error: psycopg.Error) -> DomainError | None:
    """The named domain error a stock function raised, or None when it is no refusal of ours."""
    if error.sqlstate == REFUSED:
        reason = error.diag.message_primary or ""
        return REFUSALS[reason](json.loads(error.diag.message_detail or "{}"))
    if isinstance(error, psycopg.errors.CheckViolation) and error.diag.constraint_name == QUANTITY_LIMIT:
        return QuantityLimit()
    return None


@functools.cache
def _autocommit(engine: AsyncEngine) -> Autocommit:
    return Autocommit(engine)


def _traced(statement: str, arguments: tuple[Any, ...]) -> tuple[str, tuple[Any, ...]]:
    """The call as it is made while tracing: the function's overload that takes the trace context
    the events it writes carry (the current call's: the events it records are its children)."""
    context = tracing.current_context()
    if context is None:
        return statement, arguments
    return statement.removesuffix(")") + ", %s::jsonb)", (*arguments, Jsonb(context))


async def _call(engine: AsyncEngine, statement: str, arguments: tuple[Any, ...]) -> Any:
    statement, arguments = _traced(statement, arguments)

    async def run() -> Any:
        # One statement, a transaction of its own: no BEGIN and COMMIT around it.
        async with _autocommit(engine).connection() as connection:
            cursor = await connection.execute(statement, arguments)  # type: ignore[arg-type]
            row = await cursor.fetchone()
            assert row is not None
            return row[0]

    nudge_relays()  # every stock function records an event
    try:
        return await run_to_completion(run())
    except psycopg.Error as error:
        refused = refusal(error)
        if refused is not None:
            raise refused from None
        raise


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


def batch_of(found: Mapping[str, Any]) -> Batch:
    return Batch(
        id=_id(found["id"]),
        catalog_item_id=_id(found["catalogItemId"]),
        location_id=_id(found["locationId"]),
        batch_number=found["batchNumber"],
        expiry_date=date.fromisoformat(found["expiryDate"]),
        quantity=int(found["quantity"]),
        cost_price=Decimal(found["costPrice"]),
        received_at=_instant(found["receivedAt"]),
        drug_name=found["drugName"],
        today=date.fromisoformat(found["today"]),
    )


def transaction_of(found: Mapping[str, Any]) -> StockTransaction:
    return StockTransaction(
        id=_id(found["id"]),
        type=TransactionType(found["type"]),
        quantity=int(found["quantity"]),
        batch_id=_id(found["batchId"]),
        catalog_item_id=_id(found["catalogItemId"]),
        location_id=_id(found["locationId"]),
        reference=found["reference"],
        actor_id=_id(found["actorId"]) if found.get("actorId") else None,
        time=_instant(found["time"]),
        seq=int(found["seq"]),
    )


def item_of(found: Mapping[str, Any]) -> CatalogItem:
    """An item in the proto3 JSON the functions write (absent optional fields left out)."""
    price = found.get("sellingPrice")
    return CatalogItem(
        id=_id(found["id"]),
        location_id=_id(found["locationId"]),
        drug_name=found["drugName"],
        generic_name=found.get("genericName"),
        unit_type=UnitType(found["unitType"]),
        reorder_level=int(found["reorderLevel"]),
        selling_price=Decimal(price) if price is not None else None,
        active=bool(found["active"]),
        current_quantity=int(found["currentQuantity"]),
        create_time=_instant(found["createTime"]),
        update_time=_instant(found["updateTime"]),
    )


def dispensation_of(found: Mapping[str, Any]) -> Dispensation:
    """A dispense in the proto3 JSON of pulseone.inventory.v1.Dispensed."""
    lines = tuple(
        DispensedLine(
            catalog_item_id=_id(line["catalogItemId"]),
            quantity=int(line["quantity"]),
            batches=tuple(
                BatchUse(
                    batch_id=_id(use["batchId"]),
                    batch_number=use["batchNumber"],
                    expiry_date=date.fromisoformat(use["expiryDate"]),
                    quantity=int(use["quantity"]),
                    cost_price=Decimal(use["costPrice"]),
                )
                for use in line["batches"]
            ),
            cost_total=Decimal(line["costTotal"]),
            selling_total=Decimal(line["sellingTotal"]),
        )
        for line in found["lines"]
    )
    return Dispensation(
        location_id=_id(found["locationId"]),
        reference=found["reference"],
        lines=lines,
        cost_total=Decimal(found["costTotal"]),
        selling_total=Decimal(found["sellingTotal"]),
    )


# Typed placeholders: one plan per statement, whatever Python types the values arrive as.
STOCK_IN = (
    "SELECT inventory_stock_in(%s::uuid, %s::uuid, %s::text, %s::date, %s::int, %s::numeric, %s::text, %s::uuid,"
    " %s::uuid, %s::text, %s::text, %s::timestamptz, %s::text)"
)
STOCK_OUT = (
    "SELECT inventory_stock_out(%s::uuid, %s::uuid, %s::int, %s::text, %s::boolean, %s::uuid, %s::text, %s::uuid,"
    " %s::uuid, %s::text, %s::text, %s::timestamptz, %s::text)"
)
DISPENSE = (
    "SELECT inventory_dispense(%s::uuid, %s::uuid, %s::uuid[], %s::int[], %s::text, %s::uuid, %s::uuid, %s::text,"
    " %s::text, %s::timestamptz, %s::text, %s::text)"
)


async def stock_in(
    engine: AsyncEngine,
    request: StockIn,
    *,
    owner: uuid.UUID | None,
    actor: Actor,
    now: datetime,
    subjects: Subjects,
) -> tuple[Batch, StockTransaction]:
    """Receive units into a new batch or top one up; `owner` None: ownership already checked."""
    found = await _call(
        engine,
        STOCK_IN,
        (
            request.catalog_item_id, owner, request.batch_number, request.expiry_date, request.quantity,
            request.cost_price, request.reference, request.request_id, actor.user_id, actor.role, actor.trace, now,
            subjects.low,
        ),
    )  # fmt: skip
    return batch_of(found["batch"]), transaction_of(found["transactions"][0])


async def stock_out(
    engine: AsyncEngine,
    request: StockOut,
    *,
    owner: uuid.UUID | None,
    actor: Actor,
    now: datetime,
    subjects: Subjects,
) -> tuple[CatalogItem, list[StockTransaction]]:
    """Take units out of a named batch or first expiry first; returns the item after and the lines."""
    found = await _call(
        engine,
        STOCK_OUT,
        (
            request.catalog_item_id, owner, request.quantity, type_for(request.reason).value,
            takes_expired_stock(request.reason), request.batch_id, request.reference, request.request_id,
            actor.user_id, actor.role, actor.trace, now, subjects.low,
        ),
    )  # fmt: skip
    return item_of(found["catalogItem"]), [transaction_of(t) for t in found["transactions"]]


async def dispense(
    engine: AsyncEngine,
    request: Dispense,
    *,
    owner: uuid.UUID | None,
    actor: Actor,
    now: datetime,
    subjects: Subjects,
) -> Dispensation:
    """Every line or none, first expiry first from unexpired batches."""
    found = await _call(
        engine,
        DISPENSE,
        (
            request.location_id, owner, [line.catalog_item_id for line in request.lines],
            [line.quantity for line in request.lines], request.reference, request.request_id, actor.user_id,
            actor.role, actor.trace, now, subjects.dispensed, subjects.low,
        ),
    )  # fmt: skip
    return dispensation_of(found)
