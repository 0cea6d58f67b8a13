"""The outbox and the consumer side, with the auth service's registration event as the example."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import nats
import pytest
import sqlalchemy as sa
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from prometheus_client import REGISTRY
from pulseone.auth.v1 import events_pb2
from sqlalchemy.ext.asyncio import AsyncSession

from scripts.stack import Nats, Postgres, free_port
from services.common.consumer import EventConsumer, Subscription
from services.common.db import create_engine, create_sessions
from services.common.event_catalogue import USER_APPROVED, USER_REGISTERED, EventType
from services.common.messaging import DEAD_LETTER_STREAM, NatsLink
from services.common.outbox import replay
from tests.conftest import scratch_dir
from tests.integration.conftest import AuthHarness, dead_letters, run_sql, start_auth


async def registrations_of(nats_url: str, user_ids: set[str], settle: float = 1.0, timeout: float = 20.0) -> list[str]:
    """Every registration event for `user_ids` in the stream, waiting until all arrived and then `settle` more."""
    client = await nats.connect(nats_url)
    js = client.jetstream()
    subscription = await js.pull_subscribe(
        USER_REGISTERED.subject,
        durable=None,
        stream="PULSEONE",
        config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
    )
    seen: list[str] = []
    deadline = asyncio.get_running_loop().time() + timeout
    settled_at: float | None = None
    try:
        while True:
            now = asyncio.get_running_loop().time()
            if (settled_at is not None and now >= settled_at) or now >= deadline:
                return seen
            try:
                messages = await subscription.fetch(100, timeout=0.3)
            except TimeoutError:
                messages = []
            for message in messages:
                event = events_pb2.UserRegistered.FromString(message.data)
                if event.user.id in user_ids:
                    seen.append(event.user.id)
                    assert (message.headers or {}).get("Nats-Msg-Id") == event.metadata.event_id
            if settled_at is None and user_ids <= set(seen):
                settled_at = asyncio.get_running_loop().time() + settle
    finally:
        await client.close()


async def test_the_registration_event_arrives_exactly_once(auth: AuthHarness, nats_server: Nats) -> None:
    user = await auth.register("CLINIC_ADMIN")
    assert await registrations_of(nats_server.url, {user.user.id}) == [user.user.id]


async def test_the_event_carries_the_clinic_and_its_metadata(auth: AuthHarness, nats_server: Nats) -> None:
    user = await auth.register("CLINIC_ADMIN")
    client = await nats.connect(nats_server.url)
    try:
        js = client.jetstream()
        subscription = await js.pull_subscribe(
            USER_REGISTERED.subject,
            stream="PULSEONE",
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
        )
        found = None
        for _ in range(50):
            try:
                for message in await subscription.fetch(100, timeout=0.3):
                    event = events_pb2.UserRegistered.FromString(message.data)
                    if event.user.id == user.user.id:
                        found = event
            except TimeoutError:
                pass
            if found:
                break
        assert found is not None
        assert found.clinic.name == "Lanka Clinic"
        assert found.clinic.time_zone == "Asia/Colombo"
        assert found.metadata.entity_id == user.user.id
        assert found.metadata.entity_version == 1
        assert found.metadata.actor_role == "SYSTEM"
        uuid.UUID(found.metadata.event_id)
    finally:
        await client.close()


@pytest.fixture
async def isolated_nats() -> AsyncIterator[Nats]:
    server = Nats(scratch_dir("pulseone-test-nats-outage-"), port=free_port(), monitor_port=free_port())
    server.start()
    yield server
    server.stop()


async def test_registrations_succeed_while_nats_is_down_and_their_events_follow(
    postgres: Postgres, isolated_nats: Nats
) -> None:
    auth = await start_auth(postgres, isolated_nats.url, scratch_dir("pulseone-auth-outage-"))
    try:
        await asyncio.wait_for(auth.runtime.infra.link.ready.wait(), 10)
        isolated_nats.stop()
        users = [await auth.register() for _ in range(3)]
        engine = create_engine(auth.database_url, 1)
        async with engine.connect() as connection:
            unsent = (await connection.execute(sa.text("SELECT count(*) FROM outbox WHERE sent_at IS NULL"))).scalar()
        await engine.dispose()
        assert unsent == 3
        isolated_nats.start()  # same store directory and port
        ids = {u.user.id for u in users}
        assert sorted(await registrations_of(isolated_nats.url, ids, timeout=40)) == sorted(ids)
    finally:
        await auth.channel.close()
        await auth.runtime.stop()


class Recorder:
    """A handler that records what it handled, and fails the first `failures` deliveries."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.handled: list[str] = []
        self.attempts = 0

    async def __call__(self, session: AsyncSession, event: events_pb2.UserRegistered) -> None:
        self.attempts += 1
        if self.attempts <= self.failures:
            raise RuntimeError("transient failure")
        self.handled.append(event.user.id)


async def run_consumer(
    auth: AuthHarness, nats_url: str, recorder: Recorder, durable: str, subject: str | None = None, **options: int
) -> EventConsumer:
    link = NatsLink(nats_url, durable)
    link.start()
    await asyncio.wait_for(link.ready.wait(), 10)
    engine = create_engine(auth.database_url, 2)
    consumer = EventConsumer(
        link,
        create_sessions(engine),
        service="events-test",
        durable=durable,
        subscriptions=[
            Subscription(
                EventType(subject or f"{USER_REGISTERED.subject}.{durable}", events_pb2.UserRegistered), recorder
            )
        ],
        **options,
    )
    consumer.task = asyncio.create_task(consumer.run())  # type: ignore[attr-defined]
    consumer.link = link  # type: ignore[attr-defined]
    consumer.engine = engine  # type: ignore[attr-defined]
    return consumer


async def stop_consumer(consumer: EventConsumer) -> None:
    consumer.stop()
    consumer.task.cancel()  # type: ignore[attr-defined]
    await asyncio.gather(consumer.task, return_exceptions=True)  # type: ignore[attr-defined]
    await consumer.link.close()  # type: ignore[attr-defined]
    await consumer.engine.dispose()  # type: ignore[attr-defined]


async def publish(nats_url: str, subject: str, payload: bytes, message_id: str) -> None:
    client = await nats.connect(nats_url)
    try:
        await client.jetstream().publish(subject, payload, headers={"Nats-Msg-Id": message_id})
    finally:
        await client.close()


def registered(user_id: str) -> events_pb2.UserRegistered:
    event = events_pb2.UserRegistered()
    event.metadata.event_id = str(uuid.uuid4())
    event.user.id = user_id
    return event


async def eventually(condition: object, timeout: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():  # type: ignore[operator]
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


async def test_a_redelivered_or_republished_event_is_handled_once(auth: AuthHarness, nats_server: Nats) -> None:
    durable = f"test{uuid.uuid4().hex[:8]}"
    recorder = Recorder(failures=1)
    consumer = await run_consumer(auth, nats_server.url, recorder, durable, max_deliver=5)
    try:
        event = registered("user-1")
        subject = f"{USER_REGISTERED.subject}.{durable}"
        # The same event twice under different message ids (a replay after a broker loss) ...
        await publish(nats_server.url, subject, event.SerializeToString(), str(uuid.uuid4()))
        await publish(nats_server.url, subject, event.SerializeToString(), str(uuid.uuid4()))
        # ... and the first delivery fails, so it is redelivered too.
        await eventually(lambda: recorder.handled)
        await asyncio.sleep(2.5)
        assert recorder.handled == ["user-1"]
        assert recorder.attempts == 2
    finally:
        await stop_consumer(consumer)


async def test_an_event_that_keeps_failing_goes_to_the_dead_letters(auth: AuthHarness, nats_server: Nats) -> None:
    durable = f"test{uuid.uuid4().hex[:8]}"
    recorder = Recorder(failures=100)
    consumer = await run_consumer(auth, nats_server.url, recorder, durable, max_deliver=2, ack_wait_seconds=5)
    try:
        subject = f"{USER_REGISTERED.subject}.{durable}"
        await publish(nats_server.url, subject, registered("poison").SerializeToString(), str(uuid.uuid4()))
        await publish(nats_server.url, subject, b"\xff not protobuf", str(uuid.uuid4()))
        client = await nats.connect(nats_server.url)
        try:
            dead = await client.jetstream().pull_subscribe(
                f"deadletter.{durable}.>",
                stream=DEAD_LETTER_STREAM,
                config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
            )
            letters = []
            for _ in range(60):
                with contextlib.suppress(TimeoutError):
                    letters += await dead.fetch(10, timeout=0.5)
                if len(letters) >= 2:
                    break
        finally:
            await client.close()
        assert len(letters) == 2
        labels = {"service": "events-test", "subject": subject}
        assert REGISTRY.get_sample_value("pulseone_dead_letters_total", labels) == 2  # what operators alert on
        assert (REGISTRY.get_sample_value("pulseone_event_redeliveries_total", {"service": "events-test"}) or 0) >= 1
        assert recorder.attempts == 2  # the poison event was tried max_deliver times, the garbage never
        assert recorder.handled == []
        assert all("Pulseone-Error" in (m.headers or {}) for m in letters)
    finally:
        await stop_consumer(consumer)


class Poisoned(Recorder):
    """Handles every event but the one for user "poison", which always fails."""

    async def __call__(self, session: AsyncSession, event: events_pb2.UserRegistered) -> None:
        self.attempts += 1
        if event.user.id == "poison":
            raise RuntimeError("cannot be handled")
        await session.execute(sa.text("SELECT 1"))
        self.handled.append(event.user.id)


async def test_a_batch_with_a_poisoned_event_keeps_the_others_once(auth: AuthHarness, nats_server: Nats) -> None:
    """Events fetched together are handled in one transaction; one that fails makes the batch fall
    back to one transaction per event, so the others are kept exactly once and only it is retried."""
    durable = f"test{uuid.uuid4().hex[:8]}"
    subject = f"{USER_REGISTERED.subject}.{durable}"
    recorder = Poisoned()
    # The durable consumer exists (and the streams), then the events wait for it together.
    await stop_consumer(await run_consumer(auth, nats_server.url, recorder, durable, max_deliver=2))
    for user in ("a", "b", "poison", "c", "d"):
        await publish(nats_server.url, subject, registered(user).SerializeToString(), str(uuid.uuid4()))
    consumer = await run_consumer(auth, nats_server.url, recorder, durable, max_deliver=2, ack_wait_seconds=5)
    try:
        letters = await dead_letters(nats_server.url, durable, subject, 1)
        assert len(letters) == 1
        # What a handler kept is in the database: the batch's rollback undid the first attempt.
        kept = await run_sql(auth.database_url, "SELECT count(*) FROM inbox WHERE subject = :s", s=subject)
        assert kept == [(4,)]
        assert set(recorder.handled) == {"a", "b", "c", "d"}
    finally:
        await stop_consumer(consumer)


async def test_every_consumer_keeps_its_own_dead_letter_of_one_bad_event(auth: AuthHarness, nats_server: Nats) -> None:
    """Two services that both fail on the same event each keep it in their dead letters (the dead
    letter is not deduplicated against the other service's by the event's message id)."""
    subject = f"{USER_REGISTERED.subject}.shared{uuid.uuid4().hex[:8]}"
    durables = [f"test{uuid.uuid4().hex[:8]}" for _ in range(2)]
    consumers = [await run_consumer(auth, nats_server.url, Recorder(), d, subject, max_deliver=2) for d in durables]
    try:
        await publish(nats_server.url, subject, b"\xff not protobuf", str(uuid.uuid4()))
        for durable in durables:
            letters = await dead_letters(nats_server.url, durable, subject, 1)
            assert len(letters) == 1, durable
    finally:
        for consumer in consumers:
            await stop_consumer(consumer)


async def test_events_are_replayed_from_the_outbox_into_a_broker_that_lost_them(
    auth: AuthHarness, isolated_nats: Nats
) -> None:
    since = datetime.now(UTC) - timedelta(seconds=1)
    users = [await auth.register() for _ in range(2)]
    # isolated_nats stands for a broker that came back empty after losing acknowledged messages.
    republished = await replay(auth.database_url, isolated_nats.url, since)
    assert republished >= 2
    ids = {u.user.id for u in users}
    assert sorted(await registrations_of(isolated_nats.url, ids)) == sorted(ids)


async def test_an_event_written_by_sql_as_json_is_published_as_protobuf(auth: AuthHarness, nats_server: Nats) -> None:
    """A hot path's PL/pgSQL function records its event as proto3 JSON; subscribers still get protobuf."""
    user_id, event_id = str(uuid.uuid4()), uuid.uuid4()
    event = {
        "metadata": {"eventId": str(event_id), "entityId": user_id, "entityVersion": "3", "actorRole": "SYSTEM"},
        "user": {"id": user_id, "email": "json@example.com", "role": "DOCTOR", "status": "ACTIVE"},
    }
    engine = create_engine(auth.database_url, 1)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                sa.text(
                    "INSERT INTO outbox (event_id, subject, payload_json) VALUES (:id, :subject, CAST(:event AS jsonb))"
                ),
                {"id": event_id, "subject": USER_APPROVED.subject, "event": json.dumps(event)},
            )
    finally:
        await engine.dispose()
    client = await nats.connect(nats_server.url)
    try:
        subscription = await client.jetstream().pull_subscribe(
            USER_APPROVED.subject,
            stream="PULSEONE",
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
        )
        found = None
        for _ in range(50):
            with contextlib.suppress(TimeoutError):
                for message in await subscription.fetch(100, timeout=0.3):
                    decoded = USER_APPROVED.decode(message.data)
                    if decoded.user.id == user_id:
                        found, headers = decoded, message.headers or {}
            if found:
                break
        assert found is not None
        assert (found.user.email, found.user.role, found.metadata.entity_version) == ("json@example.com", 2, 3)
        assert headers.get("Nats-Msg-Id") == str(event_id) == found.metadata.event_id
    finally:
        await client.close()
