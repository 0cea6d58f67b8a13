"""Database work cancelled half-way against a real PostgreSQL: the connection always goes back to the pool."""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine

from scripts.stack import Postgres
from services.common.db import create_engine, create_sessions, transaction
from services.common.projections import status_lookup
from tests.conftest import fresh_database
from tests.integration.conftest import checked_out

metadata = sa.MetaData()
accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.Uuid, primary_key=True),
    sa.Column("status", sa.Text, nullable=False),
)


@pytest.fixture(scope="module")
async def engine(postgres: Postgres) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(fresh_database(postgres, "cancellation"), pool_size=2)
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def stranded_when_cancelled(work: Callable[[], Awaitable[object]], engine: AsyncEngine) -> list[int]:
    """Cancel `work` at its first await, then ever later (steps of 0.1 ms) until it finishes first;
    the steps after which a connection was still checked out once the cancelled work had ended."""
    stranded = []
    for step in range(1000):
        task = asyncio.ensure_future(work())
        # A loop busy for a while makes psycopg yield even where it needs no I/O (as under load),
        # so the cancellation lands on those awaits too.
        time.sleep(0.006)
        await asyncio.sleep(0)
        await asyncio.sleep(step / 10_000)
        finished = task.done()
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if checked_out(engine):
            stranded.append(step)
        if finished:
            return stranded
    raise AssertionError("the work never finished")


async def test_a_cancelled_status_read_gives_its_connection_back(engine: AsyncEngine) -> None:
    lookup = status_lookup(engine, accounts.c.id, accounts.c.status)
    assert await stranded_when_cancelled(lambda: lookup(uuid.uuid4()), engine) == []


async def test_a_cancelled_unit_of_work_gives_its_connection_back(engine: AsyncEngine) -> None:
    sessions = create_sessions(engine)

    async def work() -> None:
        async with transaction(sessions) as session:
            await session.execute(sa.insert(accounts).values(id=uuid.uuid4(), status="ACTIVE"))
            await session.execute(sa.select(accounts).limit(1))

    assert await stranded_when_cancelled(work, engine) == []
