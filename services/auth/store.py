"""Queries and writes of the auth database, in the domain's types; callers own the transaction."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import cast

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.auth.domain.accounts import Account, Credentials
from services.auth.domain.errors import EmailTaken
from services.auth.domain.refresh_tokens import NewRefreshToken, StoredToken, TokenRecord
from services.auth.domain.throttle import ThrottleState
from services.auth.models import LoginThrottle, RefreshToken, User
from services.common.context import AccountStatus, Role
from services.common.projections import status_lookup

users = cast(sa.Table, User.__table__)
tokens = cast(sa.Table, RefreshToken.__table__)
throttles = cast(sa.Table, LoginThrottle.__table__)


def _account(row: sa.Row[tuple[object, ...]] | User) -> Account:
    return Account(
        id=row.id,
        email=row.email,
        role=Role(row.role),
        status=AccountStatus(row.status),
        first_name=row.first_name,
        last_name=row.last_name,
        phone_number=row.phone_number,
        create_time=row.created_at,
        version=row.version,
        status_before_suspension=AccountStatus(row.status_before_suspension) if row.status_before_suspension else None,
    )


async def insert_account(
    session: AsyncSession,
    *,
    email: str,
    password_hash: str,
    role: Role,
    status: AccountStatus,
    first_name: str,
    last_name: str,
    phone_number: str,
) -> Account:
    """The new account; EmailTaken when another has its email (decided by the unique index, race-free)."""
    row = (
        await session.execute(
            insert(users)
            .values(
                id=uuid.uuid4(),
                email=email,
                password_hash=password_hash,
                role=role.value,
                status=status.value,
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                phone_number=phone_number.strip(),
                version=1,
            )
            .on_conflict_do_nothing(index_elements=["email"])
            .returning(users)
        )
    ).first()
    if row is None:
        raise EmailTaken()
    return _account(row)


async def credentials_by_email(session: AsyncSession, email: str) -> Credentials | None:
    row = (await session.execute(sa.select(users).where(users.c.email == email))).first()
    return Credentials(_account(row), row.password_hash) if row is not None else None


async def credentials_by_id(session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> Credentials | None:
    query = sa.select(users).where(users.c.id == user_id)
    row = (await session.execute(query.with_for_update() if lock else query)).first()
    return Credentials(_account(row), row.password_hash) if row is not None else None


async def account_by_id(session: AsyncSession, user_id: uuid.UUID, *, lock: bool = False) -> Account | None:
    found = await credentials_by_id(session, user_id, lock=lock)
    return found.account if found else None


async def set_status(
    session: AsyncSession, user_id: uuid.UUID, status: AccountStatus, status_before_suspension: AccountStatus | None
) -> Account:
    row = (
        await session.execute(
            sa.update(users)
            .where(users.c.id == user_id)
            .values(
                status=status.value,
                status_before_suspension=status_before_suspension.value if status_before_suspension else None,
                version=users.c.version + 1,
                updated_at=sa.func.now(),
            )
            .returning(users)
        )
    ).one()
    return _account(row)


async def set_password_hash(session: AsyncSession, user_id: uuid.UUID, password_hash: str) -> None:
    await session.execute(
        sa.update(users).where(users.c.id == user_id).values(password_hash=password_hash, updated_at=sa.func.now())
    )


async def list_accounts(
    session: AsyncSession,
    *,
    role: Role | None,
    status: AccountStatus | None,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[Account]:
    """Newest first, keyset-paginated on (created_at, id)."""
    query = sa.select(users).order_by(users.c.created_at.desc(), users.c.id.desc()).limit(limit)
    if role is not None:
        query = query.where(users.c.role == role.value)
    if status is not None:
        query = query.where(users.c.status == status.value)
    if after is not None:
        query = query.where(
            sa.tuple_(users.c.created_at, users.c.id) < sa.tuple_(sa.literal(after[0]), sa.literal(after[1]))
        )
    return [_account(row) for row in (await session.execute(query)).all()]


def account_status_lookup(engine: AsyncEngine) -> Callable[[uuid.UUID], Awaitable[AccountStatus | None]]:
    """The interceptor's per-call status read: auth owns the accounts, so it reads its own users table."""
    return status_lookup(engine, users.c.id, users.c.status)


# Login throttling


async def locked_throttle(session: AsyncSession, email: str, client_address: str) -> ThrottleState:
    """The throttle row of (email, address), created if needed and locked until the transaction ends."""
    await session.execute(
        insert(throttles)
        .values(email=email, client_address=client_address, failures=0, lockouts=0)
        .on_conflict_do_nothing()
    )
    row = (
        await session.execute(
            sa.select(throttles)
            .where(throttles.c.email == email, throttles.c.client_address == client_address)
            .with_for_update()
        )
    ).one()
    return ThrottleState(
        failures=row.failures,
        window_started_at=row.window_started_at,
        locked_until=row.locked_until,
        lockouts=row.lockouts,
    )


async def save_throttle(session: AsyncSession, email: str, client_address: str, state: ThrottleState) -> None:
    await session.execute(
        sa.update(throttles)
        .where(throttles.c.email == email, throttles.c.client_address == client_address)
        .values(
            failures=state.failures,
            window_started_at=state.window_started_at,
            locked_until=state.locked_until,
            lockouts=state.lockouts,
        )
    )


async def clear_throttle(session: AsyncSession, email: str, client_address: str) -> None:
    await session.execute(
        sa.delete(throttles).where(throttles.c.email == email, throttles.c.client_address == client_address)
    )


# Refresh tokens


async def insert_refresh_token(session: AsyncSession, token: NewRefreshToken) -> None:
    await session.execute(
        sa.insert(tokens).values(
            id=uuid.uuid4(),
            family_id=token.family_id,
            user_id=token.user_id,
            token_hash=token.hash,
            issued_at=token.issued_at,
            expires_at=token.expires_at,
            family_expires_at=token.family_expires_at,
        )
    )


async def locked_refresh_token(session: AsyncSession, token_hash: bytes) -> TokenRecord | None:
    row = (await session.execute(sa.select(tokens).where(tokens.c.token_hash == token_hash).with_for_update())).first()
    if row is None:
        return None
    return TokenRecord(
        id=row.id,
        family_id=row.family_id,
        user_id=row.user_id,
        stored=StoredToken(
            issued_at=row.issued_at,
            expires_at=row.expires_at,
            family_expires_at=row.family_expires_at,
            used_at=row.used_at,
            revoked_at=row.revoked_at,
        ),
    )


async def mark_used(session: AsyncSession, token_id: uuid.UUID, at: datetime) -> None:
    await session.execute(sa.update(tokens).where(tokens.c.id == token_id).values(used_at=at))


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, at: datetime) -> None:
    await session.execute(
        sa.update(tokens).where(tokens.c.family_id == family_id, tokens.c.revoked_at.is_(None)).values(revoked_at=at)
    )


async def revoke_all_of_user(session: AsyncSession, user_id: uuid.UUID, at: datetime) -> None:
    await session.execute(
        sa.update(tokens).where(tokens.c.user_id == user_id, tokens.c.revoked_at.is_(None)).values(revoked_at=at)
    )
