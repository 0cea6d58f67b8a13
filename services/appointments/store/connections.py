"""The driver's connection under the booking's SQL."""

from __future__ import annotations

from typing import Any, TypeAlias

import psycopg
from sqlalchemy.ext.asyncio import AsyncSession

Driver: TypeAlias = psycopg.AsyncConnection[Any]


async def driver_of(db: AsyncSession) -> Driver:
    """The psycopg connection of a unit of work: what runs on it is part of its transaction."""
    connection = await (await db.connection()).get_raw_connection()
    return connection.driver_connection  # type: ignore[return-value]
