"""Catalog items: what a location stocks, its checks, and the reorder-level rules (SPEC 3.5)."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from services.common.fields import Checks, parse_money

MAX_NAME_LENGTH = 200
MAX_REORDER_LEVEL = 1_000_000
WRITABLE = frozenset({"drug_name", "generic_name", "unit_type", "reorder_level", "selling_price", "active"})
"""What an update may change; the quantity changes only through stock in and out."""


class UnitType(enum.StrEnum):
    """How a drug is counted."""

    TABLET = "TABLET"
    CAPSULE = "CAPSULE"
    BOTTLE = "BOTTLE"
    STRIP = "STRIP"
    VIAL = "VIAL"
    TUBE = "TUBE"
    SACHET = "SACHET"
    UNIT = "UNIT"


@dataclass(frozen=True)
class CatalogItem:
    """A drug a location stocks, with its units in unexpired batches."""

    id: uuid.UUID
    location_id: uuid.UUID
    drug_name: str
    generic_name: str | None
    unit_type: UnitType
    reorder_level: int
    selling_price: Decimal | None
    active: bool
    current_quantity: int
    create_time: datetime
    update_time: datetime

    @property
    def low(self) -> bool:
        return is_low(self.current_quantity, self.reorder_level)

    @property
    def shortage(self) -> int:
        return shortage(self.current_quantity, self.reorder_level)


@dataclass(frozen=True)
class NewCatalogItem:
    """A checked catalog item to create."""

    location_id: uuid.UUID
    drug_name: str
    generic_name: str | None
    unit_type: UnitType
    reorder_level: int
    selling_price: Decimal | None
    active: bool


@dataclass(frozen=True)
class CatalogChanges:
    """A checked update: the fields named in `changed` take the values given here."""

    changed: frozenset[str] = field(default_factory=frozenset)
    drug_name: str = ""
    generic_name: str | None = None
    unit_type: UnitType | None = None
    reorder_level: int = 0
    selling_price: Decimal | None = None
    active: bool = True


def is_low(quantity: int, reorder_level: int) -> bool:
    """Low on stock: at or below the reorder level."""
    return quantity <= reorder_level


def shortage(quantity: int, reorder_level: int) -> int:
    """Units missing to reach the reorder level (0 when at or above it)."""
    return max(0, reorder_level - quantity)


def falls_low(was_low: bool, quantity: int, reorder_level: int) -> bool:
    """A crossing of the reorder level: low now and not before. Staying low is no new crossing, so
    the low-stock event is published once per crossing, not once per dispense below the level."""
    return not was_low and is_low(quantity, reorder_level)


def _unit_type(checks: Checks, value: str) -> UnitType | None:
    if not value:
        checks.errors.add("unitType", "is required")
        return None
    return UnitType(value)


def _reorder_level(checks: Checks, value: int) -> int:
    checks.between("reorderLevel", value, 0, MAX_REORDER_LEVEL)
    return value


def _price(checks: Checks, value: str | None) -> Decimal | None:
    if not value:
        return None
    checks.money("sellingPrice", value)
    return parse_money(value)


def _optional_text(checks: Checks, field_name: str, value: str | None) -> str | None:
    checks.text(field_name, value, MAX_NAME_LENGTH)
    return value.strip() if value and value.strip() else None


def new_catalog_item(
    *,
    location_id: uuid.UUID,
    drug_name: str,
    generic_name: str | None,
    unit_type: str,
    reorder_level: int | None,
    selling_price: str | None,
    active: bool | None,
) -> NewCatalogItem:
    """Check every field of a new item at once (VALIDATION_FAILED names them all)."""
    checks = Checks()
    checks.required_text("drugName", drug_name, MAX_NAME_LENGTH)
    generic = _optional_text(checks, "genericName", generic_name)
    unit = _unit_type(checks, unit_type)
    level = _reorder_level(checks, reorder_level or 0)
    price = _price(checks, selling_price)
    checks.done()
    assert unit is not None
    return NewCatalogItem(
        location_id=location_id,
        drug_name=drug_name.strip(),
        generic_name=generic,
        unit_type=unit,
        reorder_level=level,
        selling_price=price,
        active=True if active is None else active,
    )


def catalog_changes(requested: Mapping[str, Any]) -> CatalogChanges:
    """Check an update's fields (proto field name -> value as the request has it; the unit type by name)."""
    checks = Checks()
    if "drug_name" in requested:
        checks.required_text("drugName", requested["drug_name"], MAX_NAME_LENGTH)
    changes = CatalogChanges(
        changed=frozenset(requested) & WRITABLE,
        drug_name=str(requested.get("drug_name", "")).strip(),
        generic_name=_optional_text(checks, "genericName", requested.get("generic_name")),
        unit_type=_unit_type(checks, requested["unit_type"]) if "unit_type" in requested else None,
        reorder_level=_reorder_level(checks, int(requested.get("reorder_level", 0))),
        selling_price=_price(checks, requested.get("selling_price")),
        active=bool(requested.get("active", True)),
    )
    checks.done()
    return changes
