"""Traces across calls and events: server and client spans from `traceparent` metadata, the outbox
keeping the context an event was written in, the relay sending it in NATS headers, the consumer
continuing it, and logs naming the trace. Spans go to an in-memory exporter."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import grpc
import nats
import psycopg
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import NonRecordingSpan, SpanContext, SpanKind, TraceFlags
from pulseone.auth.v1 import auth_pb2, events_pb2
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from scripts.stack import Nats, Postgres
from services.auth.app import MIGRATIONS
from services.common import tracing
from services.common.consumer import EventConsumer, PermanentFailure, Subscription
from services.common.db import create_engine, create_sessions, migrate
from services.common.event_catalogue import EventType
from services.common.event_tables import traced_overload
from services.common.logging import JsonFormatter
from services.common.messaging import DEAD_LETTER_PREFIX, DEAD_LETTER_STREAM, STREAM, NatsLink
from services.common.outbox import OutboxRelay, libpq_url, record_event, replay
from services.common.peers import peer_channel
from tests.conftest import fresh_database, scratch_dir
from tests.integration.conftest import AuthHarness, run_sql, start_auth

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
PARENT_ID = "b7ad6b7169203331"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_ID}-01"
# Not hex, an invalid version, all-zero ids (the W3C "invalid" trace), far too long, empty.
MALFORMED = (
    "00-not-a-trace-01",
    "ff-" + "a" * 32 + "-" + "b" * 16 + "-01",
    "00-" + "0" * 32 + "-" + "0" * 16 + "-01",
    f"{TRACEPARENT}-" + "x" * 4000,
    "",
)
TOPIC = "pulseone.tests.traced"


@pytest.fixture(scope="module")
def exporter() -> Iterator[InMemorySpanExporter]:
    """Tracing on for this module's services and writes, into memory; off again afterwards."""
    exporter = InMemorySpanExporter()
    provider = TracerProvider(resource=Resource.create({"service.name": "pulseone-tests"}))
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    tracing.install(provider)
    yield exporter
    tracing.install(None)
    provider.shutdown()


@pytest.fixture
def spans(exporter: InMemorySpanExporter) -> InMemorySpanExporter:
    exporter.clear()
    return exporter


@pytest.fixture(scope="module")
async def traced_auth(
    exporter: InMemorySpanExporter, postgres: Postgres, nats_server: Nats
) -> AsyncIterator[AuthHarness]:
    """An auth service started while tracing is on (the interceptors are chosen at start)."""
    harness = await start_auth(postgres, nats_server.url, scratch_dir("pulseone-traced-auth-"))
    yield harness
    await harness.channel.close()
    await harness.runtime.stop()


@pytest.fixture
async def events_database(exporter: InMemorySpanExporter, postgres: Postgres) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """A database with the outbox and inbox (auth's migrations), for writing and consuming events."""
    url = fresh_database(postgres, "traced_events")
    migrate(url, MIGRATIONS)
    engine = create_engine(url, 2)
    yield url, engine
    await engine.dispose()


@pytest.fixture
def tracing_off(exporter: InMemorySpanExporter) -> Iterator[None]:
    provider = tracing._provider
    tracing.install(None)
    yield
    tracing.install(provider)


def _hex(value: int, digits: int) -> str:
    return format(value, f"0{digits}x")


def _finished(spans: InMemorySpanExporter, kind: SpanKind, name: str) -> list[ReadableSpan]:
    return [s for s in spans.get_finished_spans() if s.kind is kind and name in s.name]


async def _one(spans: InMemorySpanExporter, kind: SpanKind, name: str, timeout: float = 10.0) -> ReadableSpan:
    """The one finished span of that kind whose name holds `name` (a span ends as its call does)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not (found := _finished(spans, kind, name)):
        assert asyncio.get_running_loop().time() < deadline, (
            f"no {kind.name} span {name!r} in {spans.get_finished_spans()}"
        )
        await asyncio.sleep(0.05)
    assert len(found) == 1, found
    return found[0]


def _wrong_login() -> auth_pb2.LoginRequest:
    return auth_pb2.LoginRequest(email=f"nobody-{uuid.uuid4().hex[:8]}@example.com", password="not the password")


async def _login(auth: AuthHarness, traceparent: str | None) -> grpc.StatusCode:
    metadata = (("traceparent", traceparent),) if traceparent is not None else None
    try:
        await auth.stub.Login(_wrong_login(), metadata=metadata)
    except grpc.aio.AioRpcError as error:
        return error.code()
    return grpc.StatusCode.OK


# Calls


async def test_a_call_is_a_server_span_child_of_the_callers_traceparent(
    traced_auth: AuthHarness, spans: InMemorySpanExporter
) -> None:
    assert await _login(traced_auth, TRACEPARENT) is grpc.StatusCode.UNAUTHENTICATED
    span = await _one(spans, SpanKind.SERVER, "Login")
    assert _hex(span.context.trace_id, 32) == TRACE_ID
    assert span.parent is not None
    assert span.parent.is_remote
    assert _hex(span.parent.span_id, 16) == PARENT_ID
    assert span.attributes is not None
    assert span.attributes["rpc.system"] == "grpc"
    assert span.attributes["rpc.service"] == "pulseone.auth.v1.AuthService"
    assert span.attributes["rpc.method"] == "Login"
    assert span.attributes["rpc.grpc.status_code"] == grpc.StatusCode.UNAUTHENTICATED.value[0]


async def test_a_call_without_a_traceparent_starts_a_trace(
    traced_auth: AuthHarness, spans: InMemorySpanExporter
) -> None:
    await _login(traced_auth, None)
    span = await _one(spans, SpanKind.SERVER, "Login")
    assert span.parent is None
    assert span.context.trace_id != 0


@pytest.mark.parametrize("traceparent", MALFORMED)
async def test_a_malformed_traceparent_is_ignored_and_the_call_starts_a_trace(
    traced_auth: AuthHarness, spans: InMemorySpanExporter, traceparent: str
) -> None:
    assert await _login(traced_auth, traceparent) is grpc.StatusCode.UNAUTHENTICATED
    span = await _one(spans, SpanKind.SERVER, "Login")
    assert span.parent is None
    assert span.context.trace_id != 0


async def test_health_checks_are_not_traced(traced_auth: AuthHarness, spans: InMemorySpanExporter) -> None:
    await health_pb2_grpc.HealthStub(traced_auth.channel).Check(health_pb2.HealthCheckRequest())
    await _login(traced_auth, None)  # a traced call after it, so its absence is not a matter of timing
    await _one(spans, SpanKind.SERVER, "Login")
    assert [s.name for s in spans.get_finished_spans() if "Health" in s.name] == []


async def test_a_call_to_another_service_is_a_client_span_whose_traceparent_it_sends(
    traced_auth: AuthHarness, spans: InMemorySpanExporter
) -> None:
    channel = peer_channel(f"127.0.0.1:{traced_auth.runtime.port}")
    try:
        with tracing.tracer().start_as_current_span("caller") as caller, pytest.raises(grpc.aio.AioRpcError):
            await traced_auth.stub.__class__(channel).Login(_wrong_login())
    finally:
        await channel.close()
    client = await _one(spans, SpanKind.CLIENT, "Login")
    server = await _one(spans, SpanKind.SERVER, "Login")
    assert client.parent is not None
    assert client.parent.span_id == caller.get_span_context().span_id
    assert server.parent is not None
    assert server.parent.span_id == client.context.span_id
    assert server.context.trace_id == caller.get_span_context().trace_id


# Logs


@contextlib.contextmanager
def _json_lines(logger: str, level: int) -> Iterator[Callable[[], list[dict[str, Any]]]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter("tests"))
    target = logging.getLogger(logger)
    before = target.level
    target.addHandler(handler)
    target.setLevel(level)
    try:
        yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    finally:
        target.removeHandler(handler)
        target.setLevel(before)


async def test_the_lines_a_call_logs_carry_its_trace_and_span(
    traced_auth: AuthHarness, spans: InMemorySpanExporter
) -> None:
    with _json_lines("pulseone.rpc", logging.DEBUG) as lines:
        await _login(traced_auth, TRACEPARENT)
    span = await _one(spans, SpanKind.SERVER, "Login")
    refused = [line for line in lines() if line["message"] == "rpc refused"]
    assert refused, lines()
    assert refused[0]["traceId"] == TRACE_ID
    assert refused[0]["spanId"] == _hex(span.context.span_id, 16)


def test_lines_outside_a_recorded_span_carry_no_trace(exporter: InMemorySpanExporter) -> None:
    unsampled = SpanContext(int(TRACE_ID, 16), int(PARENT_ID, 16), is_remote=True, trace_flags=TraceFlags(0))
    with _json_lines("pulseone.tests", logging.INFO) as lines:
        logging.getLogger("pulseone.tests").info("untraced")
        with trace.use_span(NonRecordingSpan(unsampled)):
            logging.getLogger("pulseone.tests").info("not recorded")
    assert [("traceId" in line, "spanId" in line) for line in lines()] == [(False, False), (False, False)]


# Events


def _registered(user_id: str) -> events_pb2.UserRegistered:
    event = events_pb2.UserRegistered()
    event.user.id = user_id
    return event


def _traced_type() -> EventType[Any]:
    """A subject of its own per test, so no other consumer or test meets its events."""
    return EventType(f"{TOPIC}.{uuid.uuid4().hex[:12]}", events_pb2.UserRegistered)


async def _write(engine: AsyncEngine, event_type: EventType[Any]) -> uuid.UUID:
    async with create_sessions(engine)() as session, session.begin():
        return await record_event(
            session, event_type, _registered(str(uuid.uuid4())), entity_id=uuid.uuid4(), entity_version=1
        )


async def _trace_context(url: str, event_id: uuid.UUID) -> Any:
    rows = await run_sql(url, "SELECT trace_context FROM outbox WHERE event_id = :id", id=event_id)
    return rows[0][0]


async def _publish_pending(url: str, engine: AsyncEngine, nats_url: str) -> None:
    link = NatsLink(nats_url, "traced-relay")
    link.start()
    try:
        await asyncio.wait_for(link.ready.wait(), 10)
        relay = OutboxRelay(engine, link, service="traced-relay")
        async with await psycopg.AsyncConnection.connect(libpq_url(url), autocommit=True) as connection:
            await relay.publish_pending(connection)
    finally:
        await link.close()


async def _published(nats_url: str, subject: str, stream: str = STREAM) -> Msg:
    """The one message on `subject` in the stream."""
    client = await nats.connect(nats_url)
    try:
        subscription = await client.jetstream().pull_subscribe(
            subject, stream=stream, config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE)
        )
        messages = await subscription.fetch(10, timeout=5)
        assert len(messages) == 1, [m.headers for m in messages]
        return messages[0]
    finally:
        await client.close()


def _traceparent_of(span: ReadableSpan) -> str:
    return f"00-{_hex(span.context.trace_id, 32)}-{_hex(span.context.span_id, 16)}-{_hex(span.context.trace_flags, 2)}"


async def test_an_event_written_in_a_call_is_a_producer_span_whose_context_the_outbox_keeps(
    events_database: tuple[str, AsyncEngine], spans: InMemorySpanExporter
) -> None:
    url, engine = events_database
    event_type = _traced_type()
    with tracing.tracer().start_as_current_span("request") as request:
        event_id = await _write(engine, event_type)
    producer = await _one(spans, SpanKind.PRODUCER, event_type.subject)
    assert producer.parent is not None
    assert producer.parent.span_id == request.get_span_context().span_id
    assert producer.attributes == {
        "messaging.system": "nats",
        "messaging.destination.name": event_type.subject,
        "messaging.message.id": str(event_id),
        "messaging.operation.type": "create",
        "messaging.operation.name": "create",
    }
    assert await _trace_context(url, event_id) == {"traceparent": _traceparent_of(producer)}


async def test_the_relay_publishes_an_event_with_the_context_it_was_written_in(
    events_database: tuple[str, AsyncEngine], spans: InMemorySpanExporter, nats_server: Nats
) -> None:
    url, engine = events_database
    event_type = _traced_type()
    with tracing.tracer().start_as_current_span("request"):
        event_id = await _write(engine, event_type)
    await _publish_pending(url, engine, nats_server.url)
    message = await _published(nats_server.url, event_type.subject)
    producer = await _one(spans, SpanKind.PRODUCER, event_type.subject)
    assert message.headers == {"Nats-Msg-Id": str(event_id), "traceparent": _traceparent_of(producer)}
    sent = await _one(spans, SpanKind.CLIENT, f"send {event_type.subject}")
    assert sent.parent is not None
    assert sent.parent.span_id == producer.context.span_id


async def test_with_tracing_off_an_event_carries_no_context(
    events_database: tuple[str, AsyncEngine], tracing_off: None, nats_server: Nats, exporter: InMemorySpanExporter
) -> None:
    url, engine = events_database
    event_type = _traced_type()
    exporter.clear()
    event_id = await _write(engine, event_type)
    assert await _trace_context(url, event_id) is None
    await _publish_pending(url, engine, nats_server.url)
    message = await _published(nats_server.url, event_type.subject)
    assert message.headers == {"Nats-Msg-Id": str(event_id)}
    assert exporter.get_finished_spans() == ()


async def test_a_replayed_event_carries_the_context_it_was_written_in(
    events_database: tuple[str, AsyncEngine], spans: InMemorySpanExporter, nats_server: Nats
) -> None:
    url, engine = events_database
    event_type = _traced_type()
    since = datetime.now(UTC) - timedelta(seconds=1)
    with tracing.tracer().start_as_current_span("request"):
        event_id = await _write(engine, event_type)
    assert await replay(url, nats_server.url, since) == 1
    message = await _published(nats_server.url, event_type.subject)
    assert message.headers == {"Nats-Msg-Id": str(event_id), **await _trace_context(url, event_id)}


# The consumer


class Handler:
    """Records the trace each event is handled in and writes an event of its own, or fails."""

    def __init__(self, engine: AsyncEngine, written: EventType[Any], *, fail: bool = False) -> None:
        self.engine = engine
        self.written = written
        self.fail = fail
        self.handled: list[str] = []
        self.wrote: list[uuid.UUID] = []

    async def __call__(self, session: AsyncSession, event: events_pb2.UserRegistered) -> None:
        if self.fail:
            raise PermanentFailure("refused by the test")
        self.wrote.append(
            await record_event(
                session, self.written, _registered(event.user.id), entity_id=uuid.uuid4(), entity_version=1
            )
        )
        self.handled.append(event.user.id)


@contextlib.asynccontextmanager
async def _consuming(
    engine: AsyncEngine, nats_url: str, event_type: EventType[Any], handler: Handler
) -> AsyncIterator[None]:
    durable = f"traced{uuid.uuid4().hex[:8]}"
    link = NatsLink(nats_url, durable)
    link.start()
    await asyncio.wait_for(link.ready.wait(), 10)
    consumer = EventConsumer(
        link,
        create_sessions(engine),
        service="traced-consumer",
        durable=durable,
        subscriptions=[Subscription(event_type, handler)],
        max_deliver=1,
    )
    task = asyncio.create_task(consumer.run())
    try:
        yield
    finally:
        consumer.stop()
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        await link.close()


async def _send(nats_url: str, subject: str, headers: dict[str, str]) -> str:
    event = _registered(str(uuid.uuid4()))
    event.metadata.event_id = str(uuid.uuid4())
    client = await nats.connect(nats_url)
    try:
        await client.jetstream().publish(
            subject, event.SerializeToString(), headers={"Nats-Msg-Id": event.metadata.event_id, **headers}
        )
    finally:
        await client.close()
    return event.user.id


async def _eventually(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_handling_an_event_is_a_consumer_span_child_of_its_context_and_what_it_writes_continues_the_trace(
    events_database: tuple[str, AsyncEngine], spans: InMemorySpanExporter, nats_server: Nats
) -> None:
    url, engine = events_database
    consumed, written = _traced_type(), _traced_type()
    handler = Handler(engine, written)
    async with _consuming(engine, nats_server.url, consumed, handler):
        user_id = await _send(nats_server.url, consumed.subject, {"traceparent": TRACEPARENT})
        await _eventually(lambda: handler.handled == [user_id])
    process = await _one(spans, SpanKind.CONSUMER, consumed.subject)
    assert _hex(process.context.trace_id, 32) == TRACE_ID
    assert process.parent is not None
    assert _hex(process.parent.span_id, 16) == PARENT_ID
    assert process.attributes is not None
    assert process.attributes["messaging.destination.name"] == consumed.subject
    producer = await _one(spans, SpanKind.PRODUCER, written.subject)
    assert producer.parent is not None
    assert producer.parent.span_id == process.context.span_id
    context = await _trace_context(url, handler.wrote[0])
    assert context["traceparent"].split("-")[1] == TRACE_ID


@pytest.mark.parametrize("traceparent", MALFORMED)
async def test_an_event_with_a_malformed_traceparent_is_handled_in_a_trace_of_its_own(
    events_database: tuple[str, AsyncEngine], spans: InMemorySpanExporter, nats_server: Nats, traceparent: str
) -> None:
    _, engine = events_database
    consumed = _traced_type()
    handler = Handler(engine, _traced_type())
    async with _consuming(engine, nats_server.url, consumed, handler):
        user_id = await _send(nats_server.url, consumed.subject, {"traceparent": traceparent})
        await _eventually(lambda: handler.handled == [user_id])
    process = await _one(spans, SpanKind.CONSUMER, consumed.subject)
    assert process.parent is None
    assert _hex(process.context.trace_id, 32) != TRACE_ID


async def test_a_dead_letter_keeps_the_events_trace_context(
    events_database: tuple[str, AsyncEngine], spans: InMemorySpanExporter, nats_server: Nats
) -> None:
    _, engine = events_database
    consumed = _traced_type()
    handler = Handler(engine, _traced_type(), fail=True)
    async with _consuming(engine, nats_server.url, consumed, handler):
        await _send(nats_server.url, consumed.subject, {"traceparent": TRACEPARENT, "tracestate": "vendor=1"})
        await _one(spans, SpanKind.CONSUMER, consumed.subject)
        letter = await _published(nats_server.url, f"{DEAD_LETTER_PREFIX}.*.{consumed.subject}", DEAD_LETTER_STREAM)
    assert letter.headers is not None
    assert (letter.headers["traceparent"], letter.headers["tracestate"]) == (TRACEPARENT, "vendor=1")


# The SQL functions that write events


async def test_a_traced_overload_gives_the_events_its_function_writes_the_context_and_nothing_else(
    events_database: tuple[str, AsyncEngine],
) -> None:
    """The mechanism of the booking's and the stock functions' traced overloads: the old function
    unchanged, still callable; the overload's events carry the context; a row the same transaction
    writes afterwards does not."""
    url, _ = events_database
    await run_sql(
        url,
        "CREATE FUNCTION write_event(p_id uuid) RETURNS uuid LANGUAGE sql AS $$"
        " INSERT INTO outbox (event_id, subject, payload_json) VALUES (p_id, 'pulseone.tests', '{}') RETURNING event_id"
        " $$",
    )
    await run_sql(url, traced_overload("write_event", "p_id uuid", "p_id", "uuid"))
    untraced, traced, after = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    context = json.dumps({"traceparent": TRACEPARENT})
    async with await psycopg.AsyncConnection.connect(libpq_url(url)) as connection:
        await connection.execute("SELECT write_event(%s)", (untraced,))
        await connection.execute("SELECT write_event(%s, %s::jsonb)", (traced, context))
        await connection.execute(
            "INSERT INTO outbox (event_id, subject, payload_json) VALUES (%s, 'pulseone.tests', '{}')", (after,)
        )
        await connection.commit()
    assert await _trace_context(url, untraced) is None
    assert await _trace_context(url, traced) == {"traceparent": TRACEPARENT}
    assert await _trace_context(url, after) is None
