"""Account use cases: registration, administrators' account management, password changes, and the
operator's first SYSTEM_ADMIN."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.auth import events, store
from services.auth.crypto import PasswordHasher, TokenIssuer
from services.auth.domain import accounts, refresh_tokens
from services.auth.domain.access_tokens import SignedIn
from services.auth.domain.accounts import Account, NewAccount
from services.auth.domain.errors import AccountGone, UserNotFound, WrongPassword
from services.auth.domain.passwords import validate_password_change
from services.common.clock import Clock, utc_now
from services.common.context import AccountStatus, Principal, Role
from services.common.db import create_engine, create_sessions, transaction
from services.common.pagination import Keyset, Page, PageTokens

USERS = Keyset("auth.users", (datetime, uuid.UUID))


async def _insert_account(
    session: AsyncSession, hasher: PasswordHasher, request: NewAccount, *, by_admin: bool
) -> Account:
    """Validate and store a new account and record its registration event, in the caller's transaction."""
    accounts.validate_new_account(request, self_registration=not by_admin)
    assert request.role is not None  # validated above
    account = await store.insert_account(
        session,
        email=accounts.normalize_email(request.email),
        password_hash=await hasher.hash(request.password),
        role=request.role,
        status=accounts.initial_status(request.role, created_by_admin=by_admin),
        first_name=request.first_name,
        last_name=request.last_name,
        phone_number=request.phone_number,
    )
    await events.user_registered(session, account, request)
    return account


async def _locked_account(session: AsyncSession, user_id: uuid.UUID) -> Account:
    account = await store.account_by_id(session, user_id, lock=True)
    if account is None:
        raise UserNotFound(user_id)
    return account


class Accounts:
    """The accounts aggregate: each method one use case in one transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        hasher: PasswordHasher,
        issuer: TokenIssuer,
        pages: PageTokens,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._hasher = hasher
        self._issuer = issuer
        self._pages = pages
        self._now = clock

    async def register(self, request: NewAccount) -> SignedIn:
        """Self-registration; the new account is signed in at once."""
        async with transaction(self._sessions) as session:
            account = await _insert_account(session, self._hasher, request, by_admin=False)
            refresh_token = refresh_tokens.first_of_family(account.id, self._now())
            await store.insert_refresh_token(session, refresh_token)
        return SignedIn(account, self._issuer.issue(account), refresh_token.token)

    async def create(self, request: NewAccount) -> Account:
        """An administrator's account creation: any role, ACTIVE at once."""
        async with transaction(self._sessions) as session:
            return await _insert_account(session, self._hasher, request, by_admin=True)

    async def get(self, user_id: uuid.UUID) -> Account:
        async with self._sessions() as session:
            account = await store.account_by_id(session, user_id)
        if account is None:
            raise UserNotFound(user_id)
        return account

    async def list(self, *, role: Role | None, status: AccountStatus | None, size: int, token: str) -> Page[Account]:
        """Newest first, optionally of one role and one status."""
        page = self._pages.page(USERS, size=size, token=token, filters={"role": role, "status": status})
        async with self._sessions() as session:
            found = await store.list_accounts(session, role=role, status=status, after=page.after, limit=page.fetch)
        return page.split(found, lambda account: (account.create_time, account.id))

    async def approve(self, user_id: uuid.UUID) -> Account:
        async with transaction(self._sessions) as session:
            account = await _locked_account(session, user_id)
            changed = await store.set_status(session, user_id, accounts.approved(account), None)
            await events.user_approved(session, changed)
        return changed

    async def suspend(self, user_id: uuid.UUID, actor: Principal, reason: str) -> Account:
        """Suspend the account and end every sign-in it has."""
        async with transaction(self._sessions) as session:
            account = await _locked_account(session, user_id)
            changed = await store.set_status(
                session, user_id, accounts.suspended(account, actor.user_id), account.status
            )
            await store.revoke_all_of_user(session, user_id, self._now())
            await events.user_suspended(session, changed, reason)
        return changed

    async def reactivate(self, user_id: uuid.UUID) -> Account:
        async with transaction(self._sessions) as session:
            account = await _locked_account(session, user_id)
            changed = await store.set_status(session, user_id, accounts.reactivated(account), None)
            await events.user_reactivated(session, changed)
        return changed

    async def change_password(self, principal: Principal, current: str, new: str) -> None:
        """Replace the caller's password and end every sign-in they have."""
        validate_password_change(current, new)
        new_hash = await self._hasher.hash(new)
        async with transaction(self._sessions) as session:
            found = await store.credentials_by_id(session, principal.user_id, lock=True)
            if found is None:
                raise AccountGone()
            if not await self._hasher.verify(found.password_hash, current):
                raise WrongPassword()
            await store.set_password_hash(session, principal.user_id, new_hash)
            await store.revoke_all_of_user(session, principal.user_id, self._now())


async def create_system_admin(database_url: str, email: str, password: str, first_name: str, last_name: str) -> Account:
    """The operator's first SYSTEM_ADMIN (`pulseone admin create`), which no API may create: an ACTIVE
    account written straight to the auth database over a connection of its own, outside any running
    service; its registration event leaves through the outbox like any other."""
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1), pool_size=1)
    try:
        async with transaction(create_sessions(engine)) as session:
            request = NewAccount(email, password, Role.SYSTEM_ADMIN, first_name, last_name, "")
            return await _insert_account(session, PasswordHasher(), request, by_admin=True)
    finally:
        await engine.dispose()
