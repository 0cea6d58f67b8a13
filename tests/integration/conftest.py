"""Services run in-process on an ephemeral port against the session's real PostgreSQL and NATS."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Any, TypeVar

import grpc
import jwt
import nats
import pytest
import sqlalchemy as sa
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from psycopg import pq
from pulseone.appointments.v1 import appointments_pb2_grpc
from pulseone.auth.v1 import auth_pb2, auth_pb2_grpc
from pulseone.inventory.v1 import inventory_pb2_grpc
from pulseone.prescriptions.v1 import prescriptions_pb2_grpc
from pulseone.profile.v1 import profile_pb2_grpc
from pulseone.video.v1 import video_pb2_grpc
from sqlalchemy.ext.asyncio import AsyncEngine

from scripts.stack import Nats, Postgres, free_port
from services.appointments.app import MIGRATIONS as APPOINTMENTS_MIGRATIONS
from services.appointments.app import build as build_appointments
from services.appointments.settings import AppointmentsSettings
from services.auth.app import MIGRATIONS, build
from services.auth.crypto import KeyRing
from services.auth.settings import AuthSettings
from services.auth.use_cases.accounts import create_system_admin
from services.common.db import create_engine
from services.common.messaging import DEAD_LETTER_STREAM
from services.common.runtime import ServiceRuntime
from services.inventory.app import MIGRATIONS as INVENTORY_MIGRATIONS
from services.inventory.app import build as build_inventory
from services.inventory.settings import InventorySettings
from services.prescriptions.app import MIGRATIONS as PRESCRIPTIONS_MIGRATIONS
from services.prescriptions.app import build as build_prescriptions
from services.prescriptions.settings import PrescriptionsSettings
from services.profile.app import MIGRATIONS as PROFILE_MIGRATIONS
from services.profile.app import build as build_profile
from services.profile.settings import ProfileSettings
from services.video.app import MIGRATIONS as VIDEO_MIGRATIONS
from services.video.app import build as build_video
from services.video.settings import VideoSettings
from tests.conftest import migrated_service_database, page_token_key, scratch_dir

PASSWORD = "correct horse 1"
# What the gateway would send the services to show a call came through it.
GATEWAY_SECRET = "integration-tests-gateway-secret-0123456789"
T = TypeVar("T")


class Clock:
    """A clock the tests move by hand; starts at the real time."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@dataclass
class AuthHarness:
    runtime: ServiceRuntime
    channel: grpc.aio.Channel
    stub: auth_pb2_grpc.AuthServiceStub
    clock: Clock
    database_url: str
    key_ring: Path

    async def register(self, role: str = "PATIENT", **fields: object) -> auth_pb2.AuthResponse:
        request = auth_pb2.RegisterRequest(
            email=f"{role.lower()}-{uuid.uuid4().hex[:10]}@example.com",
            password=PASSWORD,
            role=role,
            first_name="Ada",
            last_name="Lovelace",
            phone_number="+94 77 123 4567",
        )
        if role == "CLINIC_ADMIN":
            request.clinic.CopyFrom(auth_pb2.ClinicDetails(name="Lanka Clinic", time_zone="Asia/Colombo"))
        if role == "PHARMACY":
            request.pharmacy.CopyFrom(auth_pb2.PharmacyDetails(name="Green Pharmacy", license_number=uuid.uuid4().hex))
        for key, value in fields.items():
            setattr(request, key, value)
        response: auth_pb2.AuthResponse = await self.stub.Register(request)
        return response


async def start_auth(postgres: Postgres, nats_url: str, state: Path, **settings: Any) -> AuthHarness:
    database = migrated_service_database(postgres, "auth", MIGRATIONS)
    key_ring = state / "keys.json"
    auth_settings = AuthSettings(
        database_url=database.runtime_url,
        nats_url=nats_url,
        port=0,
        key_ring_file=key_ring,
        create_key_ring=True,
        gateway_secret=GATEWAY_SECRET,
        health_interval_seconds=0.2,
        event_consumer=f"auth-{uuid.uuid4().hex[:8]}",
        event_ack_wait_seconds=5,
        page_token_key_file=page_token_key(),
        **settings,
    )
    clock = Clock()
    runtime = build(auth_settings, clock=clock)
    port = await runtime.start()
    channel = grpc.aio.insecure_channel(f"127.0.0.1:{port}")
    return AuthHarness(runtime, channel, auth_pb2_grpc.AuthServiceStub(channel), clock, database.admin_url, key_ring)


async def admin_token(auth: AuthHarness) -> str:
    """An access token of a new SYSTEM_ADMIN, created as the operator command does."""
    email = f"admin-{uuid.uuid4().hex[:8]}@example.com"
    await create_system_admin(auth.database_url, email, PASSWORD, "Sys", "Admin")
    response = await auth.stub.Login(auth_pb2.LoginRequest(email=email, password=PASSWORD))
    return str(response.access_token)


@pytest.fixture(scope="module")
async def auth(postgres: Postgres, nats_server: Nats) -> AsyncIterator[AuthHarness]:
    harness = await start_auth(postgres, nats_server.url, scratch_dir("pulseone-auth-"))
    yield harness
    await harness.channel.close()
    await harness.runtime.stop()


async def run_sql(database_url: str, statement: str, **values: object) -> list[Any]:
    """Run one statement against a service's database (seeding or inspecting rows in tests)."""
    engine = create_engine(database_url, 1)
    try:
        async with engine.begin() as connection:
            result = await connection.execute(sa.text(statement), values)
            return list(result.all()) if result.returns_rows else []
    finally:
        await engine.dispose()


def checked_out(engine: AsyncEngine) -> int:
    """Connections of the engine's pool that someone holds (a leaked one stays counted until gc)."""
    pool = engine.pool
    assert isinstance(pool, sa.pool.QueuePool)
    return pool.checkedout()


def bearer(token: str) -> tuple[tuple[str, str]]:
    return (("authorization", f"Bearer {token}"),)


@dataclass
class ProfileHarness:
    runtime: ServiceRuntime
    channel: grpc.aio.Channel
    database_url: str
    clock: Clock

    def stub(self, name: str) -> Any:
        return getattr(profile_pb2_grpc, f"{name}Stub")(self.channel)


async def start_profile(postgres: Postgres, nats_url: str, auth_port: int) -> ProfileHarness:
    database = migrated_service_database(postgres, "profile", PROFILE_MIGRATIONS)
    settings = ProfileSettings(
        database_url=database.runtime_url,
        nats_url=nats_url,
        port=0,
        auth_address=f"127.0.0.1:{auth_port}",
        health_interval_seconds=0.2,
        event_consumer=f"profile-{uuid.uuid4().hex[:8]}",
        event_ack_wait_seconds=5,
        page_token_key_file=page_token_key(),
    )
    clock = Clock()
    runtime = build_profile(settings, clock=clock)
    port = await runtime.start()
    return ProfileHarness(runtime, grpc.aio.insecure_channel(f"127.0.0.1:{port}"), database.admin_url, clock)


@pytest.fixture(scope="module")
async def profile(postgres: Postgres, nats_server: Nats, auth: AuthHarness) -> AsyncIterator[ProfileHarness]:
    harness = await start_profile(postgres, nats_server.url, auth.runtime.port)
    yield harness
    await harness.channel.close()
    await harness.runtime.stop()


async def eventually(check: Callable[[], Awaitable[T]], timeout: float = 15.0) -> T:
    """Retry an async check until it returns without raising (events take a moment to arrive)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            return await check()
        except (AssertionError, grpc.aio.AioRpcError):
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.1)


async def publish(nats_url: str, subject: str, payload: bytes) -> None:
    """Publish raw bytes on a subject, as a service's relay (or a broken publisher) would."""
    client = await nats.connect(nats_url)
    try:
        await client.jetstream().publish(subject, payload, headers={"Nats-Msg-Id": str(uuid.uuid4())})
    finally:
        await client.close()


def durable_of(replica: ServiceRuntime) -> str:
    consumer = replica.consumer
    assert consumer is not None
    return str(consumer.consumer_config().durable_name)


async def dead_letters(nats_url: str, durable: str, subject: str, expected: int) -> list[Any]:
    """The dead letters of a service's consumer on a subject, once `expected` arrived (or ~30 s passed)."""
    client = await nats.connect(nats_url)
    try:
        dead = await client.jetstream().pull_subscribe(
            f"deadletter.{durable}.{subject}",
            stream=DEAD_LETTER_STREAM,
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
        )
        letters: list[Any] = []
        for _ in range(60):
            with contextlib.suppress(TimeoutError):
                letters += await dead.fetch(10, timeout=0.5)
            if len(letters) >= expected:
                break
        return letters
    finally:
        await client.close()


def forge_token(auth: AuthHarness, user_id: str, role: str, status: str = "ACTIVE") -> str:
    """A token the auth service's keys sign, for a user the test makes up (no registration needed)."""
    key = KeyRing(auth.key_ring).current()
    now = int(time.time())
    claims = {
        "iss": "pulseone-auth", "aud": "pulseone", "sub": user_id, "role": role, "status": status,
        "iat": now, "exp": now + 600, "jti": uuid.uuid4().hex,
    }  # fmt: skip
    return jwt.encode(claims, key.private_key, algorithm="EdDSA", headers={"kid": key.kid})


@dataclass
class Replicas:
    """Two replicas of one service on one database (one durable consumer between them), a channel to each."""

    replicas: list[ServiceRuntime]
    channels: list[grpc.aio.Channel]
    database_url: str
    """As the server's administrator: for tests that seed or inspect rows."""
    clock: Clock
    runtime_url: str = ""
    """As the role the service's replicas connect as."""


H = TypeVar("H", bound=Replicas)


@contextlib.asynccontextmanager
async def replicas_of(
    harness: type[H],
    postgres: Postgres,
    name: str,
    migrations: Path,
    build_replica: Callable[[dict[str, Any], Clock], ServiceRuntime],
    **settings: Any,
) -> AsyncIterator[H]:
    """Start two replicas of a service: `build_replica` gets the settings every test service shares
    (fresh database, ephemeral port, the session's NATS, quick health and redelivery) plus `settings`."""
    database = migrated_service_database(postgres, name, migrations)
    clock = Clock()
    common = {
        "database_url": database.runtime_url,
        "port": 0,
        "health_interval_seconds": 0.2,
        "event_consumer": f"{name}-{uuid.uuid4().hex[:8]}",
        "event_ack_wait_seconds": 5,
        "page_token_key_file": page_token_key(),
        **settings,
    }
    running = harness([], [], database.admin_url, clock, database.runtime_url)
    try:
        for _ in range(2):
            runtime = build_replica(common, clock)
            port = await runtime.start()
            running.replicas.append(runtime)
            running.channels.append(grpc.aio.insecure_channel(f"127.0.0.1:{port}"))
        yield running
    finally:
        for channel in running.channels:
            await channel.close()
        for runtime in running.replicas:
            await runtime.stop()


@contextlib.asynccontextmanager
async def replica_without_profile(
    build_replica: Callable[[Any], ServiceRuntime], settings_type: type[Any], replicas: Replicas, nats_url: str,
    auth: AuthHarness,
) -> AsyncIterator[grpc.aio.Channel]:  # fmt: skip
    """A channel to one more replica of a service, on the harness's database, whose profile service
    cannot be reached (nothing listens at its address)."""
    settings = settings_type(
        database_url=replicas.runtime_url,
        nats_url=nats_url,
        port=0,
        auth_address=f"127.0.0.1:{auth.runtime.port}",
        profile_address=f"127.0.0.1:{free_port()}",
        event_consumer=f"without-profile-{uuid.uuid4().hex[:8]}",
        page_token_key_file=page_token_key(),
    )
    runtime = build_replica(settings)
    port = await runtime.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield channel
    finally:
        await runtime.stop()


@dataclass
class AppointmentsHarness(Replicas):
    def sessions(self, replica: int = 0) -> Any:
        return appointments_pb2_grpc.SessionServiceStub(self.channels[replica])

    def appointments(self, replica: int = 0) -> Any:
        return appointments_pb2_grpc.AppointmentServiceStub(self.channels[replica])

    def queues(self, replica: int = 0) -> Any:
        return appointments_pb2_grpc.QueueServiceStub(self.channels[replica])

    def notes(self, replica: int = 0) -> Any:
        return appointments_pb2_grpc.NotesServiceStub(self.channels[replica])


@pytest.fixture(scope="module")
async def appointments(
    postgres: Postgres, nats_server: Nats, auth: AuthHarness, profile: ProfileHarness
) -> AsyncIterator[AppointmentsHarness]:
    async with replicas_of(
        AppointmentsHarness,
        postgres,
        "appointments",
        APPOINTMENTS_MIGRATIONS,
        lambda settings, clock: build_appointments(AppointmentsSettings(**settings), clock=clock),
        nats_url=nats_server.url,
        auth_address=f"127.0.0.1:{auth.runtime.port}",
        profile_address=f"127.0.0.1:{profile.runtime.port}",
    ) as harness:
        yield harness


@dataclass
class InventoryHarness(Replicas):
    """Inventory re-reads lagging locations from the running profile service."""

    def stub(self, replica: int = 0) -> Any:
        return inventory_pb2_grpc.InventoryServiceStub(self.channels[replica])


@pytest.fixture(scope="module")
async def inventory(
    postgres: Postgres, nats_server: Nats, auth: AuthHarness, profile: ProfileHarness
) -> AsyncIterator[InventoryHarness]:
    async with replicas_of(
        InventoryHarness,
        postgres,
        "inventory",
        INVENTORY_MIGRATIONS,
        lambda settings, clock: build_inventory(InventorySettings(**settings), clock=clock),
        nats_url=nats_server.url,
        auth_address=f"127.0.0.1:{auth.runtime.port}",
        profile_address=f"127.0.0.1:{profile.runtime.port}",
        event_max_deliver=2,
    ) as harness:
        yield harness


@dataclass
class PrescriptionsHarness(Replicas):
    """Prescriptions asks the running appointments and inventory services, on the caller's behalf."""

    def stub(self, replica: int = 0) -> Any:
        return prescriptions_pb2_grpc.PrescriptionServiceStub(self.channels[replica])


@pytest.fixture(scope="module")
async def prescriptions(
    postgres: Postgres,
    nats_server: Nats,
    auth: AuthHarness,
    appointments: AppointmentsHarness,
    inventory: InventoryHarness,
) -> AsyncIterator[PrescriptionsHarness]:
    async with replicas_of(
        PrescriptionsHarness,
        postgres,
        "prescriptions",
        PRESCRIPTIONS_MIGRATIONS,
        lambda settings, clock: build_prescriptions(PrescriptionsSettings(**settings), clock=clock),
        nats_url=nats_server.url,
        auth_address=f"127.0.0.1:{auth.runtime.port}",
        appointments_address=f"127.0.0.1:{appointments.replicas[0].port}",
        inventory_address=f"127.0.0.1:{inventory.replicas[0].port}",
        event_max_deliver=2,
    ) as harness:
        yield harness


@dataclass
class VideoHarness(Replicas):
    """Video relays signals between its replicas through NATS; both write to one recordings store."""

    recordings: Path = Path()

    def stub(self, replica: int = 0) -> Any:
        return video_pb2_grpc.VideoServiceStub(self.channels[replica])


@pytest.fixture(scope="module")
async def video(
    postgres: Postgres, nats_server: Nats, auth: AuthHarness, profile: ProfileHarness, appointments: AppointmentsHarness
) -> AsyncIterator[VideoHarness]:
    recordings = scratch_dir("pulseone-recordings-")
    async with replicas_of(
        VideoHarness,
        postgres,
        "video",
        VIDEO_MIGRATIONS,
        lambda settings, clock: build_video(VideoSettings(**settings), clock=clock),
        nats_url=nats_server.url,
        auth_address=f"127.0.0.1:{auth.runtime.port}",
        appointments_address=f"127.0.0.1:{appointments.replicas[0].port}",
        profile_address=f"127.0.0.1:{profile.runtime.port}",
        recordings_dir=recordings,
        heartbeat_seconds=1,
        event_max_deliver=2,
    ) as harness:
        harness.recordings = recordings
        yield harness


def round_trips_of(trace: IO[str]) -> int:
    """Each reply (B) to what the client sent (F) since the last reply ends one round trip."""
    directions = [line[0] for line in trace if line.startswith(("F\t", "B\t"))]  # not a query's later lines
    return sum(1 for sent, received in itertools.pairwise(directions) if (sent, received) == ("F", "B"))


@contextlib.contextmanager
def round_trips(engine: AsyncEngine) -> Iterator[list[int]]:
    """The round trips of each connection the engine's pool hands out while the block runs, traced
    from its checkout to its checkin (when the pool has reset it)."""
    counted: list[int] = []
    traces: dict[int, IO[str]] = {}

    def checkout(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        trace = traces[id(record)] = tempfile.TemporaryFile("w+")  # noqa: SIM115 - closed at checkin
        record.driver_connection.pgconn.trace(trace.fileno())
        record.driver_connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)

    def checkin(dbapi_connection: Any, record: Any) -> None:
        record.driver_connection.pgconn.untrace()  # flushes the trace
        with traces.pop(id(record)) as trace:
            trace.seek(0)
            counted.append(round_trips_of(trace))

    sa.event.listen(engine.sync_engine, "checkout", checkout)
    sa.event.listen(engine.sync_engine, "checkin", checkin)
    try:
        yield counted
    finally:
        sa.event.remove(engine.sync_engine, "checkout", checkout)
        sa.event.remove(engine.sync_engine, "checkin", checkin)
