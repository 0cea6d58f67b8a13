"""The per-key token bucket: a burst, then one event per refill period; keys apart; memory bounded."""

from __future__ import annotations

from services.common.throttle import Throttle


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_burst_then_one_event_per_refill_period() -> None:
    clock = Clock()
    throttle = Throttle(3, 10.0, clock=clock)
    for _ in range(3):
        assert throttle.wait_seconds("a") == 0
        throttle.spend("a")
    assert throttle.wait_seconds("a") == 10
    clock.now = 4.0
    assert throttle.wait_seconds("a") == 6
    clock.now = 10.0
    assert throttle.wait_seconds("a") == 0
    throttle.spend("a")
    assert throttle.wait_seconds("a") == 10
    clock.now = 1000.0  # refills to the burst, never beyond
    for _ in range(3):
        throttle.spend("a")
    assert throttle.wait_seconds("a") == 10


def test_keys_are_apart_and_the_least_recent_are_forgotten() -> None:
    clock = Clock()
    throttle = Throttle(1, 60.0, keys=2, clock=clock)
    throttle.spend("a")
    assert throttle.wait_seconds("a") == 60
    assert throttle.wait_seconds("b") == 0
    throttle.spend("b")
    throttle.spend("c")  # "a" is the least recently used of three: dropped, so it starts afresh
    assert throttle.wait_seconds("a") == 0
    assert throttle.wait_seconds("c") == 60
