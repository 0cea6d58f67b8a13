from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.appointments.domain.errors import NotSessionManager, SessionOverlap
from services.appointments.domain.schedule import (
    DateOverride,
    ServiceType,
    SessionPlan,
    SessionUpdate,
    check_manages,
    check_no_overlap,
    check_override,
    check_spec,
    dates,
    instant,
    occurs_on,
    overlaps,
    window,
)
from services.common.context import Role
from services.common.errors import InvalidArgument
from tests.unit.appointments.factories import WEDNESDAY, principal, session

NEW_YORK = "America/New_York"


def plan(
    day_of_week: int = 7, start: str = "02:30", end: str = "04:00", zone: str = NEW_YORK, **changes: object
) -> SessionPlan:
    values: dict[str, object] = {
        "day_of_week": day_of_week,
        "start": time.fromisoformat(start),
        "end": time.fromisoformat(end),
        "effective_from": date(2026, 1, 1),
        "effective_until": None,
        "time_zone": zone,
    }
    values.update(changes)
    return SessionPlan(**values)  # type: ignore[arg-type]


def test_a_time_in_the_spring_forward_gap_moves_forward_by_the_gap() -> None:
    # 2027-03-14 02:30 does not exist in New York; it becomes 03:30 EDT = 07:30 UTC.
    assert instant(date(2027, 3, 14), time(2, 30), NEW_YORK) == datetime(2027, 3, 14, 7, 30, tzinfo=UTC)


def test_an_ambiguous_time_takes_its_first_occurrence() -> None:
    # 2026-11-01 01:30 happens twice in New York; the first is EDT (UTC-4).
    assert instant(date(2026, 11, 1), time(1, 30), NEW_YORK) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_the_wall_clock_stays_put_across_daylight_saving() -> None:
    weekly = plan(day_of_week=1, start="09:00", end="12:00")
    before, after = window(weekly, date(2027, 3, 8)), window(weekly, date(2027, 3, 15))
    assert before[0].hour == 14  # 09:00 EST
    assert after[0].hour == 13  # 09:00 EDT


def test_occurrences_respect_weekday_and_effective_dates() -> None:
    weekly = plan(day_of_week=3, effective_from=date(2026, 12, 2), effective_until=date(2026, 12, 16))
    assert list(dates(weekly, date(2026, 11, 1), date(2027, 1, 31))) == [
        date(2026, 12, 2),
        date(2026, 12, 9),
        date(2026, 12, 16),
    ]
    assert not occurs_on(weekly, date(2026, 12, 3))
    assert not occurs_on(weekly, date(2026, 12, 23))


def test_an_override_changes_the_hours_of_one_date() -> None:
    weekly = plan(day_of_week=1, start="09:00", end="12:00", zone="UTC")
    start, end = window(weekly, date(2026, 12, 7), DateOverride(start=time(13, 0), end=time(15, 0)))
    assert (start.hour, end.hour) == (13, 15)


def test_sessions_in_different_zones_overlap_on_real_time() -> None:
    colombo = plan(day_of_week=1, start="18:00", end="20:00", zone="Asia/Colombo")  # 12:30-14:30 UTC
    london = plan(day_of_week=1, start="13:00", end="14:00", zone="Europe/London")  # 13:00-14:00 UTC in winter
    assert overlaps(colombo, london, date(2026, 11, 25))
    # 15:00 in London clears Colombo's session in winter but not in summer (14:00 UTC): still an overlap.
    summer_clash = plan(day_of_week=1, start="15:00", end="16:00", zone="Europe/London")
    assert overlaps(colombo, summer_clash, date(2026, 11, 25))
    later = plan(day_of_week=1, start="16:00", end="17:00", zone="Europe/London")
    assert not overlaps(colombo, later, date(2026, 11, 25))


def test_sessions_with_disjoint_effective_dates_do_not_overlap() -> None:
    first = plan(day_of_week=2, start="09:00", end="10:00", zone="UTC", effective_until=date(2026, 12, 31))
    second = plan(day_of_week=2, start="09:00", end="10:00", zone="UTC", effective_from=date(2027, 1, 1))
    assert not overlaps(first, second, date(2026, 11, 25))


@given(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2030, 12, 31)),
    st.sampled_from([NEW_YORK, "Europe/London", "Australia/Sydney", "Asia/Colombo"]),
)
def test_every_occurrence_starts_at_its_wall_clock_time_or_just_after_a_gap(day: date, zone: str) -> None:
    start = instant(day, time(9, 0), zone)
    local = start.astimezone(__import__("zoneinfo").ZoneInfo(zone))
    assert local.date() == day
    assert timedelta(0) <= datetime.combine(day, local.time()) - datetime.combine(day, time(9, 0)) <= timedelta(hours=1)


# Sessions as managed


def test_a_session_is_managed_by_its_doctor_and_its_clinics_admin() -> None:
    admin = uuid.uuid4()
    at_clinic = session(clinic_id=uuid.uuid4(), clinic_admin_id=admin)
    check_manages(principal(Role.DOCTOR, at_clinic.doctor_id), at_clinic)
    check_manages(principal(Role.CLINIC_ADMIN, admin), at_clinic)
    for stranger in (principal(Role.DOCTOR), principal(Role.CLINIC_ADMIN), principal(Role.PATIENT, admin)):
        with pytest.raises(NotSessionManager):
            check_manages(stranger, at_clinic)


def test_a_session_spec_reports_every_bad_field() -> None:
    check_spec(session().spec)
    bad = dataclasses.replace(
        session().spec,
        day_of_week=0,
        session_end_time=time(8, 0),
        service_type=ServiceType.BOTH,
        max_queue_size=101,
        estimated_consultation_minutes=4,
        effective_until=date(2025, 12, 31),
    )
    with pytest.raises(InvalidArgument) as raised:
        check_spec(bad)
    assert {(v.field, v.reason) for v in raised.value.violations} == {
        ("dayOfWeek", "INVALID_FIELD"),
        ("sessionEndTime", "INVALID_FIELD"),
        ("serviceType", "CLINIC_REQUIRED"),
        ("maxQueueSize", "INVALID_FIELD"),
        ("estimatedConsultationMinutes", "INVALID_FIELD"),
        ("effectiveUntil", "INVALID_FIELD"),
    }


def test_an_update_changes_the_fields_it_names_and_keeps_the_others() -> None:
    current = session()
    update = SessionUpdate(frozenset({"max_queue_size", "effective_until"}), max_queue_size=8, day_of_week=5)
    changed = update.applied_to(current.spec)
    assert (changed.max_queue_size, changed.effective_until, changed.day_of_week) == (8, None, current.day_of_week)


def test_an_override_is_of_a_session_date_and_ends_after_it_starts() -> None:
    weekly = session().plan
    check_override(weekly, WEDNESDAY, DateOverride(start=time(10, 0)))
    with pytest.raises(InvalidArgument) as raised:
        check_override(weekly, WEDNESDAY + timedelta(days=1), DateOverride())
    assert raised.value.violations[0].reason == "NOT_A_SESSION_DATE"
    with pytest.raises(InvalidArgument) as raised:
        check_override(weekly, WEDNESDAY, DateOverride(start=time(12, 0)))
    assert raised.value.violations[0].field == "endTime"


def test_an_overlap_names_the_other_session() -> None:
    other = session()
    with pytest.raises(SessionOverlap) as raised:
        check_no_overlap(session().plan, [session(day_of_week=4), other], date(2026, 11, 25))
    assert raised.value.metadata == {"sessionId": str(other.id)}
    check_no_overlap(session().plan, [session(day_of_week=4)], date(2026, 11, 25))
