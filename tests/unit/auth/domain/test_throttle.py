from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.auth.domain.throttle import (
    MAX_FAILURES,
    MAX_LOCKOUT,
    WINDOW,
    ThrottleState,
    after_failure,
    after_refused_attempt,
    lockout_for,
    retry_after,
)

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def failures(count: int, at: datetime = NOW) -> ThrottleState:
    state = ThrottleState()
    for _ in range(count):
        state = after_failure(state, at)
    return state


def test_four_failures_do_not_lock() -> None:
    assert retry_after(failures(MAX_FAILURES - 1), NOW) is None


def test_the_fifth_failure_within_the_window_locks_further_attempts() -> None:
    state = failures(MAX_FAILURES)
    assert retry_after(state, NOW) == 30


def test_each_refused_attempt_doubles_the_wait_up_to_fifteen_minutes() -> None:
    state = failures(MAX_FAILURES)
    waits = []
    for _ in range(8):
        state = after_refused_attempt(state, NOW)
        waits.append(retry_after(state, NOW))
    assert waits == [60, 120, 240, 480, 900, 900, 900, 900]


def test_failures_outside_the_window_start_counting_again() -> None:
    state = failures(MAX_FAILURES - 1)
    state = after_failure(state, NOW + WINDOW + timedelta(seconds=1))
    assert state.failures == 1
    assert retry_after(state, NOW + WINDOW + timedelta(seconds=1)) is None


def test_a_failure_after_a_lockout_expires_locks_again_for_twice_as_long() -> None:
    state = failures(MAX_FAILURES)
    later = NOW + timedelta(seconds=31)
    assert retry_after(state, later) is None
    state = after_failure(state, later)
    assert retry_after(state, later) == 60


def test_lockout_never_exceeds_the_maximum() -> None:
    assert lockout_for(1) == timedelta(seconds=30)
    assert lockout_for(50) == MAX_LOCKOUT
