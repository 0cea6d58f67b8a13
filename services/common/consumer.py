"""The consuming side of events: a durable pull consumer, an inbox for idempotency, dead letters."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import sqlalchemy as sa
from google.protobuf.message import DecodeError, Message
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common import metrics, tracing
from services.common.event_catalogue import EventType
from services.common.messaging import DEAD_LETTER_PREFIX, STREAM, NatsLink

log = logging.getLogger("pulseone.consumer")

# The events of a batch claimed in one round trip; what comes back is what was not handled before.
CLAIM = sa.text(
    "INSERT INTO inbox (event_id, subject) SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:subjects AS text[]))"
    " ON CONFLICT DO NOTHING RETURNING event_id"
)

M = TypeVar("M", bound=Message)


class PermanentFailure(Exception):
    """An event that can never be handled (undecodable, or refers to nothing sensible): dead-letter it at once."""


@dataclass(frozen=True)
class Subscription:
    """What a service does with one kind of event: decode it, then `handle` it in a transaction."""

    event: EventType[Message]
    handle: Callable[[AsyncSession, Any], Awaitable[None]]

    @property
    def subject(self) -> str:
        return self.event.subject


def subscribe(event: EventType[M], handle: Callable[[AsyncSession, M], Awaitable[None]]) -> Subscription:
    """A subscription whose handler is type-checked against the event's message type."""
    return Subscription(event, handle)


def retry_delay(deliveries: int) -> float:
    """Back-off before the next delivery of a failed event: 1 s, 2 s, 4 s ... at most 60 s."""
    return float(min(60, 2 ** max(0, deliveries - 1)))


class EventConsumer:
    """Handles each event once per service, acknowledging only after the handler's transaction commits.

    The inbox row (the event id) is written in that same transaction, so a redelivered or replayed
    event finds it and changes nothing. An event that keeps failing goes to
    `deadletter.<durable>.<subject>` after `max_deliver` attempts instead of looping forever.
    """

    def __init__(
        self,
        link: NatsLink,
        sessions: async_sessionmaker[AsyncSession],
        *,
        service: str,
        durable: str,
        subscriptions: list[Subscription],
        max_deliver: int = 5,
        ack_wait_seconds: float = 30.0,
        batch_size: int = 64,
    ) -> None:
        self._link = link
        self._sessions = sessions
        self._service = service
        self._durable = durable
        self._by_subject = {s.subject: s for s in subscriptions}
        self._max_deliver = max_deliver
        self._ack_wait = ack_wait_seconds
        self._batch = batch_size
        self._stopping = asyncio.Event()

    def stop(self) -> None:
        self._stopping.set()

    def consumer_config(self) -> ConsumerConfig:
        return ConsumerConfig(
            durable_name=self._durable,
            ack_policy=AckPolicy.EXPLICIT,
            deliver_policy=DeliverPolicy.ALL,
            ack_wait=self._ack_wait,
            # JetStream's own limit is a backstop above ours: we dead-letter at max_deliver.
            max_deliver=self._max_deliver + 2,
            filter_subjects=sorted(self._by_subject),
        )

    async def run(self) -> None:
        while not self._stopping.is_set():
            await self._link.ready.wait()
            try:
                js = self._link.jetstream()
                await js.add_consumer(STREAM, self.consumer_config())
                subscription = await js.pull_subscribe_bind(self._durable, stream=STREAM)
                while not self._stopping.is_set():
                    try:
                        messages = await subscription.fetch(self._batch, timeout=1.0)
                    except TimeoutError:  # nats.errors.TimeoutError or asyncio's, depending on where it expired
                        continue
                    await self.process_batch(messages)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - broker trouble: resubscribe after a pause
                log.warning("event consumer interrupted", extra={"error": repr(error)})
                await asyncio.sleep(1.0)

    async def process_batch(self, messages: list[Msg]) -> None:
        """A fetched batch in one transaction (one commit instead of one per event: under a storm
        the commits were most of a consumer's cost), acknowledged after it commits. If any event of
        it fails, nothing of the batch is kept and each is handled on its own, so only the failing
        one is retried or dead-lettered."""
        self._observe(messages)
        if len(messages) == 1:
            await self.process(messages[0])
            return
        try:
            async with self._sessions() as session, session.begin():
                await self._apply(session, messages)
        except Exception:  # noqa: BLE001 - isolate the failing event below
            for message in messages:
                await self.process(message)
            return
        for message in messages:
            await message.ack()
            metrics.EVENTS_HANDLED.labels(self._service, message.subject).inc()

    def _observe(self, messages: list[Msg]) -> None:
        """What a fetched batch says of the consumer: its lag, and how many came again."""
        metrics.CONSUMER_PENDING.labels(self._service).set(messages[-1].metadata.num_pending)
        again = sum(1 for message in messages if (message.metadata.num_delivered or 1) > 1)
        if again:
            metrics.REDELIVERIES.labels(self._service).inc(again)

    async def process(self, message: Msg) -> None:
        deliveries = message.metadata.num_delivered or 1
        try:
            async with self._sessions() as session, session.begin():
                await self._apply(session, [message])
        except Exception as error:  # noqa: BLE001 - decides between retry and dead letter
            permanent = isinstance(error, PermanentFailure)
            if permanent or deliveries >= self._max_deliver:
                await self._dead_letter(message, error)
                return
            log.warning(
                "event handling failed, will retry",
                extra={"subject": message.subject, "deliveries": deliveries, "error": repr(error)},
            )
            await message.nak(delay=retry_delay(deliveries))
            return
        await message.ack()
        metrics.EVENTS_HANDLED.labels(self._service, message.subject).inc()

    async def _apply(self, session: AsyncSession, messages: list[Msg]) -> None:
        """Claim the events in the inbox, in one statement, and run the handler of each one not
        handled before (a redelivery, a replay, or twice in one batch), in order, in the caller's
        transaction."""
        decoded = [self._decode(message) for message in messages]
        claimed = set(
            (
                await session.execute(
                    CLAIM, {"ids": [event_id for _, _, event_id in decoded], "subjects": [m.subject for m in messages]}
                )
            ).scalars()
        )
        for message, (subscription, event, event_id) in zip(messages, decoded, strict=True):
            if event_id in claimed:
                claimed.discard(event_id)
                # The child of the trace the event was written in, so what the handler writes
                # (its own events) continues it.
                with tracing.consuming(message.subject, event_id, message.headers):
                    await subscription.handle(session, event)

    def _decode(self, message: Msg) -> tuple[Subscription, Any, uuid.UUID]:
        subscription = self._by_subject.get(message.subject)
        if subscription is None:
            raise PermanentFailure(f"no handler for {message.subject}")
        try:
            event = subscription.event.decode(message.data)
            event_id = uuid.UUID(event.metadata.event_id)  # type: ignore[attr-defined]
        except (DecodeError, ValueError, AttributeError) as error:
            raise PermanentFailure(f"undecodable event on {message.subject}: {error}") from error
        return subscription, event, event_id

    async def _dead_letter(self, message: Msg, error: BaseException) -> None:
        # The event's own headers go with it (its trace context too), so a republished dead letter
        # is still part of the trace it came from.
        headers = dict(message.headers or {})
        headers["Pulseone-Error"] = repr(error)[:500]
        headers["Pulseone-Deliveries"] = str(message.metadata.num_delivered)
        # Deduplicated per consumer and message, not by the event's own id: every service that fails
        # on an event keeps its own dead letter of it (a re-sent dead letter is still stored once).
        if "Nats-Msg-Id" in headers:
            headers["Pulseone-Msg-Id"] = headers["Nats-Msg-Id"]
        headers["Nats-Msg-Id"] = f"{self._durable}:{message.metadata.sequence.stream}"
        js = self._link.jetstream()
        await js.publish(f"{DEAD_LETTER_PREFIX}.{self._durable}.{message.subject}", message.data, headers=headers)
        await message.term()
        metrics.DEAD_LETTERS.labels(self._service, message.subject).inc()
        log.error("event dead-lettered", extra={"subject": message.subject, "error": repr(error)})
