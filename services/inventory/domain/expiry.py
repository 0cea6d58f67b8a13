"""Expiry in the location's time zone: a batch is usable while its expiry date is after today there,
so a batch expiring today is already expired (SPEC 3.5)."""

from __future__ import annotations

import zoneinfo
from datetime import UTC, date, datetime, time, timedelta

from services.common.fields import is_time_zone

FALLBACK_ZONE = "UTC"
"""The zone of a location whose profile names none (a pharmacy created from its owner's registration)."""


def zone_of(name: str) -> str:
    """The location's zone as its profile names it, or UTC when it names none this machine knows."""
    return name if is_time_zone(name) else FALLBACK_ZONE


def today_in(zone: str, now: datetime) -> date:
    """The calendar date at `now` in `zone`."""
    return now.astimezone(zoneinfo.ZoneInfo(zone)).date()


def is_usable(expiry_date: date, today: date) -> bool:
    """Usable while the expiry date is after today; expiring today is expired."""
    return expiry_date > today


def days_to_expiry(expiry_date: date, today: date) -> int:
    """Days from today to the expiry date: 0 or less when expired."""
    return (expiry_date - today).days


def start_of(day: date, zone: str) -> datetime:
    """The UTC instant a local date begins in `zone` (for ledger filters by local date)."""
    return datetime.combine(day, time(0), zoneinfo.ZoneInfo(zone)).astimezone(UTC)


def end_of(day: date, zone: str) -> datetime:
    """The UTC instant after a local date ends in `zone` (exclusive bound of an inclusive date)."""
    return start_of(day + timedelta(days=1), zone)
