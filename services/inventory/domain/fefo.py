"""First expiry, first out: which batches a quantity is taken from (SPEC 3.5).

The store applies this rule in SQL under row locks (a PL/pgSQL function); this is the rule itself,
which the tests hold the SQL to.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from services.inventory.domain.expiry import is_usable


@dataclass(frozen=True)
class Lot:
    """What the rule needs of a batch."""

    id: uuid.UUID
    expiry_date: date
    received_at: datetime
    quantity: int


@dataclass(frozen=True)
class Take:
    """Units taken from one batch."""

    batch_id: uuid.UUID
    quantity: int


def fefo_order(lots: Iterable[Lot]) -> list[Lot]:
    """Soonest expiry first; of equal expiry, the first received; then by id, so the order is total."""
    return sorted(lots, key=lambda lot: (lot.expiry_date, lot.received_at, lot.id))


def candidates(lots: Iterable[Lot], today: date, *, expired: bool = False) -> list[Lot]:
    """The batches a stock movement may draw on, in FEFO order: those holding stock that are usable
    (or, for writing off expired stock, those that expired)."""
    return fefo_order(lot for lot in lots if lot.quantity > 0 and is_usable(lot.expiry_date, today) is not expired)


def pick(lots: Iterable[Lot], quantity: int, today: date, *, expired: bool = False) -> list[Take] | None:
    """The takes that make up `quantity`, first expiry first, or None when there is not enough."""
    remaining = quantity
    takes: list[Take] = []
    for lot in candidates(lots, today, expired=expired):
        if remaining == 0:
            break
        taken = min(remaining, lot.quantity)
        takes.append(Take(lot.id, taken))
        remaining -= taken
    return takes if remaining == 0 else None
