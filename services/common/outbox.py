"""The transactional outbox: events written with the change, published to JetStream after commit."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
import weakref
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

import psycopg
import sqlalchemy as sa
from google.protobuf import json_format
from google.protobuf.message import Message
from opentelemetry.trace import Span, Status, StatusCode
from psycopg.rows import namedtuple_row
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.common import metrics, tracing
from services.common.context import principal_var, request_id_var
from services.common.event_catalogue import CATALOGUE, EventType
from services.common.event_tables import outbox
from services.common.messaging import DEAD_LETTER_PREFIX, NatsLink, ensure_stream, stream_configs

log = logging.getLogger("pulseone.outbox")

# Distinct from the migration lock: one relay per database publishes, the others stand by.
RELAY_LOCK_KEY = 0x72656C6179  # "relay"
SENT_RETENTION = timedelta(days=7)


class EventMessage(Protocol):
    """An event: any message whose field 1 is `pulseone.events.v1.EventMetadata metadata`."""

    @property
    def metadata(self) -> Any: ...

    def SerializeToString(self) -> bytes: ...  # noqa: N802 - protobuf's name


def outbox_row(
    event_type: EventType[Message], event: EventMessage, *, entity_id: uuid.UUID | str, entity_version: int
) -> dict[str, Any]:
    """Fill in the event's metadata (id, time, the current caller, entity, request id) and return the
    outbox row that carries it, for a caller that writes it in its own statement. When tracing is on,
    the event is a producer span of the current trace, whose context the row keeps."""
    if not isinstance(event, event_type.message):
        raise TypeError(f"{event_type.subject} carries {event_type.message.__name__}, not {type(event).__name__}")
    event_id = uuid.uuid4()
    metadata = event.metadata
    metadata.event_id = str(event_id)
    metadata.occur_time.FromDatetime(datetime.now(UTC))
    principal = principal_var.get()
    metadata.actor_id = str(principal.user_id) if principal else ""
    metadata.actor_role = principal.role.value if principal else "SYSTEM"
    metadata.entity_id = str(entity_id)
    metadata.entity_version = entity_version
    metadata.request_id = request_id_var.get()
    nudge_relays()
    return {
        "event_id": event_id,
        "subject": event_type.subject,
        "payload": event.SerializeToString(),
        "trace_context": tracing.producer_context(event_type.subject, event_id),
    }


INSERT_EVENT = sa.insert(outbox)


async def record_event(
    session: AsyncSession,
    event_type: EventType[Message],
    event: EventMessage,
    *,
    entity_id: uuid.UUID | str,
    entity_version: int,
) -> uuid.UUID:
    """Fill in the event's metadata and write it to the outbox in the caller's transaction."""
    row = outbox_row(event_type, event, entity_id=entity_id, entity_version=entity_version)
    await session.execute(INSERT_EVENT, row)
    event_id: uuid.UUID = row["event_id"]
    return event_id


def encoded(subject: str, payload: bytes | None, payload_json: dict[str, Any] | None) -> bytes:
    """The protobuf bytes of an outbox row's event, encoding an event that SQL wrote as JSON."""
    if payload is not None:
        return bytes(payload)
    assert payload_json is not None  # the table's check constraint: one payload or the other
    message = CATALOGUE[subject].message()
    # Fields a newer release's SQL adds are skipped, as a protobuf reader skips unknown fields.
    json_format.ParseDict(payload_json, message, ignore_unknown_fields=True)
    return message.SerializeToString()


def outgoing(row: Any) -> tuple[str, bytes]:
    """Where and what an outbox row is published: its subject and protobuf bytes, or, for a JSON
    event that cannot be encoded (a subject no release knows), the dead letters with the JSON as
    written, so one bad row never stops every event behind it."""
    try:
        return row.subject, encoded(row.subject, row.payload, row.payload_json)
    except (KeyError, json_format.ParseError) as error:
        log.error("outbox event cannot be encoded", extra={"subject": row.subject, "error": repr(error)})
        return f"{DEAD_LETTER_PREFIX}.outbox.{row.subject}", json.dumps(row.payload_json).encode()


def headers_of(event_id: uuid.UUID, trace_context: object) -> dict[str, str]:
    """An event's NATS headers: its id as Nats-Msg-Id (JetStream deduplicates on it, so a re-sent
    event is stored once) and the W3C trace context it was written with, if any (a value that could
    break the header block is left out; the consumer then starts a trace of its own)."""
    headers = {"Nats-Msg-Id": str(event_id)}
    if isinstance(trace_context, dict):
        for key in tracing.TRACE_HEADERS:
            value = trace_context.get(key)
            if isinstance(value, str) and value.isprintable():
                headers[key] = value
    return headers


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL as psycopg accepts it."""
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


# Relays of this process, nudged when a write here records an event (see `nudge_relays`).
_relays: weakref.WeakSet[OutboxRelay] = weakref.WeakSet()


def nudge_relays() -> None:
    """Tell this process's relays that an event is being written: the first event after a quiet
    spell goes out at once instead of at the next idle poll. Called while the transaction is still
    open; a relay that looks before the commit lands looks again a moment later."""
    for relay in _relays:
        relay.nudge()


class OutboxRelay:
    """Publishes outbox rows in order, with the event id as Nats-Msg-Id so a re-send is deduplicated.

    Every replica runs one; the one holding the relay advisory lock publishes. It polls adaptively
    rather than being woken by a NOTIFY per row (a transaction that notifies takes a lock that
    serialises every commit of the database): while events flow it looks every `busy_seconds`, so
    a storm is published in batches; after each poll that finds nothing the pause doubles, up to
    `idle_seconds`, so an idle relay costs one indexed query a second. A write in this process
    nudges it out of a long pause; events written by another replica wait at most `idle_seconds`.
    """

    def __init__(
        self,
        engine: AsyncEngine,
        link: NatsLink,
        *,
        service: str,
        batch_size: int = 256,
        busy_seconds: float = 0.01,
        idle_seconds: float = 1.0,
    ) -> None:
        self._service = service
        self._url = libpq_url(engine.url.render_as_string(hide_password=False))
        self._link = link
        self._batch_size = batch_size
        self._busy = busy_seconds
        self._idle = idle_seconds
        self._stopping = asyncio.Event()
        self._nudged = asyncio.Event()
        self.backlog = 0
        self.polls = 0
        _relays.add(self)

    def stop(self) -> None:
        self._stopping.set()

    def nudge(self) -> None:
        self._nudged.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                await self._lead()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - database or broker trouble: back off and retry
                log.warning("outbox relay interrupted", extra={"error": repr(error)})
            # Not cut short by nudges: a replica without the lock would otherwise try for it (a new
            # connection) with every write of its process.
            await self._sleep(2.0)

    async def _sleep(self, seconds: float) -> None:
        """Wait `seconds`, or until stopped."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _pause(self, seconds: float) -> bool:
        """The lock holder's wait between polls: `seconds`, or less if nudged; says whether a nudge
        ended it. A pause as short as the busy interval is not cut short: under load, nudges come
        with every write, and polling for each would cost what the batching saves."""
        if seconds <= self._busy:
            await self._sleep(seconds)
            return False
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(_first_of(self._stopping, self._nudged), seconds)
        return self._nudged.is_set()

    async def _lead(self) -> None:
        async with await psycopg.AsyncConnection.connect(self._url, autocommit=True) as connection:
            locked = await (await connection.execute("SELECT pg_try_advisory_lock(%s)", (RELAY_LOCK_KEY,))).fetchone()
            if not locked or not locked[0]:
                return  # another replica relays; try again later
            # The lock is this connection's: the batches go through it too, so a relay that lost
            # its connection has lost the lock with it and publishes nothing more.
            backoff = 0.2
            pause = self._busy
            pruned_at = datetime.min.replace(tzinfo=UTC)
            while not self._stopping.is_set():
                self._nudged.clear()
                try:
                    published = await self.publish_pending(connection)
                    backoff = 0.2
                except Exception as error:
                    if connection.closed:
                        raise
                    log.warning("publishing events failed", extra={"error": repr(error), "retryInSeconds": backoff})
                    await self._sleep(backoff)  # NATS away: writes do not hurry the retry
                    backoff = min(backoff * 2, 10.0)
                    continue
                if datetime.now(UTC) - pruned_at > timedelta(hours=1):
                    await self._prune(connection)
                    pruned_at = datetime.now(UTC)
                if published == self._batch_size:
                    continue
                pause = self._busy if published or self._nudged.is_set() else min(pause * 2, self._idle)
                if await self._pause(pause):
                    pause = self._busy

    async def publish_pending(self, connection: psycopg.AsyncConnection[Any]) -> int:
        """Publish one batch of unsent events in order; returns how many were sent."""
        self.polls += 1
        cursor = connection.cursor(row_factory=namedtuple_row)
        rows: list[Any] = await (await cursor.execute(PENDING, (self._batch_size,))).fetchall()
        self.backlog = len(rows)
        metrics.OUTBOX_BACKLOG.labels(self._service).set(len(rows))
        oldest = (datetime.now(UTC) - rows[0].created_at).total_seconds() if rows else 0.0
        metrics.OUTBOX_AGE.labels(self._service).set(max(oldest, 0.0))
        if not rows:
            return 0
        js = self._link.jetstream()
        spans = [tracing.sending(row.subject, row.event_id, row.trace_context) for row in rows]
        results = await asyncio.gather(
            *(js.publish(*outgoing(row), headers=headers_of(row.event_id, row.trace_context)) for row in rows),
            return_exceptions=True,
        )
        for span, result in zip(spans, results, strict=True):
            if span is not None:
                _end_send(span, result)
        sent = []
        failure: BaseException | None = None
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                failure = result
                break  # keep order: nothing after a failed event is marked sent
            sent.append(row.seq)
            metrics.EVENTS_PUBLISHED.labels(self._service, row.subject).inc()
        if sent:
            await connection.execute(MARK_SENT, (sent,))
        self.backlog = len(rows) - len(sent)
        if failure is not None:
            raise failure
        return len(sent)

    async def _prune(self, connection: psycopg.AsyncConnection[Any]) -> None:
        await connection.execute("DELETE FROM outbox WHERE sent_at < %s", (datetime.now(UTC) - SENT_RETENTION,))


PENDING = (
    "SELECT seq, event_id, subject, payload, payload_json, created_at, trace_context FROM outbox"
    " WHERE sent_at IS NULL ORDER BY seq LIMIT %s"
)
MARK_SENT = "UPDATE outbox SET sent_at = now() WHERE seq = ANY(%s)"


def _end_send(span: Span, result: object) -> None:
    """End the span of one publish with what the broker said."""
    if isinstance(result, BaseException):
        span.record_exception(result)
        span.set_status(Status(StatusCode.ERROR, repr(result)))
    span.end()


async def _first_of(*events: asyncio.Event) -> None:
    """Return when any of the events is set."""
    waiters = [asyncio.ensure_future(event.wait()) for event in events]
    try:
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for waiter in waiters:
            waiter.cancel()


async def replay(database_url: str, nats_url: str, since: datetime) -> int:
    """Publish again every event recorded since `since` (sent or not), in order, with its own event id
    as Nats-Msg-Id and the trace context it was written with: after a broker lost acknowledged
    messages, consumers' inboxes make this harmless."""
    import nats  # noqa: PLC0415 - an operator command, not a service path

    client = await nats.connect(nats_url, connect_timeout=5)
    try:
        js = client.jetstream()
        for config in stream_configs():  # a broker that lost everything has lost its streams too
            await ensure_stream(js, config)
        published = 0
        async with await psycopg.AsyncConnection.connect(libpq_url(database_url), autocommit=True) as connection:
            cursor = await connection.execute(
                "SELECT event_id, subject, payload, payload_json, trace_context FROM outbox WHERE created_at >= %s"
                " ORDER BY seq",
                (since,),
            )
            async for event_id, subject, payload, payload_json, trace_context in cursor:
                data = encoded(subject, payload, payload_json)
                await js.publish(subject, data, headers=headers_of(event_id, trace_context))
                published += 1
        return published
    finally:
        await client.close()
