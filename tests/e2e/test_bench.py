"""`pulseone bench` in a tiny configuration: every scenario and ceiling measured and checked, the
JSON holding every figure and the chart drawn (speeds are the bench's to report, not to assert)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from scripts.bench import Options, run
from scripts.bench_report import save

SCENARIOS = {
    "booking_rest", "booking_grpc", "appointment_read", "session_read", "availability", "calendar", "login",
    "dispense_spread", "dispense_hot",
}  # fmt: skip
CEILINGS = {"pg_booking_txn", "pg_plain_booking", "trivial_direct", "trivial_envoy"}
COMPONENTS = {"envoy", "auth", "profile", "appointments", "inventory", "prescriptions", "video", "postgres", "nats"}


def test_the_bench_measures_every_scenario_beside_its_ceilings(tmp_path: Path) -> None:
    started = datetime.now().astimezone()
    # 3 s measured: a sign-in (Argon2) may take over a second on a busy 2-core machine.
    report = run(Options(seconds=3, warm_up=1, concurrency=4, dispenses=40), say=lambda _: None)
    chart = save(report, tmp_path / "bench.json", started)

    figures = json.loads((tmp_path / "bench.json").read_text())
    assert {s["key"] for s in figures["scenarios"]} == SCENARIOS
    assert {c["key"] for c in figures["ceilings"]} == CEILINGS
    for measured in figures["scenarios"] + figures["ceilings"]:
        assert measured["per_second"] > 0, measured["key"]
        assert measured["run"]["errors"] == 0, measured
        assert measured["check"]["passed"], measured
        assert 0 < measured["run"]["latency"]["p50_ms"] <= measured["run"]["latency"]["p99_ms"], measured["key"]
        assert set(measured["cpu_ms"]) == COMPONENTS | {"load", "other"}
    booking = next(s for s in figures["scenarios"] if s["key"] == "booking_rest")
    assert booking["cpu_ms"]["appointments"] > 0
    assert booking["cpu_ms"]["load"] > 0
    assert {v["scenario"] for v in figures["verdicts"]} == {
        "booking_rest", "booking_grpc", "availability", "calendar", "trivial_envoy",
    }  # fmt: skip
    cost = figures["audit_cost"]
    assert cost["audited_per_second"] > 0
    assert cost["unaudited_per_second"] > 0
    assert set(cost) >= {"per_second_difference", "service_cpu_ms_per_call", "postgres_cpu_ms_per_call"}
    assert set(figures["memory_mb"]) == COMPONENTS
    assert all(m["idle"] > 0 and m["storm_peak"] > 0 for m in figures["memory_mb"].values())
    assert figures["passed"]
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
