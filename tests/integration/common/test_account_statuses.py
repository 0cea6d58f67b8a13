"""Callers' account status from memory: current with auth's events, which every replica hears, and
read again from the mirror when events may have been missed."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import nats
import pytest
from pulseone.auth.v1 import auth_pb2
from pulseone.auth.v1 import events_pb2 as auth_events

from scripts.stack import Nats, Postgres
from services.common import event_catalogue as catalogue
from services.common.context import AccountStatus
from services.common.db import create_engine
from services.common.messaging import NatsLink
from services.common.projections import AccountStatuses
from services.profile.app import MIGRATIONS
from tests.conftest import migrated_service_database
from tests.integration.conftest import eventually, run_sql

MAX_AGE = 2.0


@dataclass
class Statuses:
    lookup: AccountStatuses
    database_url: str
    nats_url: str

    async def mirror(self, user_id: uuid.UUID, status: str, version: int) -> None:
        """Write the mirror as the service's consumer would, without telling anyone."""
        await run_sql(
            self.database_url,
            "INSERT INTO accounts (user_id, role, status, version) VALUES (:id, 'PATIENT', :status, :version)"
            " ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, version = excluded.version",
            id=user_id,
            status=status,
            version=version,
        )

    async def announce(self, user_id: uuid.UUID, version: int) -> None:
        """Auth's relay publishing a suspension."""
        event = auth_events.UserSuspended(
            user=auth_pb2.User(id=str(user_id), role=auth_pb2.User.PATIENT, status=auth_pb2.User.SUSPENDED)
        )
        event.metadata.entity_version = version
        client = await nats.connect(self.nats_url)
        try:
            await client.publish(catalogue.USER_SUSPENDED.subject, event.SerializeToString())
            await client.flush()
        finally:
            await client.close()


@pytest.fixture
async def statuses(postgres: Postgres, nats_server: Nats) -> AsyncIterator[Statuses]:
    database = migrated_service_database(postgres, "statuses", MIGRATIONS)
    url = database.admin_url
    engine = create_engine(database.runtime_url, 2)
    link = NatsLink(nats_server.url, "statuses-test")
    link.start()
    lookup = AccountStatuses(engine, link, max_age=MAX_AGE)
    following = asyncio.create_task(lookup.follow())
    await eventually(lambda: _listening(lookup))
    yield Statuses(lookup, url, nats_server.url)
    following.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await following
    await link.close()
    await engine.dispose()


async def _listening(lookup: AccountStatuses) -> None:
    assert lookup._listening


async def test_a_status_read_once_is_served_from_memory_until_it_is_old(statuses: Statuses) -> None:
    user = uuid.uuid4()
    await statuses.mirror(user, "ACTIVE", 1)
    assert await statuses.lookup(user) is AccountStatus.ACTIVE
    await statuses.mirror(user, "SUSPENDED", 2)  # unannounced: memory does not know yet
    assert await statuses.lookup(user) is AccountStatus.ACTIVE
    await asyncio.sleep(MAX_AGE + 0.2)
    assert await statuses.lookup(user) is AccountStatus.SUSPENDED


async def test_a_suspension_heard_on_nats_applies_before_the_mirror_has_it(statuses: Statuses) -> None:
    user = uuid.uuid4()
    await statuses.mirror(user, "ACTIVE", 1)
    assert await statuses.lookup(user) is AccountStatus.ACTIVE
    await statuses.announce(user, version=2)

    async def suspended() -> None:
        assert await statuses.lookup(user) is AccountStatus.SUSPENDED

    await eventually(suspended, timeout=5)


async def test_an_older_event_does_not_undo_a_newer_status(statuses: Statuses) -> None:
    user = uuid.uuid4()
    await statuses.mirror(user, "ACTIVE", 5)
    assert await statuses.lookup(user) is AccountStatus.ACTIVE
    await statuses.announce(user, version=4)
    await asyncio.sleep(0.5)
    assert await statuses.lookup(user) is AccountStatus.ACTIVE


async def test_an_account_not_mirrored_yet_takes_the_status_its_next_event_brings(
    statuses: Statuses,
) -> None:
    user = uuid.uuid4()
    assert await statuses.lookup(user) is None
    await statuses.announce(user, version=1)

    async def heard() -> None:
        assert await statuses.lookup(user) is AccountStatus.SUSPENDED

    await eventually(heard, timeout=MAX_AGE / 2)
