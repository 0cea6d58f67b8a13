"""Traces: OpenTelemetry spans of calls and events, exported over OTLP when an endpoint is configured.

Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set. Then the
process installs a tracer provider that batches spans to that endpoint, configured as the SDK reads
its own variables (OTEL_TRACES_SAMPLER, OTEL_BSP_*, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES ...).
Off, nothing here runs on a call: no interceptor is installed, no span is made, no context is
carried, so the hot paths pay for no tracing at all.

The trace context travels as W3C `traceparent` (and `tracestate`): in gRPC metadata between
services (Envoy sends it too) and in the NATS headers of every event, from the outbox row written
with the change to the consumer that handles it.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

import grpc
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.instrumentation.grpc import aio_client_interceptors, aio_server_interceptor, filters
from opentelemetry.sdk.resources import SERVICE_INSTANCE_ID, SERVICE_NAME, Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind

ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
# The W3C headers an event carries; what the propagator writes beside them (baggage) is not kept.
TRACE_HEADERS = ("traceparent", "tracestate")
SCOPE = "pulseone"
MESSAGING_SYSTEM = "nats"

_provider: TracerProvider | None = None
_tracer: trace.Tracer = trace.NoOpTracer()


def install(provider: TracerProvider | None) -> None:
    """Send this process's spans to `provider`; None turns tracing off. `configure_tracing` calls it
    at start; tests call it with a provider of their own (an in-memory exporter)."""
    global _provider, _tracer  # noqa: PLW0603 - one tracer provider per process, as OpenTelemetry has it
    _provider = provider
    _tracer = provider.get_tracer(SCOPE) if provider is not None else trace.NoOpTracer()


def enabled() -> bool:
    return _provider is not None


def wanted(environ: Mapping[str, str]) -> bool:
    """Whether the environment asks for traces: an OTLP endpoint, and the SDK not disabled."""
    if environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return False
    if environ.get("OTEL_TRACES_EXPORTER", "").strip().lower() == "none":
        return False
    return any(environ.get(variable, "").strip() for variable in ENDPOINT_VARIABLES)


def otlp_endpoint(environ: Mapping[str, str]) -> str | None:
    """Where traces go, as the SDK reads it (the traces' own variable first); None: nowhere."""
    if not wanted(environ):
        return None
    return next(
        value.strip() for variable in reversed(ENDPOINT_VARIABLES) if (value := environ.get(variable, "")).strip()
    )


def resource(service: str, environ: Mapping[str, str]) -> Resource:
    """`pulseone-<service>` unless OTEL_SERVICE_NAME names it otherwise, and this process's instance
    id (the pod's name in Kubernetes, then the process id); OTEL_RESOURCE_ATTRIBUTES adds the rest."""
    attributes: dict[str, str] = {SERVICE_INSTANCE_ID: f"{socket.gethostname()}-{os.getpid()}"}
    if not environ.get("OTEL_SERVICE_NAME", "").strip():
        attributes[SERVICE_NAME] = f"pulseone-{service}"
    return Resource.create(attributes)


def configure_tracing(service: str) -> TracerProvider | None:
    """At a service's start: when the environment asks for traces, a provider exporting them over
    OTLP/gRPC in batches, installed for this process (and as OpenTelemetry's global, for any library
    that traces on its own); otherwise None and tracing stays off."""
    if not wanted(os.environ):
        return None
    # Imported here: a process that does not trace does not load the exporter and its gRPC stubs.
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter  # noqa: PLC0415

    provider = TracerProvider(resource=resource(service, os.environ))
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    install(provider)
    return provider


def shutdown_tracing() -> None:
    """Export what is still batched, at a service's stop."""
    if _provider is not None:
        _provider.shutdown()


def tracer() -> trace.Tracer:
    return _tracer


# Health checks (Envoy asks every second or two) and reflection are no calls anyone traces.
_TRACED_METHODS = filters.negate(
    filters.any_of(filters.service_prefix("grpc.health."), filters.service_prefix("grpc.reflection."))
)


def server_interceptors() -> list[grpc.aio.ServerInterceptor]:
    """A server span for every call a service handles, the child of the caller's `traceparent`
    (a malformed one is ignored: the call starts a trace of its own). Placed before the service's
    own interceptor, so its span is current while that one authenticates, logs and maps errors."""
    if _provider is None:
        return []
    return [aio_server_interceptor(tracer_provider=_provider, filter_=_TRACED_METHODS)]  # type: ignore[no-untyped-call]


def client_interceptors() -> list[grpc.aio.ClientInterceptor]:
    """A client span for every call to another service, with `traceparent` in its metadata."""
    if _provider is None:
        return []
    interceptors: list[grpc.aio.ClientInterceptor] = aio_client_interceptors(tracer_provider=_provider)  # type: ignore[no-untyped-call]
    return interceptors


def current_context() -> dict[str, str] | None:
    """The W3C headers of the current span, for a message that continues its trace; None when
    tracing is off or nothing is traced now."""
    if _provider is None:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    kept = {key: carrier[key] for key in TRACE_HEADERS if key in carrier}
    return kept or None


def context_of(headers: object) -> Context | None:
    """The trace context in a message's headers (or an outbox row's); None when there is none or it
    is malformed (the message then starts a trace of its own: a bad header is never an error)."""
    if not isinstance(headers, Mapping) or "traceparent" not in headers:
        return None
    carrier = {key: value for key in TRACE_HEADERS if isinstance(value := headers.get(key), str)}
    context = propagate.extract(carrier)
    return context if trace.get_current_span(context).get_span_context().is_valid else None


def messaging_attributes(subject: str, event_id: object, operation: str) -> dict[str, str]:
    """OpenTelemetry's messaging conventions for one event on NATS."""
    return {
        "messaging.system": MESSAGING_SYSTEM,
        "messaging.destination.name": subject,
        "messaging.message.id": str(event_id),
        "messaging.operation.type": operation,
        "messaging.operation.name": operation,
    }


def producer_context(subject: str, event_id: object) -> dict[str, str] | None:
    """The trace context an event carries: a producer span ("create"), the child of the call or
    event that wrote it, made and ended as the event is written. None when tracing is off."""
    if _provider is None:
        return None
    with _tracer.start_as_current_span(
        f"create {subject}", kind=SpanKind.PRODUCER, attributes=messaging_attributes(subject, event_id, "create")
    ):
        return current_context()


def sending(subject: str, event_id: object, carrier: object) -> Span | None:
    """A span ("send") for the relay's publishing of an event, the child of the context the event
    was written with; the caller ends it when the broker has answered. None for an event written
    without a context (tracing was off, or the context is malformed)."""
    parent = context_of(carrier) if _provider is not None else None
    if parent is None:
        return None
    attributes = messaging_attributes(subject, event_id, "send")
    return _tracer.start_span(f"send {subject}", context=parent, kind=SpanKind.CLIENT, attributes=attributes)


@contextmanager
def consuming(subject: str, event_id: object, headers: object) -> Iterator[Span | None]:
    """A consumer span ("process") around handling one event, the child of the context its headers
    carry, so whatever the handler writes (its own events) continues the same trace. Nothing when
    tracing is off."""
    if _provider is None:
        yield None
        return
    with _tracer.start_as_current_span(
        f"process {subject}",
        context=context_of(headers) or Context(),
        kind=SpanKind.CONSUMER,
        attributes=messaging_attributes(subject, event_id, "process"),
    ) as span:
        yield span
