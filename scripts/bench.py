"""`pulseone bench`: the platform measured as a capacity planner would, on a fresh platform of its
own (real PostgreSQL with fsync): each scenario warmed up, then run for a fixed time at N concurrent
clients and checked afterwards, beside the ceilings that bound it measured in the same run; memory
idle and under the booking storm; or, with `--soak`, memory over a long steady mixed load."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from pathlib import Path
from typing import Any

import grpc
import httpx
import nats
import psycopg
from pulseone.appointments.v1 import appointments_pb2, appointments_pb2_grpc
from pulseone.auth.v1 import auth_pb2, auth_pb2_grpc

from scripts.bench_ceilings import (
    appointments_paused,
    booking_run,
    booking_transaction,
    plain_booking,
    plain_bookings,
    plain_database,
)
from scripts.bench_dispense import dispensing
from scripts.bench_grpc import Call, grpc_load
from scripts.bench_load import REQUESTS_SCRIPT, h2load_grpc, wrk
from scripts.bench_measure import (
    POSTGRES,
    Check,
    Components,
    Load,
    Measurement,
    Result,
    Run,
    Say,
    Status,
    bearer,
    measure,
    token,
    warm_share,
)
from scripts.bench_report import AUDIT_COST_PAIR, Report
from scripts.bench_schedule import (
    CAPACITY,
    Place,
    Registry,
    Schedule,
    booked_by_doctor,
    booked_per_occurrence,
    booking_line,
    bookings_check,
    days_for,
    service_database,
)
from scripts.bench_soak import Soak, soak
from scripts.demo import PASSWORD
from scripts.platform import SERVICES, Platform
from scripts.stack import free_port
from services.auth.crypto import KeyRing
from services.common.messaging import STREAM

PLACES_PER_SECOND = 3500
"""Places prepared per second of a booking storm: above what PostgreSQL itself books per second
with the service's transaction on these machines, so a storm never runs out of prepared places."""
PLAIN_SPREAD = 20
"""Occurrences of the plain-schema ceiling per occurrence-full of places a storm prepares: PostgreSQL
books several times faster there than through the service, and must not fill them."""
READERS = 1000
"""Patients whose tokens the read scenarios take turns with (every request not the same user's)."""
LOGIN_USERS = 10
LOGIN_BURST = 1_000_000
"""The gateway's per-address sign-in allowance on the bench's own platform: all its logins come from
one address, and the login scenario measures Argon2 and the auth service, not the rate limiter."""
SETTLE_TIMEOUT = 300.0
AUDITED_READ, UNAUDITED_READ = AUDIT_COST_PAIR
Listed = Callable[[dict[str, Any]], list[dict[str, Any]]]
"""The occurrences a read's answer lists."""


@dataclass(frozen=True)
class Options:
    seconds: int = 10
    warm_up: int = 2
    concurrency: int = 50
    dispenses: int = 1500
    soak: int | None = None
    """Seconds of the soak; None runs the suite instead."""


def run(options: Options, say: Say = print) -> Report:
    """Start a platform in a scratch directory, run the suite (or the soak) on it, stop it."""
    state = Path(tempfile.mkdtemp(prefix="pulseone-bench-"))
    state.chmod(0o755)
    platform = Platform(
        state, gateway_port=free_port(), admin_port=free_port(), postgres_port=free_port(), nats_port=free_port(),
        nats_monitor_port=free_port(), service_ports={s.name: free_port() for s in SERVICES}, log_level="WARNING",
        gateway_auth_burst=LOGIN_BURST,
    )  # fmt: skip
    began = time.monotonic()
    try:
        platform.start(lambda line: say(f"  {line}"))
        bench = Bench(platform, options, say)
        try:
            return bench.run_soak() if options.soak else bench.run_suite()
        finally:
            bench.close()
    finally:
        platform.stop()
        shutil.rmtree(state, ignore_errors=True)
        say(f"bench finished in {time.monotonic() - began:.0f} s (platform start and stop included)")


class Bench:
    """The platform under measurement: its components, the bench's registry of accounts, and the
    results so far."""

    def __init__(self, platform: Platform, options: Options, say: Say) -> None:
        self.platform = platform
        self.options = options
        self.say = say
        self.components = Components(_component_pids(platform))
        self.idle_mb = self.components.memory_mb()
        self.ring = KeyRing(platform.key_ring)
        self.registry = Registry(platform)
        self.workdir = platform.state / "bench"
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.results: list[Result] = []

    def close(self) -> None:
        self.registry.close()

    @property
    def places(self) -> int:
        """Places a booking storm may take, warm-up included."""
        return PLACES_PER_SECOND * (self.options.seconds + self.options.warm_up)

    def run_suite(self) -> Report:
        storm = self.registry.doctor(days_for(self.places))
        peaks = self.record(self._rest_booking_storm(storm)).peak_mb()
        self._settle()
        self.record(self._grpc_booking_storm())
        self._settle()
        for load in (
            self._appointment_reads(storm),
            self._session_reads(storm),
            self._availability(storm),
            self._calendar(storm),
            self._login(),
        ):
            self.record(load)
        self._settle()
        o = self.options
        dispenses = dispensing(
            self.platform, o.dispenses, concurrency=o.concurrency, seconds=o.seconds, warm_up=o.warm_up, say=self.say
        )
        for load in dispenses:
            self.record(load)
        self._settle()
        for load in (self._trivial_direct(), self._trivial_via_gateway(), self._plain_booking()):
            self.record(load)
        booking_transaction = self._booking_transaction()
        with appointments_paused(self.platform):
            self.record(booking_transaction)
        return self._report(peaks)

    def run_soak(self) -> Report:
        assert self.options.soak is not None
        return self._report({}, soak(self, self.options.soak))

    def _report(self, peaks: dict[str, float], outcome: Soak | None = None) -> Report:
        o = self.options
        return Report(o.seconds, o.warm_up, o.concurrency, self.results, self.idle_mb, peaks, outcome)

    def record(self, load: Load) -> Measurement:
        """Measure a load and keep its result."""
        result, measurement = measure(load, self.components, self.say)
        self.results.append(result)
        return measurement

    def file(self, name: str, lines: list[str]) -> Path:
        path = self.workdir / name
        path.write_text("".join(f"{line}\n" for line in lines))
        return path

    def wrk_load(
        self,
        key: str,
        title: str,
        lines: list[str],
        check: Callable[[Run, Run], Check],
        *,
        warm_lines: list[str] | None = None,
        kind: str = "scenario",
        seconds: int | None = None,
        script: Path = REQUESTS_SCRIPT,
        arguments: tuple[str, ...] = (),
        status: Status | None = None,
    ) -> Load:
        """A load wrk replays through the gateway (bench_requests.lua): the warm-up cycles through
        `warm_lines` (by default the same lines), the measured run through `lines`."""
        o = self.options
        measured_seconds = seconds or o.seconds
        warm = self.file(f"{key}-warm.tsv", lines if warm_lines is None else warm_lines)
        measured = self.file(f"{key}.tsv", lines)
        url = self.platform.gateway_url
        return Load(
            key, title, kind, "wrk", measured_seconds,
            warm_up=lambda: wrk(url, warm, o.concurrency, o.warm_up, script, *arguments),
            run=lambda: wrk(url, measured, o.concurrency, measured_seconds, script, *arguments),
            check=check, status=status,
        )  # fmt: skip

    # Scenarios

    def _rest_booking_storm(self, schedule: Schedule) -> Load:
        """The headline: bookings over REST through Envoy, each a different patient's place."""
        self.say(f"  preparing {self.places} places to book over REST")
        lines = [
            booking_line(p.session_id, p.day, token(self.ring, p.patient_id)) for p in schedule.places(self.places)
        ]
        share = warm_share(len(lines), self.options.warm_up, self.options.seconds)
        check = self._bookings_check(schedule)
        return self.wrk_load("booking_rest", "booking, REST via Envoy", lines[share:], check, warm_lines=lines[:share])

    @property
    def abandoned(self) -> int:
        """Requests wrk may leave unanswered when its time is up (one a connection, in the warm-up
        and in the measured run), each of which the platform may still have carried out."""
        return 2 * self.options.concurrency

    def _bookings_check(self, schedule: Schedule) -> Callable[[Run, Run], Check]:
        """Every booking answered is in the database, none over capacity."""

        def check(warm: Run, run: Run) -> Check:
            return bookings_check(self.platform, schedule.doctor_id, warm.ok + run.ok, self.abandoned)

        return check

    def _grpc_booking_storm(self) -> Load:
        """The same storm straight to the appointments service, by this process's gRPC client."""
        schedule = self.registry.doctor(days_for(self.places))
        self.say(f"  preparing {self.places} places to book over gRPC")
        supply = [(place, token(self.ring, place.patient_id)) for place in schedule.places(self.places)]

        def call_of(channel: grpc.aio.Channel, item: tuple[Place, str]) -> Call:
            place, patient_token = item
            stub = appointments_pb2_grpc.AppointmentServiceStub(channel)  # type: ignore[no-untyped-call]
            request = appointments_pb2.BookAppointmentRequest(
                session_id=place.session_id, appointment_date=place.day.isoformat(), appointment_type="VIRTUAL"
            )
            return lambda: stub.BookAppointment(request, metadata=bearer(patient_token))

        def check(warm: Run, run: Run) -> Check:
            return bookings_check(self.platform, schedule.doctor_id, warm.ok + run.ok, 0)

        o = self.options
        return grpc_load(
            "booking_grpc", "booking, gRPC direct", self._address("appointments"), call_of, supply,
            concurrency=o.concurrency, seconds=o.seconds, warm_up=o.warm_up, check=check,
        )  # fmt: skip

    def _appointment_reads(self, schedule: Schedule) -> Load:
        """Patients reading their own appointment: an audited read (an entry stored before each reply)."""
        booked = booked_appointments(self.platform, schedule.doctor_id, READERS)
        lines = [f"GET\t/api/appointments/{a}\t{token(self.ring, p)}\t" for a, p in booked]
        before = audited_reads(self.platform, schedule.doctor_id)

        def check(warm: Run, run: Run) -> Check:
            recorded = audited_reads(self.platform, schedule.doctor_id) - before
            answered = warm.ok + run.ok
            return Check(
                answered <= recorded <= answered + self.abandoned,
                f"{recorded} reads on the audit trail for {answered} answered",
            )

        return self.wrk_load(AUDITED_READ, "appointment read (audited), REST via Envoy", lines, check)

    def _session_reads(self, schedule: Schedule) -> Load:
        """The same patients reading a session of the same doctor: as near the audited read as the
        appointments service has (one row by id, similar size, same token checks), but not audited."""
        booked = booked_appointments(self.platform, schedule.doctor_id, READERS)
        sessions = schedule.sessions
        lines = [
            f"GET\t/api/sessions/{sessions[n % len(sessions)]}\t{token(self.ring, p)}\t"
            for n, (_, p) in enumerate(booked)
        ]

        def check(warm: Run, run: Run) -> Check:
            response = httpx.get(
                f"{self.platform.gateway_url}/api/sessions/{sessions[0]}",
                headers={"authorization": f"Bearer {schedule.doctor_token}"},
            )
            passed = response.status_code == 200 and response.json().get("id") == sessions[0]
            return Check(passed, f"a session read answers {response.status_code} with the session")

        return self.wrk_load(UNAUDITED_READ, "session read (not audited), REST via Envoy", lines, check)

    def _availability(self, schedule: Schedule) -> Load:
        """Patients searching the storm's doctor's availability for the coming week."""
        last = schedule.first_day + timedelta(days=6)
        path = f"/api/availability?doctorId={schedule.doctor_id}&from={schedule.first_day}&to={last}"
        return self._read(
            "availability", "availability, REST via Envoy", path, schedule, lambda body: body["occurrences"]
        )

    def _calendar(self, schedule: Schedule) -> Load:
        """Patients reading the storm's doctor's calendar for the coming month."""
        path = f"/api/doctors/{schedule.doctor_id}/calendar?from={schedule.first_day}&days=30"
        return self._read("calendar", "calendar, REST via Envoy", path, schedule, _calendar_occurrences)

    def _read(self, key: str, title: str, path: str, schedule: Schedule, occurrences_in: Listed) -> Load:
        """Patients reading `path` in turn; afterwards one answer's occurrences are compared with the database."""
        readers = [token(self.ring, str(uuid.uuid4())) for _ in range(READERS)]

        def check(warm: Run, run: Run) -> Check:
            response = httpx.get(self.platform.gateway_url + path, headers={"authorization": f"Bearer {readers[0]}"})
            occurrences = occurrences_in(response.json())
            return occurrences_check(self.platform, schedule, response.status_code, occurrences, (warm, run))

        return self.wrk_load(key, title, [f"GET\t{path}\t{t}\t" for t in readers], check)

    def _login(self) -> Load:
        """Patients signing in: Argon2 verifies each password (deliberately slow)."""
        emails = self.registry.patients(LOGIN_USERS)
        before = refresh_tokens(self.platform, emails)
        lines = [f"POST\t/api/auth/login\t\t{json.dumps({'email': e, 'password': PASSWORD})}" for e in emails]

        def check(warm: Run, run: Run) -> Check:
            issued = refresh_tokens(self.platform, emails) - before
            answered = warm.ok + run.ok
            return Check(
                run.errors == 0 and answered <= issued <= answered + self.abandoned,
                f"{issued} sessions issued for {answered} sign-ins answered (at most {self.abandoned} more in flight)",
            )

        return self.wrk_load("login", "login, REST via Envoy", lines, check)

    # Ceilings

    def _trivial_direct(self) -> Load:
        """The cheapest real RPC (GetJwks: public, no database) straight to auth, by h2load."""
        o = self.options
        url = f"http://{self._address('auth')}/pulseone.auth.v1.AuthService/GetJwks"

        def check(warm: Run, run: Run) -> Check:
            return jwks_check(run, jwks_over_grpc(self._address("auth")))

        return Load(
            "trivial_direct", "trivial RPC, gRPC direct", "ceiling", "h2load", o.seconds,
            warm_up=lambda: h2load_grpc(url, o.concurrency, o.warm_up, self.workdir),
            run=lambda: h2load_grpc(url, o.concurrency, o.seconds, self.workdir),
            check=check,
        )  # fmt: skip

    def _trivial_via_gateway(self) -> Load:
        """The same RPC through Envoy as REST: `GET /.well-known/jwks.json`."""

        def check(warm: Run, run: Run) -> Check:
            return jwks_check(run, httpx.get(f"{self.platform.gateway_url}/.well-known/jwks.json").text)

        line = "GET\t/.well-known/jwks.json\t\t"
        return self.wrk_load("trivial_envoy", "trivial RPC, REST via Envoy", [line], check, kind="ceiling")

    def _plain_booking(self) -> Load:
        """(b) PostgreSQL booking in one round trip on a plain schema with no triggers."""
        occurrences = PLAIN_SPREAD * self.places // CAPACITY
        url = plain_database(self.platform, occurrences)
        script = self.file("plain-booking.sql", [plain_booking(occurrences)])
        title = "(b) one-trip booking, plain schema"
        return self._pgbench_load("pg_plain_booking", title, url, script, partial(plain_bookings, url), may_miss=True)

    def _booking_transaction(self) -> Load:
        """(a) PostgreSQL alone running the appointments service's booking statements on its own database."""
        schedule = self.registry.doctor(2 * days_for(self.places))
        script = self.file("booking-transaction.sql", [booking_transaction(schedule)])
        url = service_database(self.platform, "appointments")
        bookings = partial(booked_by_doctor, self.platform, schedule.doctor_id)
        title = "(a) the service's booking SQL"
        return self._pgbench_load("pg_booking_txn", title, url, script, bookings, may_miss=False)

    def _pgbench_load(
        self, key: str, title: str, url: str, script: Path, bookings: Callable[[], tuple[int, int]], *, may_miss: bool
    ) -> Load:
        """A ceiling pgbench measures in bookings made, checked as `booking_run` does."""
        o = self.options
        checks: list[Check] = []

        def measured_run() -> Run:
            run, check = booking_run(
                url, script, (o.concurrency, o.seconds, self.workdir / key), bookings, may_miss=may_miss
            )
            checks.append(check)
            return run

        return Load(
            key, title, "ceiling", "pgbench", o.seconds,
            warm_up=lambda: booking_run(url, script, (o.concurrency, o.warm_up, None), bookings, may_miss=may_miss)[0],
            run=measured_run, check=lambda warm, run: checks[-1],
        )  # fmt: skip

    def _address(self, service: str) -> str:
        return f"127.0.0.1:{self.platform.service_ports[service]}"

    def _settle(self) -> None:
        """Wait until every event a scenario caused is published and consumed (a VIRTUAL booking alone
        makes a video session, links it, and updates three projections), so the next scenario does
        not pay for this one's backlog; say how long the platform took to catch up."""
        began = time.perf_counter()
        while (left := asyncio.run(backlog(self.platform))) > 0:
            if time.perf_counter() - began > SETTLE_TIMEOUT:
                raise SystemExit(f"events still pending after {SETTLE_TIMEOUT:.0f} s: {left}")
            time.sleep(0.5)
        self.say(f"  events caught up {time.perf_counter() - began:.1f} s after the scenario")


def _calendar_occurrences(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [occurrence for day in body["days"] for occurrence in day["occurrences"]]


def occurrences_check(
    platform: Platform, schedule: Schedule, status: int, occurrences: list[dict[str, Any]], runs: tuple[Run, Run]
) -> Check:
    """Every answer was a 200, and what a read shows booked is what the database holds, occurrence by
    occurrence (the storm before booked some places of each)."""
    held = booked_per_occurrence(platform, schedule.doctor_id)
    shown = {(o["sessionId"], o["date"]): int(o.get("booked", 0)) for o in occurrences}
    wrong = {key: (count, held.get(key, 0)) for key, count in shown.items() if count != held.get(key, 0)}
    total = sum(shown.values())
    errors = sum(run.errors for run in runs)
    passed = status == 200 and errors == 0 and not wrong and total > 0
    detail = f"all 200; {len(shown)} occurrences showing {total} booked, as the database holds"
    if not passed:
        detail = f"status {status}, errors {errors}, {total} shown booked, differing from the database: {wrong}"
    return Check(passed, detail)


def booked_appointments(platform: Platform, doctor_id: str, count: int) -> list[tuple[str, str]]:
    """Up to `count` of the doctor's appointments: (appointment id, patient id)."""
    with psycopg.connect(service_database(platform, "appointments")) as connection:
        rows = connection.execute(
            "SELECT id::text, patient_id::text FROM appointments WHERE doctor_id = %s ORDER BY id LIMIT %s",
            (doctor_id, count),
        ).fetchall()
    return [(appointment, patient) for appointment, patient in rows]


def audited_reads(platform: Platform, doctor_id: str) -> int:
    """Allowed reads of the doctor's appointments on the appointments service's audit trail."""
    with psycopg.connect(service_database(platform, "appointments")) as connection:
        row = connection.execute(
            "SELECT count(*) FROM audit_entries e JOIN appointments a ON a.id::text = e.resource_id"
            " WHERE a.doctor_id = %s AND e.action = 'READ' AND e.resource_type = 'appointment'"
            " AND e.outcome = 'ALLOWED'",
            (doctor_id,),
        ).fetchone()
    return int(row[0]) if row else 0


def refresh_tokens(platform: Platform, emails: list[str]) -> int:
    """Sessions issued to these accounts (one a sign-in)."""
    with psycopg.connect(service_database(platform, "auth")) as connection:
        row = connection.execute(
            "SELECT count(*) FROM refresh_tokens r JOIN users u ON u.id = r.user_id WHERE u.email = ANY(%s)",
            (emails,),
        ).fetchone()
    return int(row[0]) if row else 0


def jwks_over_grpc(address: str) -> str:
    with grpc.insecure_channel(address) as channel:
        body = auth_pb2_grpc.AuthServiceStub(channel).GetJwks(auth_pb2.GetJwksRequest(), timeout=5)  # type: ignore[no-untyped-call]
    return str(body.data.decode())


def jwks_check(run: Run, document: str) -> Check:
    keys = json.loads(document).get("keys", [])
    return Check(run.errors == 0 and bool(keys), f"all answered; the JWKS document lists keys: {len(keys)}")


def _component_pids(platform: Platform) -> dict[str, int]:
    """The processes whose CPU and memory the bench accounts for, by name (PostgreSQL with its backends)."""
    processes = {
        "envoy": platform.envoy.process if platform.envoy else None,
        **platform.services,
        POSTGRES: platform.postgres.process if platform.postgres else None,
        "nats": platform.nats.process if platform.nats else None,
    }
    return {name: p.popen.pid for name, p in processes.items() if p is not None and p.popen is not None}


async def backlog(platform: Platform) -> int:
    """Outbox rows not yet published plus events not yet acknowledged by each service's consumer."""
    left = 0
    for spec in SERVICES:
        with psycopg.connect(platform.admin_database_url(spec)) as connection:
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
