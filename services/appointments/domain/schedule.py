"""Schedule rules (pure): weekly sessions, their occurrences in their time zone across DST, per-date
overrides, overlaps, and who manages a session."""

from __future__ import annotations

import dataclasses
import enum
import uuid
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from services.appointments.domain.directory import display_name
from services.appointments.domain.errors import NotSessionManager, SessionOverlap
from services.common.context import Principal, Role
from services.common.errors import ValidationErrors, invalid_field

MAX_RANGE_DAYS = 60
DEFAULT_RANGE_DAYS = 6


class ServiceType(enum.StrEnum):
    VIRTUAL = "VIRTUAL"
    IN_PERSON = "IN_PERSON"
    BOTH = "BOTH"


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
    """What an override changes of one date: cancelled, other hours, another capacity."""

    cancelled: bool = False
    start: time | None = None
    end: time | None = None
    capacity: int | None = None
    reason: str = ""


@dataclass(frozen=True)
class Override:
    """A session's override of one date."""

    session_id: uuid.UUID
    date: date
    changes: DateOverride


@dataclass(frozen=True)
class SessionSpec:
    """What a doctor or a clinic admin sets of a session, when creating or updating it."""

    clinic_id: uuid.UUID | None
    day_of_week: int
    session_start_time: time | None
    session_end_time: time | None
    service_type: ServiceType | None
    max_queue_size: int
    estimated_consultation_minutes: int
    effective_from: date | None
    effective_until: date | None


@dataclass(frozen=True)
class NewSession:
    """A session as requested; without a doctor, the calling doctor's."""

    doctor_id: uuid.UUID | None
    spec: SessionSpec


@dataclass(frozen=True)
class SessionUpdate:
    """An update of a session: new values of the fields named in `fields`, the others kept."""

    fields: frozenset[str]
    clinic_id: uuid.UUID | None = None
    day_of_week: int = 0
    session_start_time: time | None = None
    session_end_time: time | None = None
    service_type: ServiceType | None = None
    max_queue_size: int = 0
    estimated_consultation_minutes: int = 0
    effective_from: date | None = None
    effective_until: date | None = None

    def applied_to(self, spec: SessionSpec) -> SessionSpec:
        return dataclasses.replace(spec, **{name: getattr(self, name) for name in self.fields})


# What would move booked patients: refused while future appointments exist.
MOVING_FIELDS = ("day_of_week", "clinic_id", "service_type", "session_start_time")


@dataclass(frozen=True)
class Session:
    """A weekly session, with what it shows of its doctor and clinic."""

    id: uuid.UUID
    doctor_id: uuid.UUID
    clinic_id: uuid.UUID | None
    day_of_week: int
    session_start_time: time
    session_end_time: time
    service_type: ServiceType
    max_queue_size: int
    estimated_consultation_minutes: int
    effective_from: date
    effective_until: date | None
    active: bool
    time_zone: str
    created_by: uuid.UUID
    version: int
    created_at: datetime
    updated_at: datetime
    doctor_first_name: str | None
    doctor_last_name: str | None
    specialization: str | None
    fee: Decimal
    currency: str
    clinic_name: str | None
    clinic_admin_id: uuid.UUID | None
    doctor_status: str | None

    @property
    def plan(self) -> SessionPlan:
        return SessionPlan(
            self.day_of_week,
            self.session_start_time,
            self.session_end_time,
            self.effective_from,
            self.effective_until,
            self.time_zone,
        )

    @property
    def spec(self) -> SessionSpec:
        return SessionSpec(
            clinic_id=self.clinic_id,
            day_of_week=self.day_of_week,
            session_start_time=self.session_start_time,
            session_end_time=self.session_end_time,
            service_type=self.service_type,
            max_queue_size=self.max_queue_size,
            estimated_consultation_minutes=self.estimated_consultation_minutes,
            effective_from=self.effective_from,
            effective_until=self.effective_until,
        )

    @property
    def doctor_name(self) -> str:
        return display_name(self.doctor_first_name, self.doctor_last_name)


def check_manages(viewer: Principal, session: Session) -> None:
    """A session is managed by its doctor, or by the admin of its clinic."""
    if viewer.role is Role.DOCTOR and session.doctor_id == viewer.user_id:
        return
    if viewer.role is Role.CLINIC_ADMIN and session.clinic_id is not None and session.clinic_admin_id == viewer.user_id:
        return
    raise NotSessionManager()


def check_spec(spec: SessionSpec) -> None:
    """Every field of a session as asked for; all bad fields reported at once."""
    errors = ValidationErrors()
    if not 1 <= spec.day_of_week <= 7:
        errors.add("dayOfWeek", "is required: MONDAY .. SUNDAY")
    if spec.session_start_time is None:
        errors.add("sessionStartTime", "must be a time, HH:MM")
    if spec.session_end_time is None:
        errors.add("sessionEndTime", "must be a time, HH:MM")
    if spec.session_start_time and spec.session_end_time and spec.session_end_time <= spec.session_start_time:
        errors.add("sessionEndTime", "must be after the start time")
    if spec.service_type is None:
        errors.add("serviceType", "is required: VIRTUAL, IN_PERSON or BOTH")
    elif spec.clinic_id is None and spec.service_type is not ServiceType.VIRTUAL:
        errors.add("serviceType", "a session without a clinic must be VIRTUAL", "CLINIC_REQUIRED")
    elif spec.clinic_id is not None and spec.service_type is ServiceType.VIRTUAL:
        errors.add("serviceType", "a session at a clinic must be IN_PERSON or BOTH")
    if not 1 <= spec.max_queue_size <= 100:
        errors.add("maxQueueSize", "must be between 1 and 100")
    if not 5 <= spec.estimated_consultation_minutes <= 180:
        errors.add("estimatedConsultationMinutes", "must be between 5 and 180")
    if spec.effective_from and spec.effective_until and spec.effective_until < spec.effective_from:
        errors.add("effectiveUntil", "must not be before effectiveFrom")
    errors.raise_if_any()


def plan_of(spec: SessionSpec, effective_from: date, time_zone: str) -> SessionPlan:
    """The plan of a checked spec (`check_spec` passed: its times are set)."""
    assert spec.session_start_time is not None
    assert spec.session_end_time is not None
    return SessionPlan(
        spec.day_of_week,
        spec.session_start_time,
        spec.session_end_time,
        effective_from,
        spec.effective_until,
        time_zone,
    )


def check_no_overlap(plan: SessionPlan, others: list[Session], today: date) -> None:
    """SESSION_OVERLAP names the first of the doctor's other sessions that overlaps."""
    for other in others:
        if overlaps(plan, other.plan, today):
            raise SessionOverlap(other.id)


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


def check_override(plan: SessionPlan, day: date, changes: DateOverride) -> None:
    """An override is of one of the session's dates, and its hours (own or the session's) end after they start."""
    if not occurs_on(plan, day):
        raise invalid_field("date", "is not a date of this session", "NOT_A_SESSION_DATE")
    if (changes.start or plan.start) >= (changes.end or plan.end):
        raise invalid_field("endTime", "must be after the start time")
