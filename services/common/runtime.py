"""The service runtime: grpc.aio server with health and reflection, background workers, graceful shutdown."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import grpc
import uvloop
from grpc_health.v1 import health, health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from services.common.audit import AuditTrail
from services.common.authz import rules_for_services
from services.common.config import ServiceSettings, load_settings
from services.common.consumer import EventConsumer, Subscription
from services.common.db import create_engine, create_sessions, schema_revision, servable_schema
from services.common.interceptor import ServiceInterceptor, StatusLookup
from services.common.logging import configure_logging
from services.common.messaging import NatsLink
from services.common.metrics import POOLS, MetricsEndpoint
from services.common.outbox import OutboxRelay
from services.common.pagination import PageTokens
from services.common.projections import AccountStatuses
from services.common.tokens import StatusRecheck, TokenVerifier
from services.common.tracing import configure_tracing, server_interceptors, shutdown_tracing

log = logging.getLogger("pulseone.runtime")

SettingsT = TypeVar("SettingsT", bound=ServiceSettings)

# Health name reporting the event broker link: watched by `pulseone status`, not by the gateway,
# because a NATS outage is absorbed by the outbox and must not take the service out of rotation.
EVENTS_HEALTH = "pulseone.events"
# SERVING while the process answers at all, whatever its database and broker: what a liveness probe
# asks (a restart cures a stuck process, not a database that is away).
LIVE_HEALTH = "pulseone.live"

Register = Callable[[grpc.aio.Server], None]

# The largest request message a service takes (gRPC's default, made explicit). The gateway refuses
# larger bodies itself, at a lower limit (gateway.config.GatewaySettings.max_request_bytes), so a
# client meets the gateway's clean 413 and never this limit.
MAX_RECEIVE_MESSAGE_BYTES = 4 * 1024 * 1024
# The largest request metadata a service takes, as both gRPC's soft and hard limit (by default 8 and
# 16 KiB, and between the two a call is refused at random). Above what the gateway lets through
# (gateway.config.GatewaySettings.max_request_headers_kb, twice over), so the gateway refuses first.
MAX_METADATA_BYTES = 64 * 1024
# How long a caller's connection lives before the server asks it to reconnect (see _build_server).
MAX_CONNECTION_AGE_MS = 5 * 60 * 1000


@dataclass
class Infrastructure:
    """What a service's composition root builds its domain objects on."""

    settings: ServiceSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    link: NatsLink
    pages: PageTokens

    @classmethod
    def create(cls, settings: ServiceSettings, name: str) -> Infrastructure:
        pages = PageTokens.from_file(settings.page_token_key_file)
        engine = create_engine(settings.database_url, settings.db_pool_size)
        link = NatsLink(settings.nats_url, f"pulseone-{name}", stream_replicas=settings.stream_replicas)
        return cls(settings, engine, create_sessions(engine), link, pages)


@dataclass
class ServiceParts:
    """What a service's composition root (its `app.py`) built, handed to the runtime to run.

    The runtime builds none of these itself; it serves, watches health, runs the workers and stops
    everything in order.
    """

    name: str
    service_names: list[str]
    migrations: Path
    register: Register
    interceptor: ServiceInterceptor
    relay: OutboxRelay
    consumer: EventConsumer | None = None
    workers: list[Callable[[], Coroutine[Any, Any, None]]] = field(default_factory=list)
    closers: list[Callable[[], Awaitable[Any]]] = field(default_factory=list)


def interceptor_for(
    infra: Infrastructure,
    name: str,
    service_names: list[str],
    verifier: TokenVerifier,
    *,
    status_lookup: StatusLookup | None = None,
    status_recheck: StatusRecheck | None = None,
) -> ServiceInterceptor:
    """The interceptor of a service: its methods' rules from the descriptors, an audit trail in its own
    database when a method declares an audit, and the gateway's secret from the settings."""
    rules = rules_for_services(service_names)
    secret = infra.settings.gateway_secret
    return ServiceInterceptor(
        domain=f"pulseone.{name}",
        rules=rules,
        verifier=verifier,
        status_lookup=status_lookup,
        status_recheck=status_recheck,
        audit_trail=AuditTrail(infra.engine) if any(r.audit for r in rules.values()) else None,
        gateway_secret=secret.get_secret_value() if secret else None,
        deadline_seconds=infra.settings.call_deadline_seconds,
    )


def consumer_for(infra: Infrastructure, name: str, subscriptions: list[Subscription]) -> EventConsumer:
    """The service's durable consumer, named after the service unless the settings name another."""
    settings = infra.settings
    return EventConsumer(
        infra.link,
        infra.sessions,
        service=name,
        durable=settings.event_consumer or name,
        subscriptions=subscriptions,
        max_deliver=settings.event_max_deliver,
        ack_wait_seconds=settings.event_ack_wait_seconds,
    )


def assemble(
    infra: Infrastructure,
    *,
    name: str,
    service_names: list[str],
    migrations: Path,
    register: Register,
    verifier: TokenVerifier,
    status_lookup: StatusLookup | None = None,
    status_recheck: StatusRecheck | None = None,
    subscriptions: list[Subscription],
    workers: list[Callable[[], Coroutine[Any, Any, None]]] | None = None,
    closers: list[Callable[[], Awaitable[Any]]] | None = None,
) -> ServiceParts:
    """The parts every service has, built the same way for each: its interceptor (rules, audit trail,
    the caller's current status), its outbox relay and its consumer. A composition root calls this
    with what is its own (servicers, subscriptions, workers) and hands the result to the runtime.

    The callers' status comes from the service's mirror of auth's accounts (`AccountStatuses`)
    unless the service owns the accounts and passes its own `status_lookup`."""
    workers = list(workers or [])
    if status_lookup is None:
        statuses = AccountStatuses(infra.engine, infra.link)
        status_lookup = statuses
        workers.append(statuses.follow)
    return ServiceParts(
        name=name,
        service_names=service_names,
        migrations=migrations,
        register=register,
        interceptor=interceptor_for(
            infra, name, service_names, verifier, status_lookup=status_lookup, status_recheck=status_recheck
        ),
        relay=OutboxRelay(infra.engine, infra.link, service=name),
        consumer=consumer_for(infra, name, subscriptions),
        workers=workers,
        closers=closers or [],
    )


class ServiceRuntime:
    """Runs one service: `start()` returns the bound port; `stop()` drains calls and stops workers."""

    def __init__(self, infra: Infrastructure, parts: ServiceParts) -> None:
        self.infra = infra
        self.parts = parts
        self.health = health.aio.HealthServicer()
        self.relay = parts.relay
        self.consumer = parts.consumer
        self.interceptor = parts.interceptor
        self.server: grpc.aio.Server | None = None
        self.port = 0
        self.metrics: MetricsEndpoint | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._servable = servable_schema(parts.migrations)

    def _build_server(self) -> grpc.aio.Server:
        server = grpc.aio.server(
            interceptors=[*server_interceptors(), self.interceptor],
            options=[
                ("grpc.so_reuseport", 1),
                # A connection is told to go away (GOAWAY) after a while, so its callers resolve the
                # service's name again and find replicas added since (gRPC re-resolves DNS only when
                # a connection ends). Calls in flight, video's long streams too, finish on it: there
                # is no grace limit.
                ("grpc.max_connection_age_ms", MAX_CONNECTION_AGE_MS),
                ("grpc.max_receive_message_length", MAX_RECEIVE_MESSAGE_BYTES),
                ("grpc.max_metadata_size", MAX_METADATA_BYTES),
                ("grpc.absolute_max_metadata_size", MAX_METADATA_BYTES),
            ],
        )
        self.parts.register(server)
        health_pb2_grpc.add_HealthServicer_to_server(self.health, server)
        reflection.enable_server_reflection(
            [*self.parts.service_names, health.SERVICE_NAME, reflection.SERVICE_NAME], server
        )
        return server

    async def start(self) -> int:
        settings = self.infra.settings
        self.server = self._build_server()
        self.port = self.server.add_insecure_port(f"{settings.host}:{settings.port}")
        if self.port == 0:
            raise RuntimeError(f"cannot bind {settings.host}:{settings.port}")
        await self._set_serving(await self.check_database())
        await self.health.set(LIVE_HEALTH, health_pb2.HealthCheckResponse.SERVING)
        await self.server.start()
        if settings.metrics_port is not None:
            self.metrics = MetricsEndpoint(settings.host, settings.metrics_port)
            self.metrics.start()
        POOLS.watch(self.parts.name, self.infra.engine)
        self.infra.link.start()
        self._spawn(self._watch_health(), "health")
        self._spawn(self.relay.run(), "outbox-relay")
        if self.consumer is not None:
            self._spawn(self.consumer.run(), "event-consumer")
        for worker in self.parts.workers:
            self._spawn(worker(), worker.__name__)
        if settings.gateway_secret is None:
            log.warning(
                "PULSEONE_GATEWAY_SECRET is not set: X-Forwarded-For is never believed, so behind the gateway "
                "every caller has the gateway's address (login throttling then counts everyone together)"
            )
        log.info("serving", extra={"address": f"{settings.host}:{self.port}"})
        return self.port

    def _spawn(self, coroutine: Coroutine[Any, Any, None], name: str) -> None:
        self._tasks.append(asyncio.create_task(coroutine, name=f"{self.parts.name}-{name}"))

    async def _set_serving(self, serving: bool) -> None:
        status = health_pb2.HealthCheckResponse.SERVING if serving else health_pb2.HealthCheckResponse.NOT_SERVING
        for name in ("", *self.parts.service_names):
            await self.health.set(name, status)

    async def check_database(self) -> bool:
        """Reachable, and its schema one this code can serve (see `servable_schema`)."""
        try:
            async with asyncio.timeout(self.infra.settings.health_interval_seconds * 2):
                return self._servable(await schema_revision(self.infra.engine))
        except Exception:  # noqa: BLE001 - any failure means not serving
            return False

    async def _watch_health(self) -> None:
        serving: bool | None = None
        await self.health.set(EVENTS_HEALTH, health_pb2.HealthCheckResponse.NOT_SERVING)
        while True:
            now_serving = await self.check_database()
            if now_serving != serving:
                serving = now_serving
                await self._set_serving(serving)
                log.log(logging.INFO if serving else logging.WARNING, "health", extra={"serving": serving})
            events = (
                health_pb2.HealthCheckResponse.SERVING
                if self.infra.link.connected
                else health_pb2.HealthCheckResponse.NOT_SERVING
            )
            await self.health.set(EVENTS_HEALTH, events)
            await asyncio.sleep(self.infra.settings.health_interval_seconds)

    async def stop(self) -> None:
        """Leave rotation, let calls in flight finish, then stop the workers and close connections."""
        await self.health.enter_graceful_shutdown()
        if self.server is not None:
            await self.server.stop(self.infra.settings.shutdown_grace_seconds)
        self.relay.stop()
        if self.consumer is not None:
            self.consumer.stop()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.infra.link.close()
        for close in self.parts.closers:
            await close()
        await self.interceptor.close()
        POOLS.forget(self.parts.name, self.infra.engine)
        if self.metrics is not None:
            self.metrics.stop()
        await self.infra.engine.dispose()
        log.info("stopped")

    async def serve_until_signalled(self, stop: asyncio.Event) -> None:
        """`start()`, then run until `stop` is set (by `signalled()`), then `stop()`."""
        await self.start()
        await stop.wait()
        await self.stop()


def signalled() -> asyncio.Event:
    """An event SIGTERM or SIGINT sets, from now on in the running loop (in place of the console
    script's first handler, which ends the process at once, with no cleanup)."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    return stop


def serve(name: str, settings_type: type[SettingsT], build: Callable[[SettingsT], ServiceRuntime]) -> None:
    """What every service's `__main__` does: settings, logging, tracing (when an OTLP endpoint is
    configured), then run until SIGTERM (on uvloop), exporting the last spans at the end.

    The loop takes SIGTERM first of all: one that comes while the service is being built stops it,
    gracefully, once started (connections made by then are closed, not cut)."""

    async def main() -> None:
        stop = signalled()
        settings = load_settings(settings_type)
        configure_logging(name, settings.log_level)
        configure_tracing(name)
        try:
            await build(settings).serve_until_signalled(stop)
        finally:
            shutdown_tracing()

    with contextlib.suppress(KeyboardInterrupt):
        uvloop.run(main())
