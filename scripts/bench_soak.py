"""`pulseone bench --soak`: a steady mixed load (bookings, each cancelled again at once so places never
run out, and availability and calendar reads) for minutes, with every component's memory sampled, and
the verdict whether any of them grew from the first minute to the last."""

from __future__ import annotations

import statistics
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from scripts.bench_measure import Check, Load, Measurement, Run, token
from scripts.bench_schedule import CAPACITY, Schedule, booked_by_doctor, booking_line

if TYPE_CHECKING:
    from scripts.bench import Bench

SOAK_SCRIPT = Path(__file__).with_name("bench_soak.lua")
SOAK_DAYS = 28
PATIENTS = 503
"""Patients taking turns to book: a prime, so a patient meets the same occurrence again only after
PATIENTS x SOAK_DAYS bookings, long after their previous booking there was cancelled."""
WINDOW = 60.0
GREW_PERCENT = 10.0
GREW_MB = 20.0
DATA_STORES = frozenset({"postgres", "nats"})
"""Components whose memory follows what they hold: PostgreSQL touches more of its shared buffers (up to
`shared_buffers`) as the soak writes rows, NATS caches the blocks of a growing stream. Their growth is
reported, but only the platform's own stateless processes (the services, Envoy) must not grow."""
SERIES_EVERY = 5.0


@dataclass(frozen=True)
class Growth:
    """A component's memory in the soak's first and last window (medians of the samples)."""

    component: str
    first_mb: float
    last_mb: float

    @property
    def percent(self) -> float:
        return (self.last_mb - self.first_mb) * 100 / self.first_mb if self.first_mb else 0.0

    @property
    def grew(self) -> bool:
        """More than 10 % and more than 20 MB: noise and warm caches stay under one or the other."""
        return self.percent > GREW_PERCENT and self.last_mb - self.first_mb > GREW_MB

    @property
    def holds_data(self) -> bool:
        return self.component in DATA_STORES


@dataclass(frozen=True)
class Soak:
    seconds: float
    window: float
    series: list[tuple[float, dict[str, float]]]
    growth: list[Growth]

    @property
    def grown(self) -> list[str]:
        """The stateless processes that grew: what fails a soak."""
        return [g.component for g in self.growth if g.grew and not g.holds_data]


def growth(samples: list[tuple[float, dict[str, float]]], window: float) -> list[Growth]:
    """Each component's median memory over the first `window` seconds against the last."""
    end = samples[-1][0]
    first = [sample for at, sample in samples if at <= window]
    last = [sample for at, sample in samples if at >= end - window]
    return [
        Growth(name, statistics.median(s[name] for s in first), statistics.median(s[name] for s in last))
        for name in samples[0][1]
    ]


def thinned(samples: list[tuple[float, dict[str, float]]], every: float) -> list[tuple[float, dict[str, float]]]:
    """One sample every `every` seconds, for the JSON."""
    kept: list[tuple[float, dict[str, float]]] = []
    for at, sample in samples:
        if not kept or at - kept[-1][0] >= every:
            kept.append((round(at, 1), {name: round(mb, 1) for name, mb in sample.items()}))
    return kept


def soak(bench: Bench, seconds: int) -> Soak:
    """Run the mixed load for `seconds` on a doctor of its own, memory sampled throughout."""
    measurement = bench.record(_mixed_load(bench, bench.registry.doctor(SOAK_DAYS), seconds))
    window = min(WINDOW, seconds / 3)
    return Soak(seconds, window, thinned(measurement.samples, SERIES_EVERY), growth(measurement.samples, window))


def _mixed_load(bench: Bench, schedule: Schedule, seconds: int) -> Load:
    """A booking, an availability search and a calendar read in turn, each by one of the patients;
    the warm-up only reads, so no booking it leaves behind meets its patient again."""
    patients = [token(bench.ring, str(uuid.uuid4())) for _ in range(PATIENTS)]
    occurrences = schedule.occurrences()
    last = schedule.first_day + timedelta(days=6)
    availability = f"/api/availability?doctorId={schedule.doctor_id}&from={schedule.first_day}&to={last}"
    calendar = f"/api/doctors/{schedule.doctor_id}/calendar?from={schedule.first_day}&days=30"

    def reads_of(patient: str) -> list[str]:
        return [f"GET\t{availability}\t{patient}\t", f"GET\t{calendar}\t{patient}\t"]

    lines = []
    for n in range(PATIENTS * len(occurrences)):
        patient = patients[n % PATIENTS]
        lines += [booking_line(*occurrences[n % len(occurrences)], patient), *reads_of(patient)]
    reads = [line for patient in patients for line in reads_of(patient)]
    in_flight = bench.options.concurrency

    def check(warm: Run, run: Run) -> Check:
        held, fullest = booked_by_doctor(bench.platform, schedule.doctor_id)
        return Check(
            run.errors == 0 and held <= in_flight and fullest <= CAPACITY,
            f"{held} places still held (at most {in_flight} booked or cancelled when wrk stopped),"
            f" fullest occurrence {fullest}/{CAPACITY}",
        )

    def status(measurement: Measurement) -> str:
        latest = measurement.samples[-1][1] if measurement.samples else {}
        return "MB " + ", ".join(f"{name} {mb:.0f}" for name, mb in latest.items())

    return bench.wrk_load(
        "soak", "soak, mixed bookings and reads", lines, check, warm_lines=reads, seconds=seconds,
        script=SOAK_SCRIPT, arguments=(schedule.doctor_token,), status=status,
    )  # fmt: skip
