"""`pulseone bench`: booking throughput and latency on a fresh local platform, measured, not asserted."""

from __future__ import annotations

import asyncio
import shutil
import statistics
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from zoneinfo import ZoneInfo

import grpc
import jwt
import psycopg
from pulseone.appointments.v1 import appointments_pb2, appointments_pb2_grpc

from scripts.demo import DAYS, Journey, login, register
from scripts.platform import SERVICES, Platform
from scripts.stack import free_port
from services.auth.crypto import KeyRing
from services.auth.use_cases.accounts import create_system_admin

ZONE = "Asia/Colombo"


@dataclass(frozen=True)
class Result:
    bookings: int
    seconds: float
    p50_ms: float
    p99_ms: float
    refused: int

    @property
    def per_second(self) -> float:
        return self.bookings / self.seconds


def _token(ring: KeyRing, user_id: str) -> str:
    key = ring.current()
    now = int(time.time())
    claims = {"iss": "pulseone-auth", "aud": "pulseone", "sub": user_id, "role": "PATIENT", "status": "ACTIVE",
              "iat": now, "exp": now + 3600, "jti": uuid.uuid4().hex}  # fmt: skip
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


def _sessions(platform: Platform, say: object) -> list[tuple[str, list[str]]]:
    """A doctor with three weekly virtual sessions (capacity 100) and their bookable dates."""
    journey = Journey(platform.gateway_url, lambda _: None)
    try:
        admin_email = f"bench-admin-{uuid.uuid4().hex[:6]}@example.com"
        asyncio.run(
            create_system_admin(platform.service_database_url(SERVICES[0]), admin_email, "SecurePass123", "B", "A")
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


async def _fire(address: str, ring: KeyRing, targets: list[tuple[str, str]], concurrency: int) -> Result:
    latencies: list[float] = []
    refused = 0
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for target in targets:
        queue.put_nowait(target)
    tokens = [_token(ring, str(uuid.uuid4())) for _ in range(len(targets))]

    async with grpc.aio.insecure_channel(address) as channel:
        stub = appointments_pb2_grpc.AppointmentServiceStub(channel)  # type: ignore[no-untyped-call]

        async def worker() -> None:
            nonlocal refused
            while not queue.empty():
                session_id, day = queue.get_nowait()
                request = appointments_pb2.BookAppointmentRequest(
                    session_id=session_id, appointment_date=day, appointment_type="VIRTUAL"
                )
                started = time.perf_counter()
                try:
                    await stub.BookAppointment(request, metadata=(("authorization", f"Bearer {tokens.pop()}"),))
                except grpc.aio.AioRpcError:
                    refused += 1
                latencies.append((time.perf_counter() - started) * 1000)

        began = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        seconds = time.perf_counter() - began
    ordered = sorted(latencies)
    return Result(
        len(latencies) - refused, seconds, statistics.median(ordered), ordered[int(len(ordered) * 0.99) - 1], refused
    )


def run(bookings: int, concurrency: int, say: object = print, *, durable: bool = True) -> Result:
    """Start a platform in a scratch directory, book `bookings` places with `concurrency` callers, stop it."""
    import tempfile  # noqa: PLC0415 - only the benchmark needs a scratch directory
    from pathlib import Path  # noqa: PLC0415

    state = Path(tempfile.mkdtemp(prefix="pulseone-bench-"))
    state.chmod(0o755)
    platform = Platform(
        state, gateway_port=free_port(), admin_port=free_port(), postgres_port=free_port(), nats_port=free_port(),
        nats_monitor_port=free_port(), service_ports={s.name: free_port() for s in SERVICES}, log_level="WARNING",
        durable=durable,
    )  # fmt: skip
    try:
        platform.start(lambda line: say(f"  {line}"))  # type: ignore[operator]
        sessions = _sessions(platform, say)
        occurrences = [(sid, day) for sid, days in sessions for day in days]
        # Interleaved, so concurrent callers spread over occurrences rather than queue on one lock.
        places = [occurrence for _ in range(100) for occurrence in occurrences]
        if bookings > len(places):
            raise SystemExit(f"at most {len(places)} bookings fit the benchmark's sessions")
        targets = places[:bookings]
        address = f"127.0.0.1:{platform.service_ports['appointments']}"
        result = asyncio.run(_fire(address, KeyRing(platform.key_ring), targets, concurrency))
        with psycopg.connect(platform.service_database_url(SERVICES[2])) as connection:
            worst = connection.execute(
                "SELECT max(n) FROM (SELECT count(*) AS n FROM appointments WHERE status <> 'CANCELLED'"
                " GROUP BY session_id, appointment_date) AS per_occurrence"
            ).fetchone()
        say(f"  largest occurrence holds {worst[0] if worst else 0} bookings (capacity 100)")  # type: ignore[operator]
        return result
    finally:
        platform.stop()
        shutil.rmtree(state, ignore_errors=True)
