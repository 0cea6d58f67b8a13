"""Database access: the async engine and sessions, and Alembic migrations applied under an advisory lock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

import psycopg
import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from services.common.privileges import grant_runtime_privileges

# One lock for every service's migrations: they live in different databases, but the key only
# matters within one database, where it keeps replicas and `pulseone migrate` from racing.
MIGRATION_LOCK_KEY = 0x70756C7365  # "pulse"

T = TypeVar("T")


def create_engine(url: str, pool_size: int) -> AsyncEngine:
    # No pre-ping: it costs ~5% per checkout, and a dead connection fails the call cleanly anyway.
    # No overflow: under a storm, connections opened beyond the pool and closed again each cost a
    # PostgreSQL backend's start; callers queue for the pool instead (110-114 → 123-134 REST
    # bookings/s in pulseone bench here).
    return create_async_engine(url, pool_size=pool_size, max_overflow=0, pool_recycle=1800)


def create_sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A unit of work: commits when the block ends normally, rolls back on any exception.

    A cancelled RPC (a client that hung up, a deadline) cancels the block; the sessionmaker's own
    `begin()` then runs the rollback (or a commit already under way) and the close to their end,
    so the connection goes back to the pool at once and clean, even if cancelled again meanwhile.
    """
    async with sessions.begin() as session:
        yield session


Driver: TypeAlias = psycopg.AsyncConnection[Any]


async def driver_of(db: AsyncSession) -> Driver:
    """The psycopg connection of a unit of work: what runs on it is part of its transaction."""
    connection = await (await db.connection()).get_raw_connection()
    return connection.driver_connection  # type: ignore[return-value]


class Autocommit:
    """Connections of the engine's pool on which every statement is a transaction of its own.

    For work that needs no transaction around its statements (reads that lock nothing, and one
    statement that writes): it saves the round trips of BEGIN and COMMIT. The pool sets autocommit
    on checkout and resets it on checkin, so the connection goes back as any other.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[Driver]:
        async with self._engine.connect() as connection:
            raw = await connection.get_raw_connection()
            yield raw.driver_connection  # type: ignore[misc]


async def run_to_completion(work: Coroutine[Any, Any, T]) -> T:
    """Await `work` in a task of its own that a cancellation of the caller does not interrupt; the
    cancellation is re-raised once `work` has ended.

    For short database work that must not stop half-way: SQLAlchemy awaits psycopg while it sets
    up a connection it has just checked out (an `isolation_level` execution option), and a
    cancellation landing there leaves the connection checked out with no owner until the garbage
    collector finds it ("non-checked-in connection"), one pool slot lost per cancelled call.
    """
    task = asyncio.ensure_future(work)
    cancelled: asyncio.CancelledError | None = None
    while True:
        try:
            result = await asyncio.shield(task)
        except asyncio.CancelledError as error:
            if task.done():
                raise
            cancelled = error
        else:
            break
    if cancelled is not None:
        raise cancelled
    return result


def alembic_config(url: str, migrations: Path) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def migrate(url: str, migrations: Path, runtime_role: str | None = None) -> str:
    """Upgrade the database to head, holding the migration lock; then, given the role the service
    connects as (another than the one migrating), grant it what a running service may do (see
    privileges.py). Returns the head revision."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
            connection.commit()
            try:
                config = alembic_config(url, migrations)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
                connection.commit()
                if runtime_role is not None:
                    grant_runtime_privileges(connection, runtime_role)
                    connection.commit()
            finally:
                connection.execute(sa.text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY})
                connection.commit()
        return head_revision(migrations)
    finally:
        engine.dispose()


def head_revision(migrations: Path) -> str:
    heads = ScriptDirectory.from_config(alembic_config("postgresql://", migrations)).get_heads()
    if len(heads) != 1:
        raise RuntimeError(f"{migrations} must have exactly one head, has {heads}")
    return heads[0]


def servable_schema(migrations: Path) -> Callable[[str | None], bool]:
    """Whether this code can serve a database at a revision: at its head, or at a revision it does
    not know because a newer release migrated it (migrations are expand-only, so old replicas keep
    serving side by side with new ones during a rollout). An older known revision, or none, cannot."""
    head = head_revision(migrations)
    script = ScriptDirectory.from_config(alembic_config("postgresql://", migrations))
    older = {r.revision for r in script.walk_revisions()} - {head}

    def servable(revision: str | None) -> bool:
        return revision is not None and revision not in older

    return servable


async def schema_revision(engine: AsyncEngine) -> str | None:
    """The revision the database is at (None before the first migration)."""
    async with engine.connect() as connection:
        return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())
