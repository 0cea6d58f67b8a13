"""Dispensing: units of several catalog items taken at once, all lines or none, first expiry first
from unexpired batches (SPEC 3.5), and what a dispense took."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from services.common.fields import Checks
from services.inventory.domain.batches import MAX_REFERENCE_LENGTH, MAX_UNITS

MAX_LINES = 50


@dataclass(frozen=True)
class DispenseLine:
    """Units of one catalog item."""

    catalog_item_id: uuid.UUID
    quantity: int


@dataclass(frozen=True)
class Dispense:
    """A checked dispense request."""

    location_id: uuid.UUID
    lines: tuple[DispenseLine, ...]
    reference: str
    request_id: uuid.UUID | None


@dataclass(frozen=True)
class BatchUse:
    """Units taken from one batch."""

    batch_id: uuid.UUID
    batch_number: str
    expiry_date: date
    quantity: int
    cost_price: Decimal


@dataclass(frozen=True)
class DispensedLine:
    """One catalog item's units and the batches they came from, first expiry first."""

    catalog_item_id: uuid.UUID
    quantity: int
    batches: tuple[BatchUse, ...]
    cost_total: Decimal
    selling_total: Decimal


@dataclass(frozen=True)
class Dispensation:
    """What one dispense took, line by line, in the order asked."""

    location_id: uuid.UUID
    reference: str
    lines: tuple[DispensedLine, ...]
    cost_total: Decimal
    selling_total: Decimal


def dispense(
    *, location_id: uuid.UUID, lines: list[DispenseLine], reference: str, request_id: uuid.UUID | None
) -> Dispense:
    """Check a dispense: 1 to 50 lines of at least one unit each."""
    checks = Checks()
    if not lines:
        checks.errors.add("lines", "must have at least one line")
    elif len(lines) > MAX_LINES:
        checks.errors.add("lines", f"must have at most {MAX_LINES} lines")
    for index, line in enumerate(lines):
        checks.between(f"lines[{index}].quantity", line.quantity, 1, MAX_UNITS)
    checks.text("reference", reference, MAX_REFERENCE_LENGTH)
    checks.done()
    return Dispense(location_id, tuple(lines), reference, request_id)
