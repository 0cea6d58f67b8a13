"""The bench's report: ratios to the ceilings and the issue's targets, the table, JSON and chart."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from scripts.bench_measure import Check, Latency, Result, Run
from scripts.bench_report import Report, audit_cost, save, table, text, verdicts


def result(key: str, per_second: float, *, kind: str = "scenario", p99: float = 10.0, load_ms: float = 0.1) -> Result:
    run = Run(int(per_second * 10), 0, 10.0, Latency(p99 / 4, p99 / 2, p99))
    cpu = {"envoy": 0.5, "appointments": 4.0, "postgres": 1.0, "load": load_ms}
    return Result(key, key.replace("_", " "), kind, "wrk", run, cpu, Check(True, f"{key} checked"))


def report(*results: Result) -> Report:
    return Report(10, 2, 50, list(results), {"envoy": 70.0, "postgres": 60.0}, {"envoy": 75.0}, None)


SUITE = (
    result("booking_rest", 800, p99=40),
    result("booking_grpc", 900),
    result("availability", 1000),
    result("calendar", 500),
    result("trivial_direct", 4000, kind="ceiling"),
    result("trivial_envoy", 2000, kind="ceiling"),
    result("pg_booking_txn", 1000, kind="ceiling"),
    result("pg_plain_booking", 2000, kind="ceiling"),
)


def test_each_scenario_is_divided_by_the_ceilings_that_bound_it() -> None:
    found = {(v.scenario, v.against): v for v in verdicts(list(SUITE))}
    assert found["booking_rest", "pg_booking_txn"].value == 0.8
    assert found["booking_rest", "pg_plain_booking"].value == 0.4
    assert found["booking_grpc", "pg_booking_txn"].value == 0.9
    assert found["availability", "trivial_envoy"].value == 0.5
    assert found["calendar", "trivial_envoy"].value == 0.25
    assert found["trivial_envoy", "trivial_direct"].value == 0.5


def test_targets_are_met_or_not_as_the_issue_sets_them() -> None:
    found = {(v.scenario, v.against): v.met for v in verdicts(list(SUITE))}
    assert found["booking_rest", "pg_booking_txn"] is True  # 0.8 >= 0.7
    assert found["booking_rest", "pg_plain_booking"] is False  # 0.4 < 0.5
    assert found["booking_rest", "p99"] is True  # 40 ms <= 50 ms
    assert found["availability", "trivial_envoy"] is True  # exactly 0.5
    assert found["calendar", "trivial_envoy"] is None  # no target


def test_a_ratio_without_its_ceiling_is_left_out() -> None:
    assert {v.against for v in verdicts([result("booking_rest", 800)])} == {"p99"}
    assert verdicts([result("booking_rest", 800), result("pg_booking_txn", 0, kind="ceiling")])[0].against == "p99"


def test_the_table_prints_each_ratio_under_its_scenario() -> None:
    lines = table(report(*SUITE))
    row = next(n for n, line in enumerate(lines) if line.startswith("booking rest (wrk)"))
    assert lines[row].split()[3:9] == ["800", "10.0", "20.0", "40.0", "0", "0.50"]
    assert lines[row + 1] == "    checked: booking_rest checked"
    assert lines[row + 2].endswith("target ≥ 0.7: met")
    assert lines[row + 3].endswith("target ≥ 0.5: NOT MET")
    assert "p99 40.0 ms" in lines[row + 4]
    assert lines.index("ceilings (same machine, same run)") > row


def test_the_table_says_when_a_check_failed_the_load_tool_may_limit_or_others_made_noise() -> None:
    failed = Result("login", "login", "scenario", "wrk", Run(5, 1, 1.0, Latency(1, 2, 3)), {}, Check(False, "wrong"))
    busy = result("availability", 1000, load_ms=1.0)  # 1 ms a request at 1,000/s: a whole core
    noisy = result("calendar", 100)
    noisy.cpu_ms["other"] = 5.0  # half a core at 100/s
    lines = table(report(failed, busy, noisy))
    assert "    CHECK FAILED: wrong" in lines
    assert any("the load tool used 1.00 cores" in line for line in lines)
    assert any("other processes on the machine used 0.50 cores meanwhile" in line for line in lines)


def test_memory_is_reported_idle_and_at_the_storms_peak() -> None:
    lines = text(report(*SUITE))
    assert any(line.split() == ["envoy", "(RSS)", "70.0", "75.0"] for line in lines)
    assert any(line.split() == ["postgres", "(PSS,", "all", "processes)", "60.0"] for line in lines)


def test_the_json_holds_every_figure_and_the_chart_is_a_png(tmp_path: Path) -> None:
    figures = tmp_path / "bench.json"
    chart = save(report(*SUITE), figures, datetime(2026, 11, 25, tzinfo=UTC))
    written = json.loads(figures.read_text())
    assert [s["key"] for s in written["scenarios"]] == ["booking_rest", "booking_grpc", "availability", "calendar"]
    assert written["ceilings"][0]["per_second"] == 4000
    assert written["ceilings"][0]["cpu_ms"]["envoy"] == 0.5
    assert {v["met"] for v in written["verdicts"]} == {True, False, None}
    assert written["memory_mb"]["envoy"] == {"idle": 70.0, "storm_peak": 75.0}
    assert written["machine"]["cpus"] > 0
    assert chart == tmp_path / "bench.png"
    assert chart.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_the_audit_cost_is_the_audited_read_beside_the_unaudited_one() -> None:
    audited = result("appointment_read", 800.0)
    plain = result("session_read", 1000.0)
    audited.cpu_ms.update({"appointments": 1.5, "postgres": 0.4, "envoy": 0.2})
    plain.cpu_ms.update({"appointments": 1.0, "postgres": 0.1, "envoy": 0.2})

    cost = audit_cost([audited, plain])

    assert cost is not None
    assert (cost["per_second_difference"], cost["per_second_percent"]) == (200.0, 20.0)
    assert (cost["service_cpu_ms_per_call"], cost["postgres_cpu_ms_per_call"]) == (0.5, 0.3)
    assert cost["platform_cpu_ms_per_call"] == 0.8
    assert any(line.startswith("audit cost per read: 200 req/s fewer") for line in text(report(audited, plain)))


def test_without_both_reads_there_is_no_audit_cost() -> None:
    assert audit_cost([result("appointment_read", 800.0)]) is None
