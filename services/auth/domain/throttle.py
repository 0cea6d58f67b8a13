"""Login throttling per (email, client address): pure rules, applied by sign-in under a row lock."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

MAX_FAILURES = 5
WINDOW = timedelta(minutes=15)
FIRST_LOCKOUT = timedelta(seconds=30)
MAX_LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class ThrottleState:
    """Failures within the current window and the lockout they caused, for one email and address."""

    failures: int = 0
    window_started_at: datetime | None = None
    locked_until: datetime | None = None
    lockouts: int = 0


def lockout_for(lockouts: int) -> timedelta:
    """The n-th lockout in a row lasts twice as long as the one before, up to 15 minutes."""
    doubled: timedelta = FIRST_LOCKOUT * 2 ** min(max(0, lockouts - 1), 16)
    return min(doubled, MAX_LOCKOUT)


def retry_after(state: ThrottleState, now: datetime) -> int | None:
    """Seconds the caller must wait, or None when an attempt may be checked now."""
    if state.locked_until is None or state.locked_until <= now:
        return None
    return max(1, int((state.locked_until - now).total_seconds() + 0.999))


def after_refused_attempt(state: ThrottleState, now: datetime) -> ThrottleState:
    """An attempt while locked out (right password or not) doubles the lockout."""
    lockouts = state.lockouts + 1
    return replace(state, lockouts=lockouts, locked_until=now + lockout_for(lockouts))


def after_failure(state: ThrottleState, now: datetime) -> ThrottleState:
    """Count a wrong password; from the fifth within the window on, each one locks attempts out."""
    if state.window_started_at is None or now - state.window_started_at > WINDOW:
        state = ThrottleState(window_started_at=now)
    failures = state.failures + 1
    if failures < MAX_FAILURES:
        return replace(state, failures=failures)
    lockouts = state.lockouts + 1
    return replace(state, failures=failures, lockouts=lockouts, locked_until=now + lockout_for(lockouts))
