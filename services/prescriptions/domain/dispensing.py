"""Dispensing a prescription: which lines a pharmacy may take for which items (the prescribed drug,
at most what remains), and what the prescription looks like after (SPEC 3.4)."""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from services.common.fields import Checks
from services.prescriptions.domain.errors import (
    CatalogItemElsewhere,
    DrugMismatch,
    MoreThanRemains,
    NotAPrescriptionItem,
)
from services.prescriptions.domain.prescriptions import MAX_ITEMS, MAX_UNITS, Item, Prescription

INVENTORY_KEYS = uuid.UUID("5b0f5e8e-7d1c-4c35-9a53-1d4f0b6f8e21")
"""Namespace of the idempotency keys a dispense hands the inventory service."""


@dataclass(frozen=True)
class DispenseLine:
    item_id: uuid.UUID
    catalog_item_id: uuid.UUID
    quantity: int


@dataclass(frozen=True)
class DispenseRequest:
    """A checked dispense request."""

    prescription_id: uuid.UUID
    code: str
    pharmacy_id: uuid.UUID
    lines: tuple[DispenseLine, ...]
    request_id: uuid.UUID | None


@dataclass(frozen=True)
class CatalogEntry:
    """What the pharmacy's catalog says of a catalog item named by a line."""

    id: uuid.UUID
    location_id: uuid.UUID
    drug_name: str
    generic_name: str | None


@dataclass(frozen=True)
class BatchUse:
    batch_id: uuid.UUID
    batch_number: str
    expiry_date: date
    quantity: int


@dataclass(frozen=True)
class DispensedLine:
    item_id: uuid.UUID
    catalog_item_id: uuid.UUID
    quantity: int
    batches: tuple[BatchUse, ...]


@dataclass(frozen=True)
class Dispensation:
    """What one dispense took from the pharmacy's stock."""

    id: uuid.UUID
    pharmacy_id: uuid.UUID
    lines: tuple[DispensedLine, ...]
    cost_total: Decimal
    selling_total: Decimal
    dispense_time: datetime


@dataclass(frozen=True)
class StockTaken:
    """The inventory service's answer to a dispense: per line asked, in order, the batches used."""

    lines: tuple[tuple[BatchUse, ...], ...]
    cost_total: Decimal
    selling_total: Decimal


def dispense_request(
    *,
    prescription_id: uuid.UUID,
    code: str,
    pharmacy_id: uuid.UUID,
    lines: list[DispenseLine],
    request_id: uuid.UUID | None,
) -> DispenseRequest:
    """Check a dispense request's shape: a code, 1 to 20 lines of at least one unit, one line per item."""
    checks = Checks()
    checks.required_text("code", code, 32)
    if not lines:
        checks.errors.add("lines", "must have at least one line")
    elif len(lines) > MAX_ITEMS:
        checks.errors.add("lines", f"must have at most {MAX_ITEMS} lines")
    seen: set[uuid.UUID] = set()
    for index, line in enumerate(lines):
        checks.between(f"lines[{index}].quantity", line.quantity, 1, MAX_UNITS)
        if line.item_id in seen:
            checks.errors.add(f"lines[{index}].itemId", "names an item another line names already")
        seen.add(line.item_id)
    checks.done()
    return DispenseRequest(prescription_id, code, pharmacy_id, tuple(lines), request_id)


def names_of(*names: str | None) -> set[str]:
    return {n.strip().casefold() for n in names if n and n.strip()}


def is_prescribed_drug(item: Item, entry: CatalogEntry) -> bool:
    """The same drug or generic name, whichever way round, case-insensitively."""
    return bool(names_of(item.drug_name, item.generic_name) & names_of(entry.drug_name, entry.generic_name))


def check_lines(prescription: Prescription, request: DispenseRequest, catalog: dict[uuid.UUID, CatalogEntry]) -> None:
    """Each line: an item of this prescription, a catalog item of this pharmacy that is the prescribed
    drug, at most what remains of the item."""
    for index, line in enumerate(request.lines):
        item = prescription.item(line.item_id)
        if item is None:
            raise NotAPrescriptionItem(f"lines[{index}].itemId", line.item_id)
        entry = catalog[line.catalog_item_id]
        if entry.location_id != request.pharmacy_id:
            raise CatalogItemElsewhere(f"lines[{index}].catalogItemId", line.catalog_item_id)
        if not is_prescribed_drug(item, entry):
            raise DrugMismatch(item.id, entry.id, item.drug_name, entry.drug_name)
        if line.quantity > item.remaining:
            raise MoreThanRemains(item.id, line.quantity, item.remaining)


def inventory_key(prescription: Prescription, request: DispenseRequest) -> uuid.UUID:
    """The idempotency key the inventory service gets: the same for every retry of this request, so
    stock is taken once however often the call is repeated (also after a crash between the two
    services). With a request id it is that request's; without, it is this exact dispense of this
    version of the prescription (a retry finds the version unchanged unless the first one landed)."""
    lines = ";".join(f"{line.item_id},{line.catalog_item_id},{line.quantity}" for line in request.lines)
    attempt = str(request.request_id) if request.request_id else f"version {prescription.version}"
    digest = hashlib.sha256(f"{request.pharmacy_id}|{attempt}|{lines}".encode()).hexdigest()
    return uuid.uuid5(INVENTORY_KEYS, f"{prescription.id}/{digest}")


def dispensed(request: DispenseRequest, taken: StockTaken, dispensation_id: uuid.UUID, now: datetime) -> Dispensation:
    """The dispensation: each line asked with the batches the inventory service took for it."""
    lines = tuple(
        DispensedLine(line.item_id, line.catalog_item_id, line.quantity, batches)
        for line, batches in zip(request.lines, taken.lines, strict=True)
    )
    return Dispensation(dispensation_id, request.pharmacy_id, lines, taken.cost_total, taken.selling_total, now)


def after_dispense(prescription: Prescription, dispensation: Dispensation) -> tuple[Item, ...]:
    """The items with this dispensation's units added."""
    added = {line.item_id: line.quantity for line in dispensation.lines}
    return tuple(replace(i, dispensed_quantity=i.dispensed_quantity + added.get(i.id, 0)) for i in prescription.items)
