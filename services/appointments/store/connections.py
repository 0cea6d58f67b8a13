"""The driver's connections under the booking's SQL: a unit of work's own, or one of the pool in autocommit."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeAlias

import psycopg
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

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
