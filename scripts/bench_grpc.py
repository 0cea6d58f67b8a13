"""The bench's own gRPC load: N concurrent callers (coroutines of this process) that take calls from
one supply until a deadline or until the supply runs out, timing each. For the scenarios no C tool
can drive (every call a different patient's or prescription's); its CPU is reported as the load tool's."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

import grpc

from scripts.bench_measure import Check, Latency, Load, Run, warm_share

Call = Callable[[], Awaitable[object]]
T = TypeVar("T")


@dataclass
class Tally:
    """Calls answered so far: the progress line reads it while the callers run."""

    latencies_ms: list[float] = field(default_factory=list)
    refused: int = 0
    ran_out: bool = False

    @property
    def answered(self) -> int:
        return len(self.latencies_ms)


async def drive(calls: Iterator[Call], concurrency: int, seconds: float, tally: Tally | None = None) -> Run:
    """Run calls with `concurrency` callers for `seconds`; a call already started when time is up is
    waited for and counted. A gRPC error counts as refused."""
    tally = tally if tally is not None else Tally()
    deadline = time.perf_counter() + seconds

    async def caller() -> None:
        while time.perf_counter() < deadline:
            call = next(calls, None)
            if call is None:
                tally.ran_out = True
                return
            started = time.perf_counter()
            try:
                await call()
            except grpc.aio.AioRpcError:
                tally.refused += 1
            tally.latencies_ms.append((time.perf_counter() - started) * 1000)

    began = time.perf_counter()
    await asyncio.gather(*(caller() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    return Run(tally.answered - tally.refused, tally.refused, elapsed, Latency.of(tally.latencies_ms))


def grpc_load(
    key: str,
    title: str,
    address: str,
    call_of: Callable[[grpc.aio.Channel, T], Call],
    supply: list[T],
    *,
    concurrency: int,
    seconds: float,
    warm_up: float,
    check: Callable[[Run, Run], Check],
) -> Load:
    """A scenario driven by this process over one channel to `address`: `call_of` makes a call of an
    item of the supply on a channel, and no item is used twice. The warm-up may take the supply's
    first items in proportion to its length, the measured run the rest; a supply that runs out ends
    the run early, and the check says so."""
    tally = Tally()
    share = warm_share(len(supply), warm_up, seconds)

    def run_for(items: list[T], duration: float, counted: Tally) -> Run:
        async def calls() -> Run:
            async with grpc.aio.insecure_channel(address) as channel:
                return await drive((call_of(channel, item) for item in items), concurrency, duration, counted)

        return asyncio.run(calls())

    def checked(warm: Run, run: Run) -> Check:
        found = check(warm, run)
        if not tally.ran_out:
            return found
        return Check(found.passed, f"{found.detail}; the supply ran out after {run.seconds:.1f} s")

    return Load(
        key, title, "scenario", "grpc.aio", seconds,
        warm_up=lambda: run_for(supply[:share], warm_up, Tally()),
        run=lambda: run_for(supply[share:], seconds, tally), check=checked,
        status=lambda _: f"{tally.answered} answered",
    )  # fmt: skip
