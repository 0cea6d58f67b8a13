"""Request-shape checks shared by every servicer."""

from __future__ import annotations

import uuid

from services.common.errors import invalid_field


def parse_uuid(value: str, field: str) -> uuid.UUID:
    """A UUID from a request, or INVALID_ARGUMENT naming the field (never a 500)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise invalid_field(field, "is required" if not value else f"{value!r} is not a UUID", "INVALID_ID") from None
