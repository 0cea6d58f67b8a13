"""Places to book: spread over the occurrences, every one a different patient's."""

from __future__ import annotations

from datetime import date

import pytest

from scripts.bench_schedule import Schedule, days_for

SESSIONS = tuple(f"session-{day}" for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun"))
SCHEDULE = Schedule("doctor", "token", SESSIONS, date(2026, 11, 30), 14)  # from a Monday


def test_each_date_is_booked_on_its_weekdays_session() -> None:
    occurrences = SCHEDULE.occurrences()
    assert occurrences[0] == ("session-mon", date(2026, 11, 30))
    assert occurrences[13] == ("session-sun", date(2026, 12, 13))


def test_consecutive_places_are_on_different_occurrences_and_patients() -> None:
    places = SCHEDULE.places(30)
    assert [(p.session_id, p.day) for p in places[:14]] == SCHEDULE.occurrences()
    assert (places[14].session_id, places[14].day) == (places[0].session_id, places[0].day)
    assert len({p.patient_id for p in places}) == 30


def test_no_more_places_than_the_occurrences_hold() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        SCHEDULE.places(14 * 100 + 1)
    assert days_for(42_000) == 420
    assert days_for(10) == 7
