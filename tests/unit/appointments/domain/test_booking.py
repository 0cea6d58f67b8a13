from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from services.appointments.domain.booking import (
    CLOSE_AFTER,
    SYSTEM,
    TRANSITIONS,
    Actor,
    AppointmentType,
    BookingRequest,
    Details,
    Move,
    Status,
    cancel,
    check_bookable,
    check_details,
    check_in,
    check_keeps_bookings,
    check_may_book_at,
    check_not_moving,
    check_reschedulable,
    check_takes_bookings,
    check_transition,
    complete,
    estimated_start,
    leftover_move,
    lowest_free_number,
    next_bookable_day,
    no_show,
    on_call_end,
    on_consultation_start,
    on_join,
    patient_of,
    start,
    terms_of,
    type_fits,
)
from services.appointments.domain.errors import (
    AlreadyStarted,
    AppointmentCancelled,
    BookedAfterEnd,
    BooksForSelfOnly,
    CapacityBelowBookings,
    DoctorNotBookable,
    EarlierEventPending,
    InvalidTransition,
    NoFreePlaceAhead,
    NotASessionDate,
    NotStartedYet,
    NotTheDay,
    OnlyBookedReschedules,
    OwnClinicSessionsOnly,
    SessionHasBookings,
    SessionInactive,
)
from services.appointments.domain.schedule import DateOverride, ServiceType, SessionPlan
from services.common.context import Role
from services.common.errors import FailedPrecondition, InvalidArgument
from tests.unit.appointments.factories import NINE_LOCAL, appointment, principal, session

PLAN = SessionPlan(3, time(9, 0), time(12, 0), date(2026, 1, 1), None, "Asia/Colombo")
WEDNESDAY = date(2026, 12, 2)


@given(st.lists(st.tuples(st.booleans(), st.integers(0, 30)), max_size=80), st.integers(1, 12))
def test_queue_numbers_under_any_sequence_of_bookings_and_cancellations(
    ops: list[tuple[bool, int]], capacity: int
) -> None:
    held: list[int] = []
    for is_booking, pick in ops:
        if is_booking:
            number = lowest_free_number(held, capacity)
            if len(held) >= capacity:
                assert number is None
                continue
            assert number is not None
            assert number == min(set(range(1, capacity + 1)) - set(held))
            held.append(number)
        elif held:
            held.pop(pick % len(held))
        assert len(held) == len(set(held)) <= capacity
        assert all(1 <= n <= capacity for n in held)


def test_estimated_start_adds_a_consultation_per_place_ahead() -> None:
    start = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)
    assert estimated_start(start, 1, 15) == start
    assert estimated_start(start, 4, 15) == start + timedelta(minutes=45)


def test_the_status_machine() -> None:
    assert TRANSITIONS[Status.BOOKED] == {Status.CHECKED_IN, Status.CANCELLED, Status.NO_SHOW}
    for terminal in (Status.COMPLETED, Status.CANCELLED, Status.NO_SHOW):
        for target in Status:
            with pytest.raises(FailedPrecondition) as raised:
                check_transition(terminal, target)
            assert raised.value.reason == "INVALID_TRANSITION"
    check_transition(Status.IN_PROGRESS, Status.CANCELLED)
    with pytest.raises(FailedPrecondition):
        check_transition(Status.IN_PROGRESS, Status.NO_SHOW)


def test_types_fit_service_types() -> None:
    assert type_fits(ServiceType.BOTH, "VIRTUAL")
    assert type_fits(ServiceType.IN_PERSON, "IN_PERSON")
    assert not type_fits(ServiceType.VIRTUAL, "IN_PERSON")


def test_bookable_dates() -> None:
    before = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    check_bookable(PLAN, WEDNESDAY, None, before)
    with pytest.raises(InvalidArgument):
        check_bookable(PLAN, WEDNESDAY + timedelta(days=1), None, before)
    with pytest.raises(FailedPrecondition) as raised:
        check_bookable(PLAN, WEDNESDAY, DateOverride(cancelled=True, reason="holiday"), before)
    assert raised.value.reason == "OCCURRENCE_CANCELLED"
    # 12:00 in Colombo is 06:30 UTC: after that the occurrence is over.
    with pytest.raises(FailedPrecondition) as raised:
        check_bookable(PLAN, WEDNESDAY, None, datetime(2026, 12, 2, 6, 31, tzinfo=UTC))
    assert raised.value.reason == "OCCURRENCE_OVER"
    with pytest.raises(FailedPrecondition) as raised:
        check_bookable(PLAN, WEDNESDAY, None, datetime(2026, 12, 3, 0, 0, tzinfo=UTC))
    assert raised.value.reason == "DATE_IN_PAST"


# Who books, what a session takes, which day


def test_patients_book_for_themselves_and_clinic_admins_name_the_patient() -> None:
    patient = principal(Role.PATIENT)
    assert patient_of(patient, None) == patient_of(patient, patient.user_id) == patient.user_id
    with pytest.raises(BooksForSelfOnly):
        patient_of(patient, uuid.uuid4())
    named = uuid.uuid4()
    assert patient_of(principal(Role.CLINIC_ADMIN), named) == named
    with pytest.raises(InvalidArgument) as raised:
        patient_of(principal(Role.CLINIC_ADMIN), None)
    assert raised.value.violations[0].field == "patientId"


def test_a_session_takes_bookings_when_active_with_an_active_doctor_and_the_type_offered() -> None:
    check_takes_bookings(session(), AppointmentType.VIRTUAL)
    with pytest.raises(SessionInactive):
        check_takes_bookings(session(active=False), AppointmentType.VIRTUAL)
    with pytest.raises(DoctorNotBookable):
        check_takes_bookings(session(doctor_status="SUSPENDED"), AppointmentType.VIRTUAL)
    with pytest.raises(InvalidArgument) as raised:
        check_takes_bookings(session(), AppointmentType.IN_PERSON)
    assert raised.value.violations[0].reason == "TYPE_NOT_OFFERED"


def test_a_clinic_admin_books_at_their_own_clinic_only() -> None:
    admin = principal(Role.CLINIC_ADMIN)
    check_may_book_at(admin, session(clinic_id=uuid.uuid4(), clinic_admin_id=admin.user_id))
    check_may_book_at(principal(Role.PATIENT), session())
    for elsewhere in (session(), session(clinic_id=uuid.uuid4(), clinic_admin_id=uuid.uuid4())):
        with pytest.raises(OwnClinicSessionsOnly):
            check_may_book_at(admin, elsewhere)


def test_without_a_date_the_next_occurrence_not_cancelled_over_or_full_is_booked() -> None:
    weekly = session(max_queue_size=2)
    before = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    assert next_bookable_day(weekly, {}, {}, before) == WEDNESDAY
    skipped = {WEDNESDAY: DateOverride(cancelled=True)}
    full = {WEDNESDAY + timedelta(days=7): 2}
    assert next_bookable_day(weekly, skipped, full, before) == WEDNESDAY + timedelta(days=14)
    assert next_bookable_day(weekly, {WEDNESDAY: DateOverride(capacity=3)}, {WEDNESDAY: 2}, before) == WEDNESDAY
    # 12:00 in Colombo has passed: that day is over.
    assert next_bookable_day(weekly, {}, {}, datetime(2026, 12, 2, 6, 31, tzinfo=UTC)) == WEDNESDAY + timedelta(days=7)
    every_day_full = {WEDNESDAY + timedelta(days=7 * n): 2 for n in range(10)}
    with pytest.raises(NoFreePlaceAhead) as raised:
        next_bookable_day(weekly, {}, every_day_full, before)
    assert (raised.value.reason, raised.value.metadata) == ("SESSION_FULL", {})


def test_the_terms_of_a_booking_come_from_its_session_and_occurrence() -> None:
    weekly = session(clinic_id=None, estimated_consultation_minutes=20)
    patient = principal(Role.PATIENT)
    request = BookingRequest(weekly.id, WEDNESDAY, None, AppointmentType.VIRTUAL, "", None)
    terms = terms_of(
        request, weekly, WEDNESDAY, DateOverride(start=time(10, 0), capacity=7),
        patient_id=patient.user_id, actor=patient, now=datetime(2026, 12, 1, tzinfo=UTC),
    )  # fmt: skip
    assert (terms.capacity, terms.occurrence_start, terms.fee, terms.currency) == (
        7, datetime(2026, 12, 2, 4, 30, tzinfo=UTC), Decimal("2500.00"), "LKR",
    )  # fmt: skip
    assert (terms.booked_by, terms.actor_role, terms.estimated_consultation_minutes) == (
        patient.user_id, "PATIENT", 20,
    )  # fmt: skip
    with pytest.raises(NotASessionDate):
        terms_of(
            request, weekly, WEDNESDAY + timedelta(days=1), None,
            patient_id=patient.user_id, actor=patient, now=datetime(2026, 12, 1, tzinfo=UTC),
        )  # fmt: skip


def test_the_wait_is_wall_clock_minutes_from_the_session_start_even_across_daylight_saving() -> None:
    # 2027-03-14 in New York: 00:30 EST is 05:30 UTC; two hours later it is 03:30 EDT.
    spring = appointment(
        appointment_date=date(2027, 3, 14),
        session_start_time=time(0, 30),
        time_zone="America/New_York",
        estimated_start_time=datetime(2027, 3, 14, 7, 30, tzinfo=UTC),
    )
    assert spring.estimated_wait_minutes == 180
    assert appointment(estimated_start_time=NINE_LOCAL - timedelta(hours=1)).estimated_wait_minutes == 0


# The status machine, step by step


def test_a_patient_checks_in_on_the_day_and_the_doctor_any_day() -> None:
    booked = appointment()
    patient, doctor = principal(Role.PATIENT, booked.patient_id), principal(Role.DOCTOR, booked.doctor_id)
    the_day, the_day_before = datetime(2026, 12, 2, 1, 0, tzinfo=UTC), datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    assert check_in(patient, booked, the_day) == Move(Status.CHECKED_IN, Actor(patient.user_id, "PATIENT"))
    with pytest.raises(NotTheDay):
        check_in(patient, booked, the_day_before)
    assert check_in(doctor, booked, the_day_before).target is Status.CHECKED_IN


def test_starting_and_completing_record_the_actual_times() -> None:
    doctor = principal(Role.DOCTOR)
    now = NINE_LOCAL + timedelta(minutes=5)
    checked_in = appointment(status=Status.CHECKED_IN)
    assert start(doctor, checked_in, None, now).actual_start_time == now
    with pytest.raises(InvalidTransition):
        start(doctor, appointment(), None, now)
    running = appointment(status=Status.IN_PROGRESS, actual_start_time=NINE_LOCAL)
    done = complete(doctor, running, started=None, ended=None, doctor_notes="", now=now)
    assert (done.actual_start_time, done.actual_end_time, done.doctor_notes) == (NINE_LOCAL, now, None)
    assert complete(doctor, running, started=None, ended=None, doctor_notes="rest", now=now).doctor_notes == "rest"
    with pytest.raises(InvalidArgument):
        complete(doctor, running, started=None, ended=NINE_LOCAL - timedelta(minutes=1), doctor_notes="", now=now)


def test_a_no_show_is_recorded_once_the_session_started() -> None:
    doctor = principal(Role.DOCTOR)
    with pytest.raises(NotStartedYet):
        no_show(doctor, appointment(), NINE_LOCAL - timedelta(seconds=1))
    assert no_show(doctor, appointment(), NINE_LOCAL).target is Status.NO_SHOW


def test_a_cancellation_records_its_reason_and_who_cancelled() -> None:
    patient = principal(Role.PATIENT)
    cancelled = cancel(patient, appointment(), "travel")
    assert (cancelled.reason, cancelled.cancellation_reason, cancelled.cancelled_by_role) == (
        "travel", "travel", "PATIENT",
    )  # fmt: skip
    with pytest.raises(InvalidTransition):
        cancel(patient, appointment(status=Status.COMPLETED), "travel")


def test_only_a_booked_appointment_not_yet_started_is_rescheduled() -> None:
    check_reschedulable(appointment(), NINE_LOCAL - timedelta(minutes=1))
    with pytest.raises(OnlyBookedReschedules):
        check_reschedulable(appointment(status=Status.CHECKED_IN), NINE_LOCAL - timedelta(minutes=1))
    with pytest.raises(AlreadyStarted):
        check_reschedulable(appointment(), NINE_LOCAL)


def test_details_are_closed_once_cancelled_and_actual_times_stay_in_order() -> None:
    check_details(appointment(), Details(chief_complaint="migraine"))
    with pytest.raises(AppointmentCancelled):
        check_details(appointment(status=Status.CANCELLED), Details(chief_complaint="migraine"))
    with pytest.raises(InvalidArgument) as raised:
        check_details(appointment(), Details(actual_end_time=NINE_LOCAL))
    assert raised.value.violations[0].field == "actualStartTime"
    with pytest.raises(InvalidArgument) as raised:
        check_details(appointment(actual_start_time=NINE_LOCAL), Details(actual_end_time=NINE_LOCAL - timedelta(1)))
    assert raised.value.violations[0].field == "actualEndTime"


def test_a_session_change_keeps_booked_patients_where_they_are() -> None:
    weekly = session(max_queue_size=10)
    booked = [appointment(queue_number=4, appointment_date=WEDNESDAY)]
    check_not_moving(weekly, dataclasses.replace(weekly.spec, max_queue_size=5), booked)
    check_not_moving(weekly, dataclasses.replace(weekly.spec, session_start_time=time(10, 0)), [])
    with pytest.raises(SessionHasBookings):
        check_not_moving(weekly, dataclasses.replace(weekly.spec, session_start_time=time(10, 0)), booked)
    check_keeps_bookings(dataclasses.replace(weekly.spec, max_queue_size=4), booked)
    with pytest.raises(CapacityBelowBookings):
        check_keeps_bookings(dataclasses.replace(weekly.spec, max_queue_size=3), booked)
    with pytest.raises(BookedAfterEnd):
        check_keeps_bookings(dataclasses.replace(weekly.spec, effective_until=WEDNESDAY - timedelta(days=1)), booked)


# What the system closes, and what the video call does


def test_what_is_left_open_two_hours_after_its_session_is_closed_by_the_system() -> None:
    ended = datetime(2026, 12, 2, 6, 30, tzinfo=UTC)  # 12:00 in Colombo
    assert leftover_move(appointment(), None, ended + CLOSE_AFTER - timedelta(seconds=1)) is None
    assert leftover_move(appointment(), None, ended + CLOSE_AFTER) == Move(Status.NO_SHOW, SYSTEM)
    not_seen = leftover_move(appointment(status=Status.CHECKED_IN), None, ended + timedelta(hours=3))
    assert not_seen == Move(
        Status.CANCELLED, SYSTEM, "NOT_SEEN", cancellation_reason="NOT_SEEN", cancelled_by_role="SYSTEM"
    )
    longer = DateOverride(end=time(14, 0))
    assert leftover_move(appointment(), longer, ended + timedelta(hours=3)) is None
    assert leftover_move(appointment(status=Status.IN_PROGRESS), None, ended + timedelta(hours=3)) is None


def test_joining_the_call_checks_the_patient_in_and_then_starts_the_consultation() -> None:
    booked = appointment()
    joined = NINE_LOCAL
    assert on_join(booked, booked.doctor_id, "DOCTOR", joined) is None  # the doctor first: nothing yet
    assert on_join(booked, booked.patient_id, "PATIENT", joined) == Move(
        Status.CHECKED_IN, Actor(booked.patient_id, "PATIENT")
    )
    checked_in = appointment(status=Status.CHECKED_IN)
    assert on_join(checked_in, checked_in.doctor_id, "DOCTOR", joined) == Move(
        Status.IN_PROGRESS, Actor(checked_in.doctor_id, "DOCTOR"), actual_start_time=joined
    )
    assert on_join(checked_in, uuid.uuid4(), "DOCTOR", joined) is None


def test_both_present_starts_the_consultation_whichever_joined_first() -> None:
    checked_in = appointment(status=Status.CHECKED_IN)
    assert on_consultation_start(checked_in, NINE_LOCAL) == Move(
        Status.IN_PROGRESS, Actor(checked_in.doctor_id, "DOCTOR"), actual_start_time=NINE_LOCAL
    )
    for status in (Status.IN_PROGRESS, Status.COMPLETED, Status.CANCELLED):
        assert on_consultation_start(appointment(status=status), NINE_LOCAL) is None


def test_a_move_whose_earlier_event_is_not_applied_yet_waits_for_it() -> None:
    """Events of one appointment may be handled by two replicas at once: the start met while still
    BOOKED, or the end of a call that started met while not started here, must come again later
    (dropped, the appointment would never leave CHECKED_IN)."""
    with pytest.raises(EarlierEventPending):
        on_consultation_start(appointment(status=Status.BOOKED), NINE_LOCAL)
    for status in (Status.BOOKED, Status.CHECKED_IN):
        with pytest.raises(EarlierEventPending):
            on_call_end(appointment(status=status), NINE_LOCAL, NINE_LOCAL + timedelta(minutes=20), SYSTEM)
    # A call that never started (no start time) leaves a booked appointment as it is.
    assert on_call_end(appointment(status=Status.CHECKED_IN), None, NINE_LOCAL, SYSTEM) is None


def test_the_end_of_the_call_completes_a_consultation_in_progress() -> None:
    running = appointment(status=Status.IN_PROGRESS, actual_start_time=NINE_LOCAL)
    end = NINE_LOCAL + timedelta(minutes=25)
    assert on_call_end(running, None, end, SYSTEM) == Move(
        Status.COMPLETED, SYSTEM, actual_start_time=NINE_LOCAL, actual_end_time=end
    )
    early_end = on_call_end(running, end, NINE_LOCAL, SYSTEM)
    assert early_end is not None
    assert early_end.actual_end_time == end  # never before its start
    assert on_call_end(appointment(), None, end, SYSTEM) is None
