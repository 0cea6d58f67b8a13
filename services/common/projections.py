"""Projections of other services' entities, fed by their events: the versioned upsert every projection
uses (an older event never overwrites a newer one, SPEC 4), and the mirror of auth's accounts that a
service keeps to check callers' status (SPEC 2) and whether an id is a patient's."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import grpc
import sqlalchemy as sa
from alembic import op
from google.protobuf.message import DecodeError
from nats.aio.msg import Msg
from pulseone.auth.v1 import auth_pb2
from pulseone.auth.v1 import events_pb2 as auth_events
from pulseone.profile.v1 import profile_pb2, profile_pb2_grpc
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.common import event_catalogue as catalogue
from services.common.consumer import Subscription
from services.common.context import AccountStatus, Role
from services.common.db import run_to_completion
from services.common.errors import DomainError
from services.common.messaging import NatsLink
from services.common.peers import ask_on_behalf

log = logging.getLogger("pulseone.accounts")

metadata = sa.MetaData()

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("user_id", UUID(as_uuid=True), primary_key=True),
    sa.Column("role", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("version", sa.BigInteger, nullable=False),
)
"""Auth's accounts as their events describe them (newest version wins)."""

StatusEvent = (
    auth_events.UserApproved | auth_events.UserSuspended | auth_events.UserReactivated | auth_events.UserApprovalRevoked
)
AccountHandler = Callable[[AsyncSession, Any, bool], Awaitable[None]]
"""A service's own reaction to an account event, told whether the mirror took it (False: an older event)."""


def create_accounts_table() -> None:
    """For the migration of a service that mirrors accounts."""
    metadata.create_all(op.get_bind())


async def upsert_newer(session: AsyncSession, table: sa.Table, keys: list[str], values: Mapping[str, Any]) -> bool:
    """Insert, or replace an older version; an event older than what is held changes nothing.
    True when the values were applied."""
    statement = _upsert_newer(table, tuple(keys), tuple(values))
    return (await session.execute(statement, dict(values))).first() is not None


@functools.cache
def _upsert_newer(table: sa.Table, keys: tuple[str, ...], columns: tuple[str, ...]) -> sa.Executable:
    """One statement per table and set of columns, built once: its values are parameters, so a
    consumer under a storm does not build, key and look up a new statement for every event."""
    statement = insert(table)
    return statement.on_conflict_do_update(
        index_elements=list(keys),
        set_={c: statement.excluded[c] for c in columns if c not in keys},
        where=table.c.version < statement.excluded.version,
    ).returning(table.c[keys[0]])


async def mirror_account(session: AsyncSession, user: auth_pb2.User, version: int) -> bool:
    """Keep the account as the newest event describes it; True when this event was the newest."""
    values = {
        "user_id": uuid.UUID(user.id),
        "role": auth_pb2.User.Role.Name(user.role),
        "status": auth_pb2.User.Status.Name(user.status),
        "version": version,
    }
    return await upsert_newer(session, accounts, ["user_id"], values)


async def account_role(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    """The role of the account as auth's events told it (None when they have not yet)."""
    role: str | None = (await session.execute(sa.select(accounts.c.role).where(accounts.c.user_id == user_id))).scalar()
    return role


PatientOwner = Callable[[uuid.UUID], Awaitable[bool]]
"""Ask the profile service whether an id is a patient's, when auth's events have not told it here yet."""


async def is_patient(role: str | None, patient_id: uuid.UUID, owner: PatientOwner | None) -> bool:
    """Whether an account is a patient's: by the role this service's copy holds (`account_role`),
    else, for an id auth's events have not told here yet, by its owner's word (DESIGN 6)."""
    if role is not None:
        return role == Role.PATIENT.value
    return owner is not None and await owner(patient_id)


def patient_owner(
    channel: grpc.aio.Channel, *, deadline_seconds: float, unavailable: Callable[[], DomainError]
) -> PatientOwner:
    """Ask the profile service whether an id is a patient's, on the caller's behalf (their token
    forwarded: a clinic admin booking a walk-in, a doctor opening a video session). A profile
    service that cannot answer raises `unavailable()`, never a refusal."""
    stub = profile_pb2_grpc.PatientServiceStub(channel)  # type: ignore[no-untyped-call]

    async def ask(patient_id: uuid.UUID) -> bool:
        request = profile_pb2.GetPatientMatchRequest(patient_id=str(patient_id))
        found = await ask_on_behalf(
            stub.GetPatientMatch, request, deadline_seconds=deadline_seconds, unavailable=unavailable()
        )
        return found is not None

    return ask


def account_subscriptions(
    on_registered: AccountHandler | None = None, on_status_changed: AccountHandler | None = None
) -> list[Subscription]:
    """Registration and every change of an account's status (each event carries the whole account):
    the mirror is updated first, then the service's own handler runs in the same transaction."""

    def mirrored(then: AccountHandler | None) -> Callable[[AsyncSession, Any], Awaitable[None]]:
        async def handle(session: AsyncSession, event: Any) -> None:
            applied = await mirror_account(session, event.user, event.metadata.entity_version)
            if then is not None:
                await then(session, event, applied)

        return handle

    return [
        Subscription(catalogue.USER_REGISTERED, mirrored(on_registered)),
        *(Subscription(event, mirrored(on_status_changed)) for event in catalogue.ACCOUNT_STATUS_CHANGES),
    ]


def status_lookup(
    engine: AsyncEngine, id_column: sa.Column[Any] | None = None, status_column: sa.Column[Any] | None = None
) -> Callable[[uuid.UUID], Awaitable[AccountStatus | None]]:
    """The interceptor's per-call account-status read (the mirror's, unless the service owns the
    accounts and names its own columns): one autocommit round trip, no transaction."""
    reader = engine.execution_options(isolation_level="AUTOCOMMIT")
    id_column = accounts.c.user_id if id_column is None else id_column
    status_column = accounts.c.status if status_column is None else status_column
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


class AccountStatuses:
    """The interceptor's per-call account status, served from memory.

    Kept current by auth's account events, which every replica hears on core NATS (the durable
    consumer hands each event to one replica only, and feeds the mirror table); an account not
    heard of is read from the mirror. Events may be missed while NATS is away, so an outage
    forgets everything, and what was read or heard is read again after `max_age` seconds. An
    older event or read never replaces a newer one (versions).
    """

    def __init__(self, engine: AsyncEngine, link: NatsLink, *, max_age: float = 30.0, size: int = 50_000) -> None:
        self._reader = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._link = link
        self._max_age = max_age
        self._size = size
        self._known: dict[uuid.UUID, tuple[AccountStatus | None, int, float]] = {}
        self._outages = link.outages
        self._listening = False

    async def __call__(self, user_id: uuid.UUID) -> AccountStatus | None:
        if not self._listening or not self._link.connected or self._link.outages != self._outages:
            self._known.clear()
            self._outages = self._link.outages
        known = self._known.get(user_id)
        if known is not None and time.monotonic() - known[2] < self._max_age:
            return known[0]
        found = await run_to_completion(self._read(user_id))
        # An account not mirrored (yet) is remembered as such: its registration will be heard.
        status, version = (AccountStatus(found[0]), int(found[1])) if found is not None else (None, 0)
        if self._listening and self._link.connected:
            self._keep(user_id, status, version)
        return self._known[user_id][0] if user_id in self._known else status

    async def _read(self, user_id: uuid.UUID) -> tuple[str, int] | None:
        async with self._reader.connect() as connection:
            row = (await connection.execute(_STATUS, {"user_id": user_id})).first()
        return (row.status, row.version) if row is not None else None

    def _keep(self, user_id: uuid.UUID, status: AccountStatus | None, version: int) -> None:
        held = self._known.get(user_id)
        if held is not None and held[1] > version:
            return
        if held is None and len(self._known) >= self._size:
            del self._known[next(iter(self._known))]  # the longest held
        self._known[user_id] = (status, version, time.monotonic())

    async def follow(self) -> None:
        """Hear every account event until cancelled (a worker of the service)."""
        await self._link.ready.wait()
        client = self._link.core()
        subscriptions = [await client.subscribe(e.subject, cb=self._heard) for e in _ACCOUNT_EVENTS.values()]
        self._listening = True
        try:
            await asyncio.Event().wait()
        finally:
            self._listening = False
            for subscription in subscriptions:
                with contextlib.suppress(Exception):
                    await subscription.unsubscribe()

    async def _heard(self, message: Msg) -> None:
        try:
            event = _ACCOUNT_EVENTS[message.subject].decode(message.data)
            user_id, status = uuid.UUID(event.user.id), auth_pb2.User.Status.Name(event.user.status)  # type: ignore[attr-defined]
            self._keep(user_id, AccountStatus(status), event.metadata.entity_version)  # type: ignore[attr-defined]
        except (DecodeError, ValueError, AttributeError):
            log.warning("an account event could not be read", extra={"subject": message.subject})


_STATUS = sa.select(accounts.c.status, accounts.c.version).where(accounts.c.user_id == sa.bindparam("user_id"))
_ACCOUNT_EVENTS = {e.subject: e for e in (catalogue.USER_REGISTERED, *catalogue.ACCOUNT_STATUS_CHANGES)}
