"""What a location's stock adds up to (SPEC 3.5): values over unexpired stock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from decimal import Decimal

from services.common.fields import Checks

DEFAULT_EXPIRY_WINDOW_DAYS = 30
MAX_EXPIRY_WINDOW_DAYS = 365


@dataclass(frozen=True)
class InventoryReport:
    location_id: uuid.UUID
    item_count: int
    units: int
    cost_value: Decimal
    selling_value: Decimal
    low_stock_count: int
    expiring_count: int
    expired_units: int


def expiry_window(days: int) -> int:
    """Days ahead an expiring-stock list looks: 0 means the default (30), at most 365."""
    if days == 0:
        return DEFAULT_EXPIRY_WINDOW_DAYS
    checks = Checks()
    checks.between("days", days, 1, MAX_EXPIRY_WINDOW_DAYS)
    checks.done()
    return days
