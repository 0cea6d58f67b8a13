"""The auth service's account events that other services mirror, subscribed to in one place."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import sqlalchemy as sa
from pulseone.auth.v1 import events_pb2 as auth_events
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.common import event_catalogue as catalogue
from services.common.consumer import Subscription, subscribe
from services.common.context import AccountStatus
from services.common.db import run_to_completion

StatusEvent = (
    auth_events.UserApproved | auth_events.UserSuspended | auth_events.UserReactivated | auth_events.UserApprovalRevoked
)


def account_subscriptions(
    on_registered: Callable[[AsyncSession, auth_events.UserRegistered], Awaitable[None]],
    on_status: Callable[[AsyncSession, Any], Awaitable[None]],
) -> list[Subscription]:
    """Registration, and every change of an account's status (each event carries the whole account)."""
    return [
        subscribe(catalogue.USER_REGISTERED, on_registered),
        *(Subscription(event, on_status) for event in catalogue.ACCOUNT_STATUS_CHANGES),
    ]


def status_lookup(
    engine: AsyncEngine, id_column: sa.Column[Any], status_column: sa.Column[Any]
) -> Callable[[uuid.UUID], Awaitable[AccountStatus | None]]:
    """The interceptor's per-call account-status read: one autocommit round trip, no transaction."""
    reader = engine.execution_options(isolation_level="AUTOCOMMIT")
    query = sa.select(status_column).where(id_column == sa.bindparam("user_id"))

    async def read(user_id: uuid.UUID) -> str | None:
        async with reader.connect() as connection:
            status: str | None = (await connection.execute(query, {"user_id": user_id})).scalar()
        return status

    async def lookup(user_id: uuid.UUID) -> AccountStatus | None:
        # Every call runs this before its handler, so a client hanging up lands here often; the
        # AUTOCOMMIT set-up awaits psycopg on a connection no context manager owns yet.
        status = await run_to_completion(read(user_id))
        return AccountStatus(status) if status else None

    return lookup
