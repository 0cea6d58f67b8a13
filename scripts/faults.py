"""`pulseone faults`: SPEC 5's "nothing lost" put to the test on a platform of its own. While a
scripted load books, cancels, reschedules, prescribes and dispenses through the gateway, a replica of
appointments and one of inventory are killed with SIGKILL, NATS is stopped and started, PostgreSQL
is restarted and a consumer is paused past its ack wait; once the platform has settled, every reply
the load got is held against the databases, every event against each consumer's inbox, and the
invariants are checked. The report prints the counts; any violation fails the run."""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import shutil
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import grpc
from pulseone.inventory.v1 import inventory_pb2_grpc

from scripts.bench import backlog
from scripts.bench_dispense import UNITS, Pharmacy, stock
from scripts.bench_measure import token
from scripts.bench_schedule import Registry, Schedule
from scripts.demo import made_for, register
from scripts.faults_checks import (
    Check,
    appointment_effects,
    event_checks,
    events,
    invariants,
    prescription_effects,
    stock_effects,
)
from scripts.faults_inject import Fault, Injector, Say, redeliveries, schedule, wait_recovered
from scripts.faults_load import World, run_load
from scripts.platform import SERVICES, Platform
from scripts.stack import free_port
from services.auth.crypto import KeyRing

REPLICAS = {"appointments": 2, "inventory": 2, "profile": 2}
ACK_WAIT_SECONDS = 5.0
"""The consumers' ack wait for the run: short, so a paused consumer's events are redelivered soon."""
CAPACITY = 8
"""Places per occurrence: small, so bookings contend for the last places and the capacity rule bites."""
DAYS = 14
"""Days booked at least; more for a bigger run (see `_days`), so places stay scarce but not gone."""
PATIENTS_PER_CLIENT = 6
PRESCRIBING_PHARMACIES = 2
HOT_UNITS_PER_SECOND = 3
"""Stock of the item direct dispenses draw from, per second of load: it may run out, and must
never go below zero."""
SETTLE_TIMEOUT = 180.0


@dataclass(frozen=True)
class Options:
    seconds: float = 60.0
    clients: int = 8
    doctors: int = 2


@dataclass
class Report:
    """What the run did and found: requests by kind and outcome, the faults and their facts, the
    event figures per consumer, redeliveries per service, and every check with its counts."""

    options: dict[str, Any]
    requests: dict[str, dict[str, int]]
    retried: int
    faults: list[dict[str, Any]]
    consumers: dict[str, dict[str, Any]]
    unsent: dict[str, int]
    dead_letters: dict[str, int]
    redeliveries: dict[str, float]
    settle_seconds: float
    checks: list[dict[str, Any]] = field(default_factory=list)

    @property
    def violations(self) -> int:
        return sum(int(c["violations"]) for c in self.checks)

    @property
    def passed(self) -> bool:
        return self.violations == 0 and all(f["happened"] for f in self.faults)


def run(options: Options, say: Say = print) -> Report:
    """Start a platform in a scratch directory, run the load and the faults, settle, check, stop."""
    state = Path(tempfile.mkdtemp(prefix="pulseone-faults-"))
    state.chmod(0o755)
    platform = _platform(state)
    began = time.monotonic()
    try:
        platform.start(lambda line: say(f"  {line}"))
        world = prepare(platform, options, say)
        faults = schedule(platform, options.seconds, ACK_WAIT_SECONDS)
        injector = Injector(faults, say)
        say(f"load: {options.clients} clients for {options.seconds:.0f} s; faults at " + ", ".join(
            f"{f.at:.0f} s ({f.name})" for f in faults
        ))  # fmt: skip
        injector.start()
        asyncio.run(run_load(world, platform.gateway_url, options.clients, options.seconds, injector.running))
        injector.join()
        wait_recovered(platform)
        settled = settle(platform)
        say(f"settled {settled:.1f} s after the load")
        return report(platform, options, world, faults, settled)
    finally:
        platform.stop()
        shutil.rmtree(state, ignore_errors=True)
        say(f"faults finished in {time.monotonic() - began:.0f} s (platform start and stop included)")


def _platform(state: Path) -> Platform:
    """Free ports everywhere, two replicas of appointments, inventory and profile, metrics on every
    instance (redeliveries are read there), PostgreSQL with fsync, a short ack wait."""
    platform = Platform(
        state, gateway_port=free_port(), admin_port=free_port(), postgres_port=free_port(), nats_port=free_port(),
        nats_monitor_port=free_port(), service_ports={s.name: free_port() for s in SERVICES}, replicas=REPLICAS,
        log_level="WARNING", extra_env={"PULSEONE_EVENT_ACK_WAIT_SECONDS": str(ACK_WAIT_SECONDS)},
    )  # fmt: skip
    platform.metrics_ports = {i: free_port() for s in SERVICES for i in platform.instances(s)}
    return platform


def prepare(platform: Platform, options: Options, say: Say) -> World:
    """Doctors with a small session every weekday, patients (tokens signed with the platform's keys),
    pharmacies registered, approved and stocked, all through the gateway as a clinic would."""
    ring = KeyRing(platform.key_ring)
    registry = Registry(platform)
    try:
        days = _days(options)
        schedules = [_long_lived(registry.doctor(days, CAPACITY), ring) for _ in range(options.doctors)]
        pharmacies = [_pharmacy(registry, ring, n) for n in range(PRESCRIBING_PHARMACIES + 1)]
    finally:
        registry.close()
    hot_units = max(30, int(HOT_UNITS_PER_SECOND * options.seconds))
    rx_units = 10 * UNITS * int(options.seconds) * options.clients
    stocked = asyncio.run(_stocked(platform, pharmacies, [hot_units] + [rx_units] * PRESCRIBING_PHARMACIES))
    patients = [token(ring, str(uuid.uuid4())) for _ in range(PATIENTS_PER_CLIENT * options.clients)]
    say(f"prepared {len(schedules)} doctors ({CAPACITY} places a day for {days} days), {len(patients)} patients,"
        f" {len(stocked)} pharmacies ({hot_units} units for direct dispenses)")  # fmt: skip
    return World(schedules, patients, stocked[1:], stocked[0])


def _days(options: Options) -> int:
    """About four places per client-second of load (a client here books about two a second): the
    load runs on while the last fault recovers, and a load out of places turns into refusals alone,
    with no events for a paused consumer to hold (a CI-sized run saw every place gone by 29 s).
    Half the bookings go to the first few occurrences (`faults_load.HOT`), so those fill up and the
    capacity rule is met often all the same."""
    return max(DAYS, math.ceil(4 * options.seconds * options.clients / (options.doctors * CAPACITY)))


def _long_lived(schedule: Schedule, ring: KeyRing) -> Schedule:
    """The doctor's token signed for an hour: a long run outlives the 15 minutes of a sign-in."""
    return Schedule(schedule.doctor_id, token(ring, schedule.doctor_id, "DOCTOR"), schedule.sessions,
                    schedule.first_day, schedule.days)  # fmt: skip


def _pharmacy(registry: Registry, ring: KeyRing, n: int) -> Pharmacy:
    journey = registry.journey
    details = {"name": f"Drill Pharmacy {n}", "licenseNumber": f"FD-{uuid.uuid4().hex[:10]}", "address": "3 Main St"}
    owner = register(journey, "PHARMACY", "Drill", f"Pharmacy{n}", pharmacy=details)["user"]["id"]
    journey.call("approve the pharmacy", "POST", f"/api/auth/users/{owner}/approve", registry.admin)
    owner_token = token(ring, owner, "PHARMACY")
    found = journey.until("pharmacy", lambda: made_for(journey, owner_token, "pharmacies", "ownerId", owner))
    return Pharmacy(owner, found["id"], owner_token)


async def _stocked(platform: Platform, pharmacies: list[Pharmacy], units: list[int]) -> list[Pharmacy]:
    """Each pharmacy's catalog item and batches, once inventory has heard of the pharmacy."""
    async with grpc.aio.insecure_channel(platform.target("inventory")) as channel:
        inventory = inventory_pb2_grpc.InventoryServiceStub(channel)  # type: ignore[no-untyped-call]
        stocked = []
        for pharmacy, count in zip(pharmacies, units, strict=True):
            deadline = time.monotonic() + 30
            while True:
                try:
                    stocked.append(await stock(inventory, pharmacy, count))
                    break
                except grpc.aio.AioRpcError:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.3)
        return stocked


def settle(platform: Platform) -> float:
    """Wait until every outbox is published and every consumer has acknowledged everything, twice
    in a row a second apart (a handled event may write events of its own); returns the seconds."""
    began = time.monotonic()
    quiet = 0
    while quiet < 2:
        if time.monotonic() - began > SETTLE_TIMEOUT:
            break  # the checks then say what is stuck
        left = -1  # a component still coming back counts as not settled
        with contextlib.suppress(Exception):
            left = asyncio.run(backlog(platform))
        quiet = quiet + 1 if left == 0 else 0
        time.sleep(1.0)
    return time.monotonic() - began


def all_redeliveries(platform: Platform) -> dict[str, float]:
    return {spec.name: redeliveries(platform, spec.name) for spec in SERVICES}


def report(platform: Platform, options: Options, world: World, faults: list[Fault], settled: float) -> Report:
    requests = world.requests
    outcomes: dict[str, Counter[str]] = {}
    for request in requests:
        counts = outcomes.setdefault(request.kind, Counter())
        counts[request.outcome] += 1
        if request.outcome == "refused":
            counts[f"refused {request.reason or request.status}"] += 1
        if request.confirmed:
            counts["confirmed by a read"] += 1
    found = events(platform)
    checks: list[Check] = [
        appointment_effects(platform, requests),
        prescription_effects(platform, requests),
        stock_effects(platform, requests),
        *event_checks(found),
        invariants(platform),
    ]
    return Report(
        asdict(options), {kind: dict(counts) for kind, counts in outcomes.items()},
        sum(1 for r in requests if r.attempts > 1),
        [{"name": f.name, "at": round(f.at, 1), "happened": f.happened, "error": f.error, **f.facts} for f in faults],
        found.consumers, found.unsent, found.dead_letters, all_redeliveries(platform), round(settled, 1),
        [asdict(c) for c in checks],
    )  # fmt: skip


def text(report: Report) -> list[str]:
    """The report as printed: requests, faults, events per consumer, checks with their counts."""
    lines = ["requests (by final outcome; refusals by reason):"]
    for kind, counts in sorted(report.requests.items()):
        lines.append(f"  {kind:<22} " + ", ".join(f"{name} {count}" for name, count in sorted(counts.items())))
    lines += [f"  retried with the same request (and requestId): {report.retried}", "faults:"]
    for fault in report.faults:
        facts = {k: v for k, v in fault.items() if k not in ("name", "happened", "error")}
        state = "happened" if fault["happened"] else f"DID NOT HAPPEN {fault['error']}"
        lines.append(f"  {fault['name']:<40} {state}; {facts}")
    lines.append("events (per consumer: subscribed events in the outboxes, handled in its inbox, missing):")
    for name, figures in report.consumers.items():
        lines.append(
            f"  {name:<14} {figures['inbox']}/{figures['subscribedEvents']} handled, missing {figures['missingCount']},"
            f" redelivered {report.redeliveries.get(name, 0):.0f}"
        )
    lines.append(f"  outbox rows unsent: {sum(report.unsent.values())}; dead letters: {report.dead_letters or 0}")
    lines.append(f"checks (settled {report.settle_seconds} s after the load):")
    for check in report.checks:
        verdict = "ok" if check["violations"] == 0 else f"VIOLATED {check['violations']}"
        lines.append(f"  {verdict:<12} {check['checked']:>6} checked  {check['name']}")
        lines += [f"      {example}" for example in check["examples"]]
    lines.append(f"{'PASSED' if report.passed else 'FAILED'}: {report.violations} violations")
    return lines


def save(report: Report, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    figures = asdict(report) | {"violations": report.violations, "passed": report.passed}
    path.write_text(json.dumps(figures, indent=2, default=str))
