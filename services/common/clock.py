"""The current time as every service reads it: injected where it is needed, so tests can move it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]
"""A source of timezone-aware UTC instants."""


def utc_now() -> datetime:
    return datetime.now(UTC)
