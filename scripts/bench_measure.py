"""What every `pulseone bench` scenario shares: percentiles, results with what was checked after the
run, the CPU and memory each component spends while a load runs, progress lines, and tokens signed
with the platform's own keys (the benchmark's users need no sign-in)."""

from __future__ import annotations

import math
import os
import resource
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jwt

from services.auth.crypto import KeyRing

Say = Callable[[str], None]

POSTGRES = "postgres"
"""The component whose memory is the sum of its processes' proportional shares (its backends all map
the same shared buffers, which a sum of resident sizes would count once per backend)."""
LOAD_TOOL = "load"
"""The CPU of the load generator: wrk, h2load or pgbench as this process's children, or this process
itself when its own gRPC client drives the load."""
OTHERS = "other"
"""The CPU everything else on the machine spent meanwhile: what makes a figure noisy."""


def percentile(ordered: Sequence[float], fraction: float) -> float:
    """The nearest-rank percentile of values sorted ascending (0 when there are none)."""
    if not ordered:
        return 0.0
    return ordered[max(1, math.ceil(fraction * len(ordered))) - 1]


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float
    p99_ms: float

    @classmethod
    def of(cls, latencies_ms: Iterable[float]) -> Latency:
        ordered = sorted(latencies_ms)
        return cls(percentile(ordered, 0.50), percentile(ordered, 0.95), percentile(ordered, 0.99))


@dataclass(frozen=True)
class Run:
    """What a load generator reports of its measured period (the warm-up excluded)."""

    ok: int
    errors: int
    seconds: float
    latency: Latency

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class Check:
    """What was verified after a run, and whether it held."""

    passed: bool
    detail: str


@dataclass(frozen=True)
class Result:
    key: str
    """A stable name for machines (JSON, ratios)."""
    title: str
    kind: str
    """"scenario" (the platform's own paths) or "ceiling" (what bounds them)."""
    tool: str
    run: Run
    cpu_ms: dict[str, float]
    """CPU milliseconds per request of each component, the load tool included."""
    check: Check

    @property
    def per_second(self) -> float:
        return self.run.per_second


# Processes


def _process_children() -> dict[int, list[int]]:
    """Every process's children, read from /proc at once."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    return children


def _tree(pid: int, children: dict[int, list[int]]) -> list[int]:
    """A process and its descendants (PostgreSQL's backends are children of its postmaster)."""
    found, pending = [], [pid]
    while pending:
        process = pending.pop()
        found.append(process)
        pending.extend(children.get(process, []))
    return found


TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of one process and of its children that ended (PostgreSQL's backends of
    connections closed meanwhile); a process gone meanwhile counts as nothing."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(field) for field in fields[11:15]) / TICKS  # utime, stime, cutime, cstime


def _memory_kb(pid: int, line: str) -> int:
    """A `kB` figure of /proc/<pid>/status (VmRSS) or smaps_rollup (Pss); 0 for a process gone."""
    source = "status" if line == "VmRSS:" else "smaps_rollup"
    try:
        text = Path(f"/proc/{pid}/{source}").read_text()
    except OSError:
        return 0
    return next((int(row.split()[1]) for row in text.splitlines() if row.startswith(line)), 0)


def _machine_busy_seconds() -> float:
    """CPU seconds every core of the machine spent on anything but idling, since boot."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    user, nice, system, _, _, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / TICKS


def _self_and_children_cpu() -> float:
    """CPU of this process and of its children that have ended (the load tool, once it exited)."""
    own, ended = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + ended.ru_utime + ended.ru_stime


class Components:
    """The platform's processes by component name (each with its descendants)."""

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids

    def cpu_seconds(self) -> dict[str, float]:
        """CPU so far of each component: its processes alive now and the children they reaped."""
        children = _process_children()
        return {name: sum(_cpu_seconds(p) for p in _tree(pid, children)) for name, pid in self.pids.items()}

    def memory_mb(self) -> dict[str, float]:
        """Resident memory of each component; PostgreSQL as the sum of its processes' proportional shares."""
        children = _process_children()
        return {
            name: sum(_memory_kb(p, "Pss:" if name == POSTGRES else "VmRSS:") for p in _tree(pid, children)) / 1024
            for name, pid in self.pids.items()
        }


# Measuring a run


@dataclass
class Measurement:
    """Filled while the measured block runs: memory samples (seconds since the start, MB per
    component), then, when it ends, CPU seconds per component."""

    samples: list[tuple[float, dict[str, float]]] = field(default_factory=list)
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    sampling_cpu_seconds: float = 0.0
    """What sampling took of this process's CPU: not the load tool's."""

    def per_request(self, requests: int) -> dict[str, float]:
        return {name: seconds * 1000 / max(requests, 1) for name, seconds in self.cpu_seconds.items()}

    def peak_mb(self) -> dict[str, float]:
        peaks: dict[str, float] = {}
        for _, sample in self.samples:
            for name, mb in sample.items():
                peaks[name] = max(mb, peaks.get(name, 0.0))
        return peaks


SAMPLE_EVERY = 0.5
Status = Callable[[Measurement], str]


def progress_every(seconds: float) -> float:
    """A progress line every five seconds, or about twenty lines in all for a long run."""
    return max(5.0, seconds / 20)


@contextmanager
def measured(
    components: Components, what: str, seconds: float, say: Say, status: Status | None = None
) -> Iterator[Measurement]:
    """Measure the block that runs a load: CPU of each component and of the load tool, memory sampled
    every half second, and a progress line every few seconds (with what `status` can tell cheaply)."""
    measurement = Measurement()
    stop = threading.Event()

    def watch() -> None:
        began = time.monotonic()
        every = progress_every(seconds)
        next_line = began + every
        while not stop.wait(SAMPLE_EVERY):
            measurement.samples.append((time.monotonic() - began, components.memory_mb()))
            if time.monotonic() >= next_line:
                next_line += every
                told = f", {status(measurement)}" if status is not None else ""
                say(f"    {what}: {min(time.monotonic() - began, seconds):.0f}/{seconds:.0f} s{told}")
        measurement.sampling_cpu_seconds = time.thread_time()

    before, load_before, machine_before = components.cpu_seconds(), _self_and_children_cpu(), _machine_busy_seconds()
    watcher = threading.Thread(target=watch, name="bench-watch", daemon=True)
    watcher.start()
    try:
        yield measurement
    finally:
        stop.set()
        watcher.join()
        after, load_after, machine_after = components.cpu_seconds(), _self_and_children_cpu(), _machine_busy_seconds()
        spent = {name: after[name] - before[name] for name in after}
        spent[LOAD_TOOL] = load_after - load_before - measurement.sampling_cpu_seconds
        spent[OTHERS] = max(0.0, machine_after - machine_before - sum(spent.values()))
        measurement.cpu_seconds = spent


def warm_share(count: int, warm_up: float, seconds: float) -> int:
    """How many of `count` things to be used once (places, prescriptions) the warm-up may take: its
    part of the time, so the measured run gets the rest."""
    return int(count * warm_up / (warm_up + seconds))


@dataclass(frozen=True)
class Load:
    """A scenario or a ceiling as the bench runs it: a warm-up, then the measured run at N concurrent
    clients for a fixed time, then the check of what the run did (given both runs)."""

    key: str
    title: str
    kind: str
    tool: str
    seconds: float
    warm_up: Callable[[], Run]
    run: Callable[[], Run]
    check: Callable[[Run, Run], Check]
    status: Status | None = None


def measure(load: Load, components: Components, say: Say) -> tuple[Result, Measurement]:
    say(f"  {load.title} ({load.tool}): warming up, then {load.seconds:.0f} s")
    warm = load.warm_up()
    with measured(components, load.title, load.seconds, say, load.status) as measurement:
        run = load.run()
    check = load.check(warm, run)
    result = Result(
        load.key, load.title, load.kind, load.tool, run, measurement.per_request(run.ok + run.errors), check
    )
    say(
        f"  {load.title}: {run.per_second:.0f}/s, p50 {run.latency.p50_ms:.1f} ms, p99 {run.latency.p99_ms:.1f} ms,"
        f" errors {run.errors}; {'' if check.passed else 'CHECK FAILED: '}{check.detail}"
    )
    return result, measurement


# Tokens


def token(ring: KeyRing, user_id: str, role: str = "PATIENT") -> str:
    key = ring.current()
    now = int(time.time())
    claims = {"iss": "pulseone-auth", "aud": "pulseone", "sub": user_id, "role": role, "status": "ACTIVE",
              "iat": now, "exp": now + 3600, "jti": uuid.uuid4().hex}  # fmt: skip
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


def bearer(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)
