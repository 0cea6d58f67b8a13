"""A token bucket per key, in the memory of one process: how often something may happen per caller.

For limits that guard a guess (a dispense code looked up by a pharmacy), not for quotas: each
replica keeps its own buckets, so N replicas allow up to N times the rate, and a restart refills them.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable

Clock = Callable[[], float]


class Throttle:
    """Up to `burst` events at once per key, refilled at one every `refill_seconds`."""

    def __init__(
        self, burst: int, refill_seconds: float, *, keys: int = 100_000, clock: Clock = time.monotonic
    ) -> None:
        self._burst = burst
        self._refill = refill_seconds
        self._keys = keys
        self._clock = clock
        self._buckets: OrderedDict[Hashable, tuple[float, float]] = OrderedDict()
        """Per key: tokens left, and when they were counted; the least recently used go first."""

    def _tokens(self, key: Hashable) -> float:
        tokens, counted = self._buckets.get(key, (float(self._burst), self._clock()))
        return min(float(self._burst), tokens + (self._clock() - counted) / self._refill)

    def wait_seconds(self, key: Hashable) -> int:
        """0 when `key` may go on now, else the whole seconds until it may."""
        missing = 1.0 - self._tokens(key)
        return 0 if missing <= 0 else max(1, math.ceil(missing * self._refill))

    def spend(self, key: Hashable) -> None:
        """One event of `key` happened."""
        self._buckets[key] = (max(0.0, self._tokens(key) - 1.0), self._clock())
        self._buckets.move_to_end(key)
        while len(self._buckets) > self._keys:
            self._buckets.popitem(last=False)
