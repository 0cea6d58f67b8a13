"""The ledger: every change of a batch's quantity is one immutable, signed transaction (SPEC 3.5)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass
from datetime import datetime


class TransactionType(enum.StrEnum):
    """Why a batch's quantity changed."""

    IN = "IN"
    OUT = "OUT"
    ADJUSTMENT = "ADJUSTMENT"
    DISPENSE = "DISPENSE"
    RETURN = "RETURN"
    EXPIRED = "EXPIRED"


INFLOWS = frozenset({TransactionType.IN})
"""The only type whose quantity is positive; every other type is an outflow and negative."""


class StockOutReason(enum.StrEnum):
    """Why stock is taken out other than by dispensing."""

    ADJUSTMENT = "ADJUSTMENT"
    DAMAGED = "DAMAGED"
    EXPIRED = "EXPIRED"
    RETURN_TO_SUPPLIER = "RETURN_TO_SUPPLIER"


TYPE_OF_REASON: dict[StockOutReason, TransactionType] = {
    StockOutReason.ADJUSTMENT: TransactionType.ADJUSTMENT,
    StockOutReason.DAMAGED: TransactionType.ADJUSTMENT,
    StockOutReason.EXPIRED: TransactionType.EXPIRED,
    StockOutReason.RETURN_TO_SUPPLIER: TransactionType.RETURN,
}


def type_for(reason: StockOutReason) -> TransactionType:
    """The ledger type a stock-out reason is written as."""
    return TYPE_OF_REASON[reason]


def takes_expired_stock(reason: StockOutReason) -> bool:
    """Writing off expired stock takes from expired batches; every other stock-out from usable ones."""
    return reason is StockOutReason.EXPIRED


def signed(transaction_type: TransactionType, units: int) -> int:
    """The ledger quantity of moving `units` (> 0): positive in, negative out."""
    if units <= 0:
        raise ValueError("a transaction moves at least one unit")
    return units if transaction_type in INFLOWS else -units


@dataclass(frozen=True)
class StockTransaction:
    """One line of the ledger."""

    id: uuid.UUID
    type: TransactionType
    quantity: int
    batch_id: uuid.UUID
    catalog_item_id: uuid.UUID
    location_id: uuid.UUID
    reference: str
    actor_id: uuid.UUID | None
    time: datetime
    seq: int
