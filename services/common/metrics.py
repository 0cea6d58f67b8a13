"""What a service tells Prometheus about itself, served on a side port (`PULSEONE_METRICS_PORT`).

One registry per process, every series labelled with the service, so replicas and the services a
test runs in one process stay apart. Counting costs a dictionary lookup and an addition on the hot
paths; the database pool is read only when scraped.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from wsgiref.simple_server import WSGIServer

from prometheus_client import REGISTRY, Counter, Gauge, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.ext.asyncio import AsyncEngine

REQUESTS = Counter(
    "pulseone_grpc_requests", "gRPC calls handled, by method and status code", ["service", "method", "code"]
)
LATENCY = Histogram(
    "pulseone_grpc_request_duration_seconds",
    "Time from a call's arrival in the service to its answer, by method",
    ["service", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
OUTBOX_BACKLOG = Gauge(
    "pulseone_outbox_backlog", "Events written but not yet published, at the relay's last look", ["service"]
)
OUTBOX_AGE = Gauge(
    "pulseone_outbox_oldest_age_seconds",
    "Age of the oldest event not yet published, at the relay's last look (0: none)",
    ["service"],
)
EVENTS_PUBLISHED = Counter(
    "pulseone_events_published",
    "Events the relay published, by subject (bookings, dispenses ...)",
    ["service", "subject"],
)
CONSUMER_PENDING = Gauge(
    "pulseone_consumer_pending", "Events waiting for the service's consumer, as of its last fetch", ["service"]
)
EVENTS_HANDLED = Counter("pulseone_events_handled", "Events the consumer committed, by subject", ["service", "subject"])
REDELIVERIES = Counter(
    "pulseone_event_redeliveries", "Events delivered again after a failure or a timeout", ["service"]
)
DEAD_LETTERS = Counter(
    "pulseone_dead_letters", "Events given up on and sent to the dead letters, by subject", ["service", "subject"]
)


class _Pools(Collector):
    """Connections of each watched engine's pool, read when scraped."""

    def __init__(self) -> None:
        self._engines: dict[str, list[AsyncEngine]] = {}
        self._lock = threading.Lock()

    def watch(self, service: str, engine: AsyncEngine) -> None:
        with self._lock:
            self._engines.setdefault(service, []).append(engine)

    def forget(self, service: str, engine: AsyncEngine) -> None:
        with self._lock:
            engines = self._engines.get(service, [])
            if engine in engines:
                engines.remove(engine)

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "pulseone_db_pool_connections",
            "Database connections of the service's pool, by state",
            labels=["service", "state"],
        )
        with self._lock:
            watched = {service: list(engines) for service, engines in self._engines.items() if engines}
        for service, engines in watched.items():
            pools = [engine.sync_engine.pool for engine in engines]
            in_use = sum(pool.checkedout() for pool in pools)  # type: ignore[attr-defined]
            idle = sum(pool.checkedin() for pool in pools)  # type: ignore[attr-defined]
            family.add_metric([service, "in_use"], in_use)
            family.add_metric([service, "idle"], idle)
        yield family


POOLS = _Pools()
REGISTRY.register(POOLS)


class MetricsEndpoint:
    """The side port: `/metrics` in Prometheus's text format, served by a thread of its own."""

    def __init__(self, host: str, port: int) -> None:
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._host = host
        self._port = port
        self.port = 0

    def start(self) -> int:
        self._server, self._thread = start_http_server(self._port, addr=self._host)
        self.port = self._server.server_port
        return self.port

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
