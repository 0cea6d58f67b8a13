"""Schedule rules (pure): occurrences of weekly sessions in their time zone, across DST, and overlaps."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

Clock = Callable[[], datetime]
MAX_RANGE_DAYS = 60
DEFAULT_RANGE_DAYS = 6


@dataclass(frozen=True)
class SessionPlan:
    """What of a session decides when it happens."""

    day_of_week: int  # ISO: Monday 1 .. Sunday 7
    start: time
    end: time
    effective_from: date
    effective_until: date | None
    time_zone: str


@dataclass(frozen=True)
class DateOverride:
    cancelled: bool = False
    start: time | None = None
    end: time | None = None
    capacity: int | None = None
    reason: str = ""


def instant(day: date, wall: time, zone: str) -> datetime:
    """The UTC instant of a wall-clock time in a zone (SPEC 1, Time).

    A local time that does not exist that day (spring forward) moves forward by the gap, and an
    ambiguous one (fall back) takes its first occurrence: both are what `fold=0` means in zoneinfo.
    """
    return datetime.combine(day, wall, tzinfo=zoneinfo.ZoneInfo(zone)).astimezone(UTC)


def today_in(zone: str, now: datetime) -> date:
    return now.astimezone(zoneinfo.ZoneInfo(zone)).date()


def occurs_on(plan: SessionPlan, day: date) -> bool:
    if day.isoweekday() != plan.day_of_week or day < plan.effective_from:
        return False
    return plan.effective_until is None or day <= plan.effective_until


def window(plan: SessionPlan, day: date, override: DateOverride | None = None) -> tuple[datetime, datetime]:
    """Start and end of one occurrence as UTC instants, honouring an override of its hours."""
    start = override.start if override and override.start else plan.start
    end = override.end if override and override.end else plan.end
    return instant(day, start, plan.time_zone), instant(day, end, plan.time_zone)


def dates(plan: SessionPlan, first: date, last: date) -> Iterator[date]:
    """The dates in [first, last] the session occurs on."""
    first = max(first, plan.effective_from)
    if plan.effective_until is not None:
        last = min(last, plan.effective_until)
    day = first + timedelta(days=(plan.day_of_week - first.isoweekday()) % 7)
    while day <= last:
        yield day
        day += timedelta(days=7)


def overlaps(a: SessionPlan, b: SessionPlan, today: date, horizon_days: int = 400) -> bool:
    """Two sessions of one doctor overlap when any of their occurrences overlap in real time.

    Compared on UTC instants, so sessions in different zones (and across DST) are judged right.
    Only the coming `horizon_days` are examined; open-ended sessions repeat beyond that alike.
    """
    first = max(a.effective_from, b.effective_from, today - timedelta(days=1))
    last = first + timedelta(days=horizon_days)
    for until in (a.effective_until, b.effective_until):
        if until is not None:
            last = min(last, until + timedelta(days=1))
    if last < first:
        return False
    windows_b = [window(b, d) for d in dates(b, first - timedelta(days=1), last + timedelta(days=1))]
    for day in dates(a, first, last):
        start, end = window(a, day)
        if any(start < other_end and other_start < end for other_start, other_end in windows_b):
            return True
    return False


def date_range(first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The availability range: default today + 6 days; at most 60 days."""
    start = first or today
    end = last or start + timedelta(days=DEFAULT_RANGE_DAYS)
    return start, end


def utc_now() -> datetime:
    return datetime.now(UTC)
