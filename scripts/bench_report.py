"""What `pulseone bench` tells: a table of the scenarios and ceilings with each component's CPU per
request, each scenario's ratio to the ceilings that bound it and the issue's targets, memory idle and
under the booking storm, the soak's verdict; the same as JSON for machines and as a PNG chart."""

from __future__ import annotations

import json
import os
import platform
import sys
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scripts.bench_measure import LOAD_TOOL, OTHERS, POSTGRES, Result
from scripts.bench_soak import Soak


@dataclass(frozen=True)
class Report:
    seconds: int
    warm_up: int
    concurrency: int
    results: list[Result]
    idle_mb: dict[str, float]
    storm_peak_mb: dict[str, float]
    """Memory peaks under the REST booking storm."""
    soak: Soak | None

    def find(self, key: str) -> Result | None:
        return next((r for r in self.results if r.key == key), None)

    @property
    def passed(self) -> bool:
        """Every check held (speed is reported, not judged here)."""
        return all(r.check.passed for r in self.results) and not (self.soak and self.soak.grown)


AUDIT_COST_PAIR = ("appointment_read", "session_read")
"""The audited read and the comparable unaudited read of one service whose difference is the audit's cost."""


def audit_cost(results: list[Result]) -> dict[str, float] | None:
    """What auditing a read costs per call: the difference between the audited read and the
    comparable unaudited one, in throughput and in CPU (the service, PostgreSQL, the whole platform)."""
    audited, plain = (next((r for r in results if r.key == key), None) for key in AUDIT_COST_PAIR)
    if audited is None or plain is None:
        return None

    def platform_ms(result: Result) -> float:
        return sum(ms for name, ms in result.cpu_ms.items() if name not in (LOAD_TOOL, OTHERS))

    return {
        "audited_per_second": round(audited.per_second, 1),
        "unaudited_per_second": round(plain.per_second, 1),
        "per_second_difference": round(plain.per_second - audited.per_second, 1),
        "per_second_percent": round(100 * (plain.per_second - audited.per_second) / plain.per_second, 1)
        if plain.per_second
        else 0.0,
        "service_cpu_ms_per_call": round(
            audited.cpu_ms.get("appointments", 0.0) - plain.cpu_ms.get("appointments", 0.0), 3
        ),
        "postgres_cpu_ms_per_call": round(audited.cpu_ms.get(POSTGRES, 0.0) - plain.cpu_ms.get(POSTGRES, 0.0), 3),
        "platform_cpu_ms_per_call": round(platform_ms(audited) - platform_ms(plain), 3),
    }


def audit_cost_line(results: list[Result]) -> list[str]:
    cost = audit_cost(results)
    if cost is None:
        return []
    return [
        f"audit cost per read: {cost['per_second_difference']:.0f} req/s fewer ({cost['per_second_percent']:.1f}%),"
        f" CPU ms per call +{cost['service_cpu_ms_per_call']:.3f} appointments,"
        f" +{cost['postgres_cpu_ms_per_call']:.3f} PostgreSQL, +{cost['platform_cpu_ms_per_call']:.3f} in all"
    ]


@dataclass(frozen=True)
class Bound:
    """A scenario's throughput against a ceiling's, with the least ratio the issue asks for."""

    scenario: str
    ceiling: str
    target: float | None = None


BOUNDS = (
    Bound("booking_rest", "pg_booking_txn", 0.7),
    Bound("booking_rest", "pg_plain_booking", 0.5),
    Bound("booking_grpc", "pg_booking_txn"),
    Bound("availability", "trivial_envoy", 0.5),
    Bound("calendar", "trivial_envoy"),
    Bound("trivial_envoy", "trivial_direct"),
)
P99_TARGETS = {"booking_rest": 50.0}
"""The most a scenario's p99 may be, in milliseconds."""


@dataclass(frozen=True)
class Verdict:
    """A figure beside what it is measured against: a ratio to a ceiling or a p99 in milliseconds."""

    scenario: str
    against: str
    value: float
    target: float | None
    at_least: bool

    @property
    def met(self) -> bool | None:
        if self.target is None:
            return None
        return self.value >= self.target if self.at_least else self.value <= self.target

    def line(self, titles: dict[str, str]) -> str:
        if self.against == "p99":
            said = f"p99 {self.value:.1f} ms"
        else:
            said = f"{self.value:.3f} x {titles.get(self.against, self.against)}"
        if self.target is None:
            return said
        sign, unit = ("≥", "") if self.at_least else ("≤", " ms")
        return f"{said}   target {sign} {self.target:g}{unit}: {'met' if self.met else 'NOT MET'}"


def verdicts(results: list[Result]) -> list[Verdict]:
    """The ratios of every bound both of whose figures were measured, and the p99 targets."""
    found = {r.key: r for r in results}
    ratios = [
        Verdict(b.scenario, b.ceiling, found[b.scenario].per_second / found[b.ceiling].per_second, b.target, True)
        for b in BOUNDS
        if b.scenario in found and b.ceiling in found and found[b.ceiling].per_second > 0
    ]
    latencies = [
        Verdict(key, "p99", found[key].run.latency.p99_ms, limit, False)
        for key, limit in P99_TARGETS.items()
        if key in found
    ]
    return ratios + latencies


# The table

SHORT = {"appointments": "appts", "inventory": "invent", "prescriptions": "prescr", POSTGRES: "pg"}
LOAD_TOOL_BUSY = 0.8
"""Cores of load-tool CPU above which the tool may be what limits a figure."""
OTHERS_BUSY = 0.25
"""Cores other processes may keep busy before a figure is called noisy."""


def components_of(results: list[Result]) -> list[str]:
    """The components in the order the table shows them: the platform's, the load tool, the rest."""
    names: list[str] = []
    for result in results:
        names += [n for n in result.cpu_ms if n not in names and n not in (LOAD_TOOL, OTHERS)]
    return [*names, LOAD_TOOL, OTHERS]


def cores(result: Result, component: str) -> float:
    """The cores a component kept busy on average during the measured run."""
    requests = result.run.ok + result.run.errors
    return result.cpu_ms.get(component, 0.0) * requests / 1000 / result.run.seconds if result.run.seconds else 0.0


def table(report: Report) -> list[str]:
    """One row per scenario, then per ceiling, each followed by its check, its ratios and targets."""
    components = components_of(report.results)
    titles = {r.key: r.title for r in report.results}
    judged = verdicts(report.results)
    width = max([len(f"{r.title} ({r.tool})") for r in report.results] + [20])
    cpu_header = " ".join(f"{SHORT.get(n, n):>6}" for n in components)
    lines = [
        f"{'':<{width}}  {'':>8} {'latency ms':^20} {'':>6}   CPU ms per request",
        f"{'scenario':<{width}}  {'req/s':>8} {'p50':>6} {'p95':>6} {'p99':>6} {'errors':>6}   {cpu_header}",
    ]
    for kind in ("scenario", "ceiling"):
        rows = [r for r in report.results if r.kind == kind]
        if rows and kind == "ceiling":
            lines.append("ceilings (same machine, same run)")
        for result in rows:
            lines += _row(result, components, width)
            lines += [f"    = {v.line(titles)}" for v in judged if v.scenario == result.key]
    return lines


def _row(result: Result, components: list[str], width: int) -> list[str]:
    run, latency = result.run, result.run.latency
    cpu = " ".join(f"{result.cpu_ms.get(n, 0.0):>6.2f}" for n in components)
    lines = [
        f"{result.title + ' (' + result.tool + ')':<{width}}  {run.per_second:>8.0f} {latency.p50_ms:>6.1f}"
        f" {latency.p95_ms:>6.1f} {latency.p99_ms:>6.1f} {run.errors:>6}   {cpu}",
        f"    {'checked' if result.check.passed else 'CHECK FAILED'}: {result.check.detail}",
    ]
    if (used := cores(result, LOAD_TOOL)) > LOAD_TOOL_BUSY:
        lines.append(f"    the load tool used {used:.2f} cores: it may be what limits this figure")
    if (used := cores(result, OTHERS)) > OTHERS_BUSY:
        lines.append(f"    other processes on the machine used {used:.2f} cores meanwhile: this figure is noisy")
    return lines


def memory_table(report: Report) -> list[str]:
    lines = [f"{'memory (MB)':<28} {'idle':>8} {'peak, REST booking storm':>26}"]
    for name, idle in report.idle_mb.items():
        label = f"{name} (PSS, all processes)" if name == POSTGRES else f"{name} (RSS)"
        peak = report.storm_peak_mb.get(name)
        lines.append(f"{label:<28} {idle:>8.1f} {'' if peak is None else f'{peak:.1f}':>26}")
    return lines


def soak_table(soak: Soak) -> list[str]:
    lines = [
        f"soak: {soak.seconds:.0f} s; memory (MB) as medians of the first and the last {soak.window:.0f} s",
        f"{'component':<16} {'first':>8} {'last':>8} {'growth':>8}",
    ]
    for g in soak.growth:
        grew = ("  grew with the data it holds" if g.holds_data else "  GREW") if g.grew else ""
        lines.append(f"{g.component:<16} {g.first_mb:>8.1f} {g.last_mb:>8.1f} {g.percent:>7.1f}%{grew}")
    grown = ", ".join(soak.grown)
    lines.append(
        f"grew (> 10 % and > 20 MB): {grown}" if grown else "no service and not Envoy grew (> 10 % and > 20 MB)"
    )
    return lines


def settings(report: Report) -> str:
    measured = f"a {report.soak.seconds:.0f} s soak" if report.soak else f"{report.seconds} s per scenario"
    return f"{report.concurrency} concurrent clients, {measured} after {report.warm_up} s warm-up"


def text(report: Report) -> list[str]:
    """Everything the bench prints at the end."""
    lines = [
        f"PulseOne bench: {settings(report)}",
        *table(report),
        *audit_cost_line(report.results),
        "",
        *memory_table(report),
    ]
    if report.soak is not None:
        lines += ["", *soak_table(report.soak)]
    return lines


# For machines


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    memory_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal:")
    )
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "kernel": platform.release(),
        "python": sys.version.split()[0],
        "load_average": os.getloadavg(),
    }


def as_json(report: Report, started: datetime) -> dict[str, Any]:
    """Every figure of the report, for machines."""

    def result(r: Result) -> dict[str, Any]:
        return {**asdict(r), "per_second": r.per_second}

    return {
        "started": started.astimezone(UTC).isoformat(),
        "machine": machine(),
        "options": {"seconds": report.seconds, "warm_up": report.warm_up, "concurrency": report.concurrency},
        "scenarios": [result(r) for r in report.results if r.kind == "scenario"],
        "ceilings": [result(r) for r in report.results if r.kind == "ceiling"],
        "verdicts": [{**asdict(v), "met": v.met} for v in verdicts(report.results)],
        "audit_cost": audit_cost(report.results),
        "memory_mb": {
            name: {"idle": idle, "storm_peak": report.storm_peak_mb.get(name)} for name, idle in report.idle_mb.items()
        },
        "soak": None if report.soak is None else soak_json(report.soak),
        "passed": report.passed,
    }


def soak_json(soak: Soak) -> dict[str, Any]:
    growth = [{**asdict(g), "percent": g.percent, "grew": g.grew, "holds_data": g.holds_data} for g in soak.growth]
    return {**asdict(soak), "growth": growth, "grown": soak.grown}


def chart(report: Report, path: Path) -> None:
    """Throughput per scenario and ceiling beside their p50/p95/p99, as a PNG (with the soak's memory
    over time below when there was one)."""
    import matplotlib  # noqa: PLC0415 - loaded only when a chart is drawn

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    rows = len(report.results)
    soaked = report.soak is not None and bool(report.soak.series)
    figure = plt.figure(figsize=(15, 2 + 0.45 * rows + 4 * soaked))
    grid = figure.add_gridspec(1 + soaked, 2, height_ratios=[0.45 * rows + 1, 4][: 1 + soaked])
    throughput = figure.add_subplot(grid[0, 0])
    latency = figure.add_subplot(grid[0, 1], sharey=throughput)
    labels = [f"{r.title} ({r.tool})" for r in report.results]
    colours = ["tab:blue" if r.kind == "scenario" else "tab:gray" for r in report.results]
    throughput.barh(range(rows), [max(r.per_second, 0.1) for r in report.results], color=colours)
    for row, result in enumerate(report.results):
        throughput.annotate(f" {result.per_second:,.0f}/s", (max(result.per_second, 0.1), row), va="center")
    throughput.set_yticks(range(rows), labels)
    throughput.set(xscale="log", xlabel="requests per second (log scale); grey: ceilings", title="Throughput")
    fastest = max([r.per_second for r in report.results] + [1.0])
    throughput.set_xlim(left=1, right=fastest * 4)  # room for the figures written after the bars
    throughput.invert_yaxis()
    height = 0.27
    for offset, name in enumerate(("p50", "p95", "p99")):
        values = [max(getattr(r.run.latency, f"{name}_ms"), 0.01) for r in report.results]
        latency.barh([row + (offset - 1) * height for row in range(rows)], values, height=height, label=name)
    latency.set(xscale="log", xlabel="milliseconds (log scale)", title="Latency percentiles")
    latency.tick_params(labelleft=False)
    latency.legend()
    if report.soak is not None and soaked:
        memory = figure.add_subplot(grid[1, :])
        times = [at for at, _ in report.soak.series]
        for name in report.soak.series[0][1]:
            memory.plot(times, [sample[name] for _, sample in report.soak.series], label=name)
        memory.set(xlabel="seconds into the soak", ylabel="MB", title="Memory during the soak")
        memory.legend(fontsize="small", ncol=5)
    figure.suptitle(f"PulseOne bench: {settings(report)}")
    figure.tight_layout()
    figure.savefig(path, dpi=90)
    plt.close(figure)


def save(report: Report, figures: Path, started: datetime) -> Path:
    """Write the JSON to `figures` and the chart beside it; returns the chart's path."""
    figures.parent.mkdir(parents=True, exist_ok=True)
    figures.write_text(json.dumps(as_json(report, started), indent=1))
    drawn = figures.with_suffix(".png")
    chart(report, drawn)
    return drawn
