"""One trace from the gateway to video: a VIRTUAL booking over REST is the gateway's span, the
appointments service's server span for BookAppointment, the booked event's producer span, and
video's consumer span that creates the session, all sent over OTLP to a collector. The platform is
one of its own, every service and the gateway pointed at an in-process OTLP/gRPC collector."""

from __future__ import annotations

import dataclasses
import shutil
import time
from collections.abc import Iterator
from concurrent import futures
from dataclasses import dataclass, field
from threading import Lock
from typing import Any

import grpc
import httpx
import pytest
from opentelemetry.proto.collector.trace.v1 import trace_service_pb2, trace_service_pb2_grpc
from opentelemetry.proto.common.v1.common_pb2 import KeyValue
from opentelemetry.proto.trace.v1.trace_pb2 import Span as OtlpSpan

from gateway.config import GatewaySettings
from scripts.platform import Platform, ServiceSpec
from services.common.event_catalogue import APPOINTMENT_BOOKED, VIDEO_SESSION_CREATED
from tests.conftest import scratch_dir
from tests.e2e.conftest import first_admin, platform_settings
from tests.e2e.test_video import virtual_visit

pytestmark = pytest.mark.e2e


@dataclass(frozen=True)
class Received:
    """One span as the collector got it, with the service.name of what sent it."""

    service: str
    span: OtlpSpan

    @property
    def attributes(self) -> dict[str, Any]:
        return _values(self.span.attributes)


def _values(attributes: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for attribute in attributes:
        assert isinstance(attribute, KeyValue)
        kind = attribute.value.WhichOneof("value")
        found[attribute.key] = getattr(attribute.value, kind) if kind else None
    return found


class Collector(trace_service_pb2_grpc.TraceServiceServicer):  # type: ignore[misc]
    """An OTLP/gRPC trace collector that keeps what it is sent."""

    def __init__(self) -> None:
        self._lock = Lock()
        self._spans: list[Received] = []

    def Export(self, request: trace_service_pb2.ExportTraceServiceRequest, context: Any) -> Any:
        with self._lock:
            for resource_spans in request.resource_spans:
                service = str(_values(resource_spans.resource.attributes).get("service.name"))
                self._spans += [Received(service, s) for scope in resource_spans.scope_spans for s in scope.spans]
        return trace_service_pb2.ExportTraceServiceResponse()

    def spans(self) -> list[Received]:
        with self._lock:
            return list(self._spans)


@dataclass
class TracedPlatform(Platform):
    """The platform with every service and the gateway sending spans to `collector`."""

    collector: str = ""
    tracing_env: dict[str, str] = field(default_factory=dict)

    def service_env(self, spec: ServiceSpec, instance: str | None = None) -> dict[str, str]:
        return super().service_env(spec, instance) | self.tracing_env

    def gateway_settings(self) -> GatewaySettings:
        return dataclasses.replace(super().gateway_settings(), otlp_endpoint=self.collector)


@pytest.fixture(scope="module")
def collector() -> Iterator[tuple[Collector, str]]:
    received = Collector()
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    trace_service_pb2_grpc.add_TraceServiceServicer_to_server(received, server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    yield received, f"http://127.0.0.1:{port}"
    server.stop(grace=None)


@pytest.fixture(scope="module")
def traced(collector: tuple[Collector, str]) -> Iterator[TracedPlatform]:
    _, endpoint = collector
    state = scratch_dir("pulseone-e2e-traces-")
    platform = TracedPlatform(
        state,
        **platform_settings(),
        collector=endpoint,
        # Batches leave every 200 ms instead of every 5 s, so the test waits for spans briefly.
        tracing_env={"OTEL_EXPORTER_OTLP_ENDPOINT": endpoint, "OTEL_BSP_SCHEDULE_DELAY": "200"},
    )
    platform.start()
    yield platform
    platform.stop()
    shutil.rmtree(state, ignore_errors=True)


def _eventually_found(collector: Collector, find: Any, timeout: float = 30.0) -> Any:
    """What `find` makes of the spans received so far, once it finds something (Envoy sends its
    spans every few seconds)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return find(collector.spans())
        except (AssertionError, StopIteration):
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _only(spans: list[Received], service: str, kind: int, name: str, trace_id: bytes | None = None) -> Received:
    found = [
        s
        for s in spans
        if s.service == service
        and s.span.kind == kind
        and name in s.span.name
        and (trace_id is None or s.span.trace_id == trace_id)
    ]
    assert len(found) == 1, [(s.service, s.span.name) for s in found]
    return found[0]


def test_a_bookings_trace_runs_from_the_gateway_to_the_video_session_it_created(
    traced: TracedPlatform, collector: tuple[Collector, str]
) -> None:
    received, _ = collector
    with httpx.Client(base_url=traced.gateway_url, timeout=10) as gateway:
        admin = first_admin(traced, gateway)
        virtual_visit(gateway, admin)  # books over REST and waits until video made the session

    def booking(spans: list[Received]) -> Received:
        return _only(spans, "pulseone-appointments", OtlpSpan.SPAN_KIND_SERVER, "BookAppointment")

    server = _eventually_found(received, booking)
    trace_id = server.span.trace_id
    assert server.attributes["rpc.system"] == "grpc"
    assert server.attributes["rpc.method"] == "BookAppointment"
    assert server.attributes["rpc.grpc.status_code"] == 0

    def gateway_span(spans: list[Received]) -> Received:
        found = [s for s in spans if s.service == "pulseone-gateway" and s.span.trace_id == trace_id]
        assert len(found) == 1, [(s.span.name, s.span.trace_id.hex()) for s in spans if s.service == "pulseone-gateway"]
        return found[0]

    root = _eventually_found(received, gateway_span)
    assert root.span.parent_span_id == b""  # the gateway's span starts the trace
    assert server.span.parent_span_id == root.span.span_id

    def chain(spans: list[Received]) -> tuple[Received, Received, Received]:
        booked = _only(
            spans, "pulseone-appointments", OtlpSpan.SPAN_KIND_PRODUCER, APPOINTMENT_BOOKED.subject, trace_id
        )
        handled = _only(spans, "pulseone-video", OtlpSpan.SPAN_KIND_CONSUMER, APPOINTMENT_BOOKED.subject, trace_id)
        created = _only(spans, "pulseone-video", OtlpSpan.SPAN_KIND_PRODUCER, VIDEO_SESSION_CREATED.subject, trace_id)
        return booked, handled, created

    booked, handled, created = _eventually_found(received, chain)
    assert booked.span.parent_span_id == server.span.span_id
    assert booked.attributes["messaging.system"] == "nats"
    assert booked.attributes["messaging.destination.name"] == APPOINTMENT_BOOKED.subject
    assert handled.span.parent_span_id == booked.span.span_id
    assert handled.attributes["messaging.message.id"] == booked.attributes["messaging.message.id"]
    assert created.span.parent_span_id == handled.span.span_id  # what video wrote goes on in the same trace
