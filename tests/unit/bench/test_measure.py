"""What every bench scenario shares: percentiles and the warm-up's share of what is used once."""

from __future__ import annotations

from scripts.bench_measure import Latency, Measurement, percentile, warm_share


def test_percentiles_are_nearest_rank() -> None:
    ordered = [float(n) for n in range(1, 101)]
    assert (percentile(ordered, 0.5), percentile(ordered, 0.95), percentile(ordered, 0.99)) == (50, 95, 99)
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) == 0.0
    assert Latency.of([3.0, 1.0, 2.0]) == Latency(2.0, 3.0, 3.0)


def test_the_warm_up_takes_its_part_of_the_time() -> None:
    assert warm_share(12_000, 2, 10) == 2_000
    assert warm_share(40, 1, 1) == 20


def test_cpu_is_counted_per_request_and_memory_at_its_peak() -> None:
    measured = Measurement([(0.5, {"auth": 100.0}), (1.0, {"auth": 120.0}), (1.5, {"auth": 110.0})], {"auth": 2.0})
    assert measured.per_request(1000) == {"auth": 2.0}
    assert measured.per_request(0) == {"auth": 2000.0}
    assert measured.peak_mb() == {"auth": 120.0}
