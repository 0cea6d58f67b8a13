"""The soak's verdict: memory that grew from the first window to the last."""

from __future__ import annotations

from scripts.bench_soak import Growth, Soak, growth, thinned


def test_a_component_grew_only_past_both_ten_percent_and_twenty_megabytes() -> None:
    assert Growth("appointments", 100, 125).grew
    assert not Growth("appointments", 100, 109).grew  # 9 MB
    assert not Growth("postgres", 300, 325).grew  # 25 MB but 8 %
    assert not Growth("nats", 20, 35).grew  # 75 % but 15 MB
    assert Growth("nats", 20, 35).percent == 75.0


def test_growth_compares_the_medians_of_the_first_and_last_windows() -> None:
    samples = [(float(t), {"auth": 100.0 + (t >= 200) * 30, "video": 150.0}) for t in range(0, 301, 5)]
    samples[1][1]["auth"] = 500.0  # one outlier in the first window moves no median
    found = {g.component: g for g in growth(samples, window=60)}
    assert (found["auth"].first_mb, found["auth"].last_mb, found["auth"].grew) == (100.0, 130.0, True)
    assert not found["video"].grew


def test_the_series_is_thinned_to_one_sample_every_few_seconds() -> None:
    samples = [(t / 2, {"auth": 100.0}) for t in range(21)]
    assert [at for at, _ in thinned(samples, every=5)] == [0.0, 5.0, 10.0]


def test_only_the_stateless_processes_fail_a_soak_by_growing() -> None:
    """PostgreSQL and NATS hold what the soak writes; their growth is shown, not failed on."""
    growths = [Growth("postgres", 150, 250), Growth("nats", 30, 60), Growth("appointments", 115, 150)]
    soak = Soak(300, 60, [], growths)
    assert [g.grew for g in growths] == [True, True, True]
    assert soak.grown == ["appointments"]
