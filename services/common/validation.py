"""Request-shape checks shared by every servicer."""

from __future__ import annotations

import uuid
import zoneinfo

from services.common.errors import invalid_field


def parse_uuid(value: str, field: str) -> uuid.UUID:
    """A UUID from a request, or INVALID_ARGUMENT naming the field (never a 500)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise invalid_field(field, "is required" if not value else f"{value!r} is not a UUID", "INVALID_ID") from None


def is_time_zone(name: str) -> bool:
    """An IANA zone name this machine knows. Any name a client sends is safe to ask about: names that
    are not zone files, escape the zone directory or are too long for the file system are simply not zones."""
    if not name or len(name) > 64:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True
