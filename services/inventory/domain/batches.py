"""Batches: one delivery of a catalog item with its own number, expiry and quantity, and the checks
of stock coming in and going out (SPEC 3.5)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from services.common.fields import Checks, parse_date, parse_money
from services.inventory.domain.expiry import days_to_expiry, is_usable
from services.inventory.domain.ledger import StockOutReason

MAX_UNITS = 1_000_000
"""Units one operation may move."""
MAX_BATCH_NUMBER_LENGTH = 64
MAX_REFERENCE_LENGTH = 200


@dataclass(frozen=True)
class Batch:
    """A batch as of `today` in its location's zone."""

    id: uuid.UUID
    catalog_item_id: uuid.UUID
    location_id: uuid.UUID
    batch_number: str
    expiry_date: date
    quantity: int
    cost_price: Decimal
    received_at: datetime
    drug_name: str
    today: date

    @property
    def expired(self) -> bool:
        return not is_usable(self.expiry_date, self.today)

    @property
    def days_to_expiry(self) -> int:
        return days_to_expiry(self.expiry_date, self.today)


@dataclass(frozen=True)
class StockIn:
    """Checked units of a batch to receive."""

    catalog_item_id: uuid.UUID
    batch_number: str
    expiry_date: date
    quantity: int
    cost_price: Decimal
    reference: str
    request_id: uuid.UUID | None


@dataclass(frozen=True)
class StockOut:
    """Checked units to take out for a reason, from a named batch or first expiry first."""

    catalog_item_id: uuid.UUID
    quantity: int
    reason: StockOutReason
    batch_id: uuid.UUID | None
    reference: str
    request_id: uuid.UUID | None


def _units(checks: Checks, value: int) -> None:
    checks.between("quantity", value, 1, MAX_UNITS)


def stock_in(
    *,
    catalog_item_id: uuid.UUID,
    batch_number: str,
    expiry_date: str,
    quantity: int,
    cost_price: str,
    reference: str,
    request_id: uuid.UUID | None,
) -> StockIn:
    """Check every field of a stock-in at once."""
    checks = Checks()
    checks.required_text("batchNumber", batch_number, MAX_BATCH_NUMBER_LENGTH)
    expiry = parse_date(expiry_date)
    if expiry is None:
        checks.errors.add("expiryDate", "must be a date, YYYY-MM-DD")
    _units(checks, quantity)
    if not cost_price:
        checks.errors.add("costPrice", "is required")
    checks.money("costPrice", cost_price)
    checks.text("reference", reference, MAX_REFERENCE_LENGTH)
    checks.done()
    price = parse_money(cost_price)
    assert expiry is not None
    assert price is not None
    return StockIn(catalog_item_id, batch_number.strip(), expiry, quantity, price, reference, request_id)


def stock_out(
    *,
    catalog_item_id: uuid.UUID,
    quantity: int,
    reason: str,
    batch_id: uuid.UUID | None,
    reference: str,
    request_id: uuid.UUID | None,
) -> StockOut:
    """Check every field of a stock-out at once."""
    checks = Checks()
    _units(checks, quantity)
    if not reason:
        checks.errors.add("reason", "is required")
    checks.text("reference", reference, MAX_REFERENCE_LENGTH)
    checks.done()
    return StockOut(catalog_item_id, quantity, StockOutReason(reason), batch_id, reference, request_id)
