"""The outbox relay without NOTIFY: quiet when idle, prompt when its own process writes, and still
publishing what another process wrote."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator

import nats
import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from scripts.stack import Nats, Postgres
from services.auth.app import MIGRATIONS
from services.common.db import create_engine
from services.common.event_catalogue import USER_APPROVED
from services.common.messaging import NatsLink
from services.common.outbox import OutboxRelay, nudge_relays
from tests.conftest import migrated_service_database
from tests.integration.conftest import run_sql

IDLE_SECONDS = 30.0


@pytest.fixture
async def relay(postgres: Postgres, nats_server: Nats) -> AsyncIterator[tuple[OutboxRelay, str]]:
    """A relay over a database of its own that goes quiet for up to IDLE_SECONDS between polls."""
    database = migrated_service_database(postgres, "relay", MIGRATIONS)
    url = database.admin_url
    engine = create_engine(database.runtime_url, 1)
    link = NatsLink(nats_server.url, "relay-test")
    link.start()
    relay = OutboxRelay(engine, link, service="relay-test", idle_seconds=IDLE_SECONDS)
    task = asyncio.create_task(relay.run())
    yield relay, url
    relay.stop()
    with contextlib.suppress(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)
    await link.close()
    await engine.dispose()


async def _write_event(url: str) -> str:
    """An outbox row written by SQL, as another process (a replica, an operator) would write it."""
    user_id, event_id = str(uuid.uuid4()), str(uuid.uuid4())
    event = {"metadata": {"eventId": event_id, "entityId": user_id, "entityVersion": "1", "actorRole": "SYSTEM"},
             "user": {"id": user_id, "email": "relay@example.com", "role": "DOCTOR", "status": "ACTIVE"}}  # fmt: skip
    await run_sql(
        url,
        "INSERT INTO outbox (event_id, subject, payload_json)"
        " VALUES (CAST(:id AS uuid), :subject, CAST(:event AS jsonb))",
        id=event_id,
        subject=USER_APPROVED.subject,
        event=json.dumps(event),
    )
    return user_id


async def _arrival_seconds(nats_url: str, user_id: str, timeout: float) -> float:
    """How long until the approval of `user_id` is in the stream."""
    client = await nats.connect(nats_url)
    began = asyncio.get_running_loop().time()
    try:
        subscription = await client.jetstream().pull_subscribe(
            USER_APPROVED.subject,
            stream="PULSEONE",
            config=ConsumerConfig(deliver_policy=DeliverPolicy.ALL, ack_policy=AckPolicy.NONE),
        )
        while asyncio.get_running_loop().time() - began < timeout:
            with contextlib.suppress(TimeoutError):
                for message in await subscription.fetch(100, timeout=0.1):
                    if USER_APPROVED.decode(message.data).user.id == user_id:
                        return asyncio.get_running_loop().time() - began
        raise AssertionError(f"the event did not arrive within {timeout} s")
    finally:
        await client.close()


async def _quiet(relay: OutboxRelay) -> None:
    """Wait until the relay's pause between polls has grown past two seconds."""
    for _ in range(100):
        before = relay.polls
        await asyncio.sleep(2.0)
        if relay.polls == before:
            return
    raise AssertionError("the relay never went quiet")


async def test_an_idle_relay_backs_off_instead_of_polling(relay: tuple[OutboxRelay, str]) -> None:
    quiet, _ = relay
    await _quiet(quiet)
    before = quiet.polls
    await asyncio.sleep(3.0)
    assert quiet.polls - before <= 1


async def test_a_write_in_the_relays_process_is_published_at_once(
    relay: tuple[OutboxRelay, str], nats_server: Nats
) -> None:
    quiet, url = relay
    await _quiet(quiet)
    user_id = await _write_event(url)
    nudge_relays()
    assert await _arrival_seconds(nats_server.url, user_id, timeout=IDLE_SECONDS) < 2.0


async def test_a_write_by_another_process_is_published_by_the_next_poll(
    relay: tuple[OutboxRelay, str], nats_server: Nats
) -> None:
    _, url = relay
    user_id = await _write_event(url)
    await _arrival_seconds(nats_server.url, user_id, timeout=IDLE_SECONDS + 5)


async def test_a_replica_without_the_relay_lock_is_not_hurried_by_writes(postgres: Postgres, nats_server: Nats) -> None:
    """Only the lock holder publishes; the other replica tries for the lock every two seconds however
    many writes nudge it (a nudge that cut that pause short would open a connection per write)."""
    database = migrated_service_database(postgres, "relay_pair", MIGRATIONS)
    url = database.admin_url
    engine = create_engine(database.runtime_url, 1)
    link = NatsLink(nats_server.url, "relay-pair")
    link.start()
    relays = [OutboxRelay(engine, link, service="relay-pair") for _ in range(2)]
    tasks = [asyncio.create_task(relay.run()) for relay in relays]
    try:
        await asyncio.sleep(1.0)  # one of them holds the lock by now
        before = await _sessions_of(url)
        for _ in range(60):
            nudge_relays()
            await asyncio.sleep(0.05)
        assert await _sessions_of(url) - before <= 4
    finally:
        for relay in relays:
            relay.stop()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(task, 5)
        await link.close()
        await engine.dispose()


async def _sessions_of(url: str) -> int:
    """Sessions ever opened to the database (PostgreSQL's own count)."""
    rows = await run_sql(url, "SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
    return int(rows[0][0])
