"""`pulseone bench`: throughput and latency of the hot paths on a fresh local platform, measured, not
asserted: the booking storm, and dispensing prescriptions from many pharmacies and from one hot item.
Each scenario checks its invariants after the run."""

from __future__ import annotations

import asyncio
import json
import resource
import shutil
import subprocess
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

import grpc
import nats
import psycopg
from pulseone.appointments.v1 import appointments_pb2, appointments_pb2_grpc

from scripts.bench_dispense import dispensing
from scripts.bench_measure import CpuMeter, Result, Say, Timings, bearer, timed, token
from scripts.demo import DAYS, Journey, login, register
from scripts.platform import SERVICES, Platform, ServiceSpec
from scripts.stack import free_port
from services.auth.crypto import KeyRing
from services.auth.use_cases.accounts import create_system_admin
from services.common.messaging import STREAM

ZONE = "Asia/Colombo"


def _sessions(platform: Platform, say: Say) -> list[tuple[str, list[str]]]:
    """A doctor with three weekly virtual sessions (capacity 100) and their bookable dates."""
    journey = Journey(platform.gateway_url, lambda _: None)
    try:
        admin_email = f"bench-admin-{uuid.uuid4().hex[:6]}@example.com"
        asyncio.run(
            create_system_admin(platform.service_database_url(_spec("auth")), admin_email, "SecurePass123", "B", "A")
        )
        admin = login(journey, admin_email)
        doctor = register(journey, "DOCTOR", "Bench", "Doctor")
        journey.call("approve", "POST", f"/api/auth/users/{doctor['user']['id']}/approve", admin)
        token = login(journey, doctor["user"]["email"])
        profile = {"consultationFee": "10.00", "currency": "USD", "timeZone": ZONE}
        journey.until(
            "profile",
            lambda: journey.call("profile", "PUT", f"/api/doctors/{doctor['user']['id']}", token, json=profile),
        )
        today = datetime.now(ZoneInfo(ZONE)).date()
        made = []
        for offset in (1, 2, 3):
            day = today + timedelta(days=offset)
            body = {"dayOfWeek": DAYS[day.weekday()], "sessionStartTime": "08:00", "sessionEndTime": "20:00",
                    "serviceType": "VIRTUAL", "maxQueueSize": 100, "estimatedConsultationMinutes": 5}  # fmt: skip
            session = journey.until(
                "session", partial(journey.call, "session", "POST", "/api/sessions", token, json=body)
            )
            made.append((session["id"], [(day + timedelta(days=7 * week)).isoformat() for week in range(8)]))
        return made
    finally:
        journey.close()


async def _book(address: str, ring: KeyRing, targets: list[tuple[str, str]], concurrency: int) -> Timings:
    async with grpc.aio.insecure_channel(address) as channel:
        stub = appointments_pb2_grpc.AppointmentServiceStub(channel)  # type: ignore[no-untyped-call]

        def booking(session_id: str, day: str) -> Callable[[], Awaitable[object]]:
            request = appointments_pb2.BookAppointmentRequest(
                session_id=session_id, appointment_date=day, appointment_type="VIRTUAL"
            )
            metadata = bearer(token(ring, str(uuid.uuid4())))
            return lambda: stub.BookAppointment(request, metadata=metadata)

        return await timed([booking(session_id, day) for session_id, day in targets], concurrency)


def _booking_storm(platform: Platform, bookings: int, concurrency: int, say: Say) -> Result:
    sessions = _sessions(platform, say)
    occurrences = [(sid, day) for sid, days in sessions for day in days]
    # Interleaved, so concurrent callers spread over occurrences rather than queue on one lock.
    places = [occurrence for _ in range(100) for occurrence in occurrences]
    if bookings > len(places):
        raise SystemExit(f"at most {len(places)} bookings fit the benchmark's sessions")
    address = f"127.0.0.1:{platform.service_ports['appointments']}"
    timings = asyncio.run(_book(address, KeyRing(platform.key_ring), places[:bookings], concurrency))
    largest = _largest_occurrence(platform)
    if largest > 100:
        raise SystemExit(f"OVERBOOKED: an occurrence holds {largest} bookings (capacity 100)")
    return timings.result("booking storm (gRPC)", f"largest occurrence {largest}/100")


WRK_THREADS = 2
WARM_UP_SECONDS = 2


def _rest_booking_storm(platform: Platform, concurrency: int, seconds: int, say: Say) -> Result:
    """The headline: bookings over REST through Envoy, driven by wrk (a C load tool, so the client is
    not what limits the figure), after a short warm-up, for a fixed time; every place a different
    patient's, none over capacity afterwards."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("the REST scenario needs wrk (Debian package wrk): apt-get install wrk")
    sessions = _sessions(platform, say)
    places = [occurrence for _ in range(100) for occurrence in ((sid, day) for sid, days in sessions for day in days)]
    ring = KeyRing(platform.key_ring)
    lines = [f"{token(ring, str(uuid.uuid4()))}\t{sid}\t{day}" for sid, day in places]
    directory = platform.state / "bench"
    directory.mkdir(parents=True, exist_ok=True)
    warm, measured = directory / "warm.tsv", directory / "measured.tsv"
    warm_count = len(lines) // 8
    warm.write_text("\n".join(lines[:warm_count]) + "\n")
    measured.write_text("\n".join(lines[warm_count:]) + "\n")
    script = Path(__file__).with_name("bench_booking.lua")

    def fire(places_file: Path, duration: int) -> dict[str, int]:
        command = [
            wrk, f"-t{WRK_THREADS}", f"-c{concurrency}", f"-d{duration}s", "-s", str(script),
            f"{platform.gateway_url}/api/appointments", "--", str(places_file), str(WRK_THREADS),
        ]  # fmt: skip
        finished = subprocess.run(command, capture_output=True, text=True, timeout=duration + 60, check=True)
        summary: dict[str, int] = json.loads(finished.stdout.strip().splitlines()[-1])
        return summary

    fire(warm, WARM_UP_SECONDS)
    meter = CpuMeter(_components(platform))
    load_tool = resource.getrusage(resource.RUSAGE_CHILDREN)
    meter.start()
    summary = fire(measured, seconds)
    spent = meter.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent["wrk"] = (after.ru_utime + after.ru_stime) - (load_tool.ru_utime + load_tool.ru_stime)
    per_request = ", ".join(
        f"{name} {seconds_spent * 1000 / max(summary['requests'], 1):.2f}" for name, seconds_spent in spent.items()
    )
    say(f"  CPU ms per request: {per_request}")
    refused = summary["non_2xx"] + summary["socket_errors"]
    largest = _largest_occurrence(platform)
    if largest > 100:
        raise SystemExit(f"OVERBOOKED: an occurrence holds {largest} bookings (capacity 100)")
    if summary["requests"] > len(lines) - warm_count:
        say("  (wrk asked for more places than were prepared: the repeats were refused as ALREADY_BOOKED)")
    return Result(
        "booking storm (REST via Envoy, wrk)",
        summary["requests"] - refused,
        summary["duration_us"] / 1e6,
        summary["p50_us"] / 1000,
        summary["p99_us"] / 1000,
        refused,
        f"largest occurrence {largest}/100",
    )


def _components(platform: Platform) -> dict[str, int]:
    """The processes whose CPU the bench accounts for, by name (PostgreSQL with its backends)."""
    found = {name: process.popen.pid for name, process in platform.services.items() if process.popen}
    for name, owner in (("envoy", platform.envoy), ("postgres", platform.postgres), ("nats", platform.nats)):
        process = owner.process if owner is not None else None
        if process is not None and process.popen is not None:
            found[name] = process.popen.pid
    return found


def _largest_occurrence(platform: Platform) -> int:
    with psycopg.connect(platform.service_database_url(_spec("appointments"))) as connection:
        worst = connection.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM appointments WHERE status <> 'CANCELLED'"
            " GROUP BY session_id, appointment_date) AS per_occurrence"
        ).fetchone()
    return int(worst[0]) if worst and worst[0] is not None else 0


def run(
    bookings: int, concurrency: int, dispenses: int, say: Say = print, *, seconds: int = 10, durable: bool = True
) -> list[Result]:
    """Start a platform in a scratch directory, run every scenario with `concurrency` callers, stop it."""
    import tempfile  # noqa: PLC0415 - only the benchmark needs a scratch directory

    state = Path(tempfile.mkdtemp(prefix="pulseone-bench-"))
    state.chmod(0o755)
    platform = Platform(
        state, gateway_port=free_port(), admin_port=free_port(), postgres_port=free_port(), nats_port=free_port(),
        nats_monitor_port=free_port(), service_ports={s.name: free_port() for s in SERVICES}, log_level="WARNING",
        durable=durable,
    )  # fmt: skip
    try:
        platform.start(lambda line: say(f"  {line}"))
        results = [_rest_booking_storm(platform, concurrency, seconds, say)]
        say(results[-1].line())
        _settle(platform, say)
        results.append(_booking_storm(platform, bookings, concurrency, say))
        say(results[-1].line())
        _settle(platform, say)
        for result in dispensing(platform, dispenses, concurrency, say):
            results.append(result)
            say(result.line())
        return results
    finally:
        platform.stop()
        shutil.rmtree(state, ignore_errors=True)


def _settle(platform: Platform, say: Say, timeout: float = 300.0) -> None:
    """Wait until every event a scenario caused is published and consumed (a VIRTUAL booking alone
    makes a video session, links it, and updates three projections), so the next scenario does not
    pay for this one's backlog; say how long the platform took to catch up."""
    began = time.perf_counter()
    while (left := asyncio.run(_backlog(platform))) > 0:
        if time.perf_counter() - began > timeout:
            raise SystemExit(f"events still pending after {timeout:.0f} s: {left}")
        time.sleep(0.5)
    say(f"  events caught up {time.perf_counter() - began:.1f} s after the scenario")


async def _backlog(platform: Platform) -> int:
    """Outbox rows not yet published plus events not yet acknowledged by each service's consumer."""
    left = 0
    for spec in SERVICES:
        with psycopg.connect(platform.service_database_url(spec)) as connection:
            row = connection.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL").fetchone()
            left += row[0] if row else 0
    client = await nats.connect(platform.events_url())
    try:
        js = client.jetstream()
        for spec in SERVICES:
            info = await js.consumer_info(STREAM, spec.name)
            left += info.num_pending + info.num_ack_pending
    finally:
        await client.close()
    return left


def _spec(name: str) -> ServiceSpec:
    return next(s for s in SERVICES if s.name == name)
