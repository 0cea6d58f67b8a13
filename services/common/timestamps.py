"""Filling protobuf Timestamp fields from values that may be absent."""

from __future__ import annotations

from datetime import datetime
from typing import Any


def set_time(target: Any, value: datetime | None) -> None:
    """Set a google.protobuf.Timestamp field; an absent value leaves it unset (absent in JSON)."""
    if value is not None:
        target.FromDatetime(value)
