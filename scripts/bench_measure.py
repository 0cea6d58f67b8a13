"""What every `pulseone bench` scenario shares: callers that time their calls, results with
percentiles, and tokens signed with the platform's own keys (the benchmark's users need no sign-in)."""

from __future__ import annotations

import asyncio
import os
import statistics
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path

import grpc
import jwt

from services.auth.crypto import KeyRing

Say = Callable[[str], None]


@dataclass(frozen=True)
class Result:
    scenario: str
    done: int
    seconds: float
    p50_ms: float
    p99_ms: float
    refused: int
    checks: str
    """What was verified after the run."""

    @property
    def per_second(self) -> float:
        return self.done / self.seconds

    def line(self) -> str:
        return (
            f"{self.scenario}: {self.done} in {self.seconds:.2f} s: {self.per_second:.0f}/s,"
            f" p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms, refused {self.refused}; {self.checks}"
        )


@dataclass(frozen=True)
class Timings:
    latencies: list[float]
    refused: int
    seconds: float

    def result(self, scenario: str, checks: str) -> Result:
        ordered = sorted(self.latencies)
        return Result(
            scenario,
            len(ordered) - self.refused,
            self.seconds,
            statistics.median(ordered),
            ordered[max(0, int(len(ordered) * 0.99) - 1)],
            self.refused,
            checks,
        )


def token(ring: KeyRing, user_id: str, role: str = "PATIENT") -> str:
    key = ring.current()
    now = int(time.time())
    claims = {"iss": "pulseone-auth", "aud": "pulseone", "sub": user_id, "role": role, "status": "ACTIVE",
              "iat": now, "exp": now + 3600, "jti": uuid.uuid4().hex}  # fmt: skip
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


def bearer(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)


async def timed(calls: list[Callable[[], Awaitable[object]]], concurrency: int) -> Timings:
    """Run the calls with `concurrency` callers; a call that fails with a gRPC error counts as refused."""
    latencies: list[float] = []
    refused = 0
    pending = list(reversed(calls))

    async def worker() -> None:
        nonlocal refused
        while pending:
            call = pending.pop()
            started = time.perf_counter()
            try:
                await call()
            except grpc.aio.AioRpcError:
                refused += 1
            latencies.append((time.perf_counter() - started) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return Timings(latencies, refused, time.perf_counter() - began)


TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and of every descendant that still runs; a process
    gone meanwhile counts as nothing."""
    total = 0.0
    for process in [pid, *_descendants(pid)]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return total


def _descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(entry.name))
    found, pending = [], list(children.get(pid, []))
    while pending:
        child = pending.pop()
        found.append(child)
        pending.extend(children.get(child, []))
    return found


class CpuMeter:
    """CPU seconds each component spends between `start()` and `stop()`: named processes with their
    children (PostgreSQL's backends are children of its postmaster)."""

    def __init__(self, components: dict[str, int]) -> None:
        self._components = components
        self._before: dict[str, float] = {}
        self.spent: dict[str, float] = {}

    def start(self) -> None:
        self._before = {name: cpu_seconds(pid) for name, pid in self._components.items()}

    def stop(self) -> dict[str, float]:
        self.spent = {name: cpu_seconds(pid) - self._before[name] for name, pid in self._components.items()}
        return self.spent
