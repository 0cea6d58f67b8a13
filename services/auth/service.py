"""The auth use cases: each one a transaction over the store, applying the pure rules."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.auth import accounts, events, refresh_tokens, store, throttle
from services.auth.accounts import Account, NewAccount
from services.auth.keys import IssuedToken, KeyRing, TokenIssuer
from services.auth.passwords import PasswordHasher, password_problem
from services.common.context import AccountStatus, Principal, Role
from services.common.db import transaction
from services.common.errors import (
    AlreadyExists,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    ValidationErrors,
    invalid_field,
)
from services.common.pagination import Keyset, PageTokens
from services.common.tokens import TokenVerifier

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class SignedIn:
    """An account with a fresh access token and refresh token."""

    account: Account
    access: IssuedToken
    refresh_token: str


@dataclass(frozen=True)
class TokenCheck:
    """The answer to a partner's question about an access token."""

    valid: bool
    user_id: str = ""
    role: Role | None = None
    status: AccountStatus | None = None
    expires_at: datetime | None = None


INVALID_CREDENTIALS = "the email or password is wrong"
USERS = Keyset("auth.users", (datetime, uuid.UUID))


async def insert_account(
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
    if account is None:
        raise AlreadyExists("an account with this email exists already", reason="EMAIL_TAKEN")
    await events.user_registered(session, account, request)
    return account


class AuthService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        hasher: PasswordHasher,
        ring: KeyRing,
        issuer: TokenIssuer,
        verifier: TokenVerifier,
        pages: PageTokens,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._pages = pages
        self._hasher = hasher
        self._ring = ring
        self._issuer = issuer
        self._verifier = verifier
        self._now = clock

    # Accounts

    async def register(self, request: NewAccount) -> SignedIn:
        async with transaction(self._sessions) as session:
            account = await insert_account(session, self._hasher, request, by_admin=False)
            refresh_token = await self._start_family(session, account.id)
        return self._signed_in(account, refresh_token)

    async def create_account(self, request: NewAccount) -> Account:
        async with transaction(self._sessions) as session:
            return await insert_account(session, self._hasher, request, by_admin=True)

    async def get_account(self, user_id: uuid.UUID) -> Account:
        async with self._sessions() as session:
            account = await store.account_by_id(session, user_id)
        if account is None:
            raise NotFound("no account has this id", reason="USER_NOT_FOUND", metadata={"userId": str(user_id)})
        return account

    async def list_accounts(
        self, *, role: Role | None, status: AccountStatus | None, size: int, token: str
    ) -> tuple[list[Account], str]:
        page = self._pages.page(USERS, size=size, token=token, filters={"role": role, "status": status})
        async with self._sessions() as session:
            found = await store.list_accounts(session, role=role, status=status, after=page.after, limit=page.fetch)
        listed = page.split(found, lambda account: (account.create_time, account.id))
        return listed.items, listed.next_page_token

    async def approve(self, user_id: uuid.UUID) -> Account:
        async with transaction(self._sessions) as session:
            account = await self._locked_account(session, user_id)
            changed = await store.set_status(session, user_id, accounts.approved(account), None)
            await events.user_approved(session, changed)
        return changed

    async def suspend(self, user_id: uuid.UUID, actor: Principal, reason: str) -> Account:
        async with transaction(self._sessions) as session:
            account = await self._locked_account(session, user_id)
            changed = await store.set_status(
                session, user_id, accounts.suspended(account, actor.user_id), account.status
            )
            await store.revoke_all_of_user(session, user_id, self._now())
            await events.user_suspended(session, changed, reason)
        return changed

    async def reactivate(self, user_id: uuid.UUID) -> Account:
        async with transaction(self._sessions) as session:
            account = await self._locked_account(session, user_id)
            changed = await store.set_status(session, user_id, accounts.reactivated(account), None)
            await events.user_reactivated(session, changed)
        return changed

    async def _locked_account(self, session: AsyncSession, user_id: uuid.UUID) -> Account:
        account = await store.account_by_id(session, user_id, lock=True)
        if account is None:
            raise NotFound("no account has this id", reason="USER_NOT_FOUND", metadata={"userId": str(user_id)})
        return account

    # Signing in

    def _signed_in(self, account: Account, refresh_token: str) -> SignedIn:
        access = self._issuer.issue(account.id, account.role.value, account.status.value)
        return SignedIn(account=account, access=access, refresh_token=refresh_token)

    async def _start_family(self, session: AsyncSession, user_id: uuid.UUID) -> str:
        now = self._now()
        token = refresh_tokens.new_token()
        await store.insert_refresh_token(
            session,
            token_hash=refresh_tokens.token_hash(token),
            family_id=uuid.uuid4(),
            user_id=user_id,
            issued_at=now,
            expires_at=now + refresh_tokens.IDLE_LIFETIME,
            family_expires_at=now + refresh_tokens.ABSOLUTE_LIFETIME,
        )
        return token

    async def login(self, email: str, password: str, client_address: str) -> SignedIn:
        errors = ValidationErrors()
        if not email.strip():
            errors.add("email", "is required")
        if not password:
            errors.add("password", "is required")
        errors.raise_if_any()
        email = accounts.normalize_email(email)
        refusal: Exception | None = None
        found: store.Credentials | None = None
        refresh_token = ""
        async with transaction(self._sessions) as session:
            now = self._now()
            state = await store.locked_throttle(session, email, client_address)
            if throttle.retry_after(state, now) is not None:
                state = throttle.after_refused_attempt(state, now)
                await store.save_throttle(session, email, client_address, state)
                wait = throttle.retry_after(state, now)
                refusal = ResourceExhausted(
                    f"too many failed sign-ins; try again in {wait} seconds",
                    reason="TOO_MANY_ATTEMPTS",
                    retry_after_seconds=wait,
                )
            else:
                found = await store.credentials_by_email(session, email)
                if not await self._hasher.verify(found.password_hash if found else None, password):
                    await store.save_throttle(session, email, client_address, throttle.after_failure(state, now))
                    refusal = Unauthenticated(INVALID_CREDENTIALS, reason="INVALID_CREDENTIALS")
                else:
                    assert found is not None  # verify() fails without a stored hash
                    await store.clear_throttle(session, email, client_address)
                    # Told only now that the password proved the caller owns the account: a wrong
                    # one answered above exactly as for any account, so suspension is never probed.
                    if found.account.status is AccountStatus.SUSPENDED:
                        refusal = PermissionDenied("this account is suspended", reason="ACCOUNT_SUSPENDED")
                    else:
                        refresh_token = await self._start_family(session, found.account.id)
        # Raised after commit, so the throttle's count of the failure is kept.
        if refusal is not None:
            raise refusal
        assert found is not None
        return self._signed_in(found.account, refresh_token)

    async def refresh(self, token: str) -> SignedIn:
        if not token:
            raise invalid_field("refreshToken", "is required")
        refusal: Exception | None = None
        async with transaction(self._sessions) as session:
            now = self._now()
            record = await store.locked_refresh_token(session, refresh_tokens.token_hash(token))
            if record is None:
                raise Unauthenticated("the refresh token is not valid", reason="REFRESH_TOKEN_INVALID")
            verdict = refresh_tokens.judge(record.stored, now)
            successor = refresh_tokens.successor_of(token, self._ring.refresh_pepper)
            account = await store.account_by_id(session, record.user_id)
            assert account is not None  # tokens cascade with their account
            if verdict is refresh_tokens.Verdict.REVOKED:
                raise Unauthenticated("the refresh token has been revoked", reason="REFRESH_TOKEN_REVOKED")
            if verdict is refresh_tokens.Verdict.EXPIRED:
                raise Unauthenticated("the refresh token has expired; sign in again", reason="REFRESH_TOKEN_EXPIRED")
            if verdict is refresh_tokens.Verdict.REUSE_DETECTED:
                # Someone replayed a spent token: end the whole family, for the thief and the owner alike.
                await store.revoke_family(session, record.family_id, now)
                refusal = Unauthenticated(
                    "the refresh token was used before; every session it belongs to is now signed out",
                    reason="REFRESH_TOKEN_REUSED",
                )
            elif account.status is AccountStatus.SUSPENDED:
                raise PermissionDenied("this account is suspended", reason="ACCOUNT_SUSPENDED")
            elif verdict is refresh_tokens.Verdict.ROTATE:
                await store.mark_used(session, record.id, now)
                await store.insert_refresh_token(
                    session,
                    token_hash=refresh_tokens.token_hash(successor),
                    family_id=record.family_id,
                    user_id=record.user_id,
                    issued_at=now,
                    expires_at=refresh_tokens.successor_expiry(now, record.stored.family_expires_at),
                    family_expires_at=record.stored.family_expires_at,
                )
            # REPEAT_SUCCESSOR: a second refresh within the grace period gets the same successor.
        if refusal is not None:
            raise refusal
        return self._signed_in(account, successor)

    async def logout(self, token: str) -> None:
        """Revoke the token's family. Unknown tokens are accepted silently (RFC 7009)."""
        if not token:
            raise invalid_field("refreshToken", "is required")
        async with transaction(self._sessions) as session:
            record = await store.locked_refresh_token(session, refresh_tokens.token_hash(token))
            if record is not None:
                await store.revoke_family(session, record.family_id, self._now())

    async def verify(self, token: str) -> TokenCheck:
        try:
            claims = await self._verifier.claims(token)
            user_id = uuid.UUID(claims["sub"])
        except (Unauthenticated, ValueError):
            return TokenCheck(valid=False)
        async with self._sessions() as session:
            account = await store.account_by_id(session, user_id)
        if account is None:
            return TokenCheck(valid=False)
        return TokenCheck(
            valid=True,
            user_id=str(account.id),
            role=account.role,
            status=account.status,
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )

    async def change_password(self, principal: Principal, current: str, new: str) -> None:
        errors = ValidationErrors()
        problem = password_problem(new)
        if problem:
            errors.add("newPassword", problem, "WEAK_PASSWORD")
        if new and new == current:
            errors.add("newPassword", "must differ from the current password")
        errors.raise_if_any()
        new_hash = await self._hasher.hash(new)
        async with transaction(self._sessions) as session:
            found = await store.credentials_by_id(session, principal.user_id, lock=True)
            if found is None:
                raise Unauthenticated("the account no longer exists", reason="TOKEN_INVALID")
            if not await self._hasher.verify(found.password_hash, current):
                raise invalid_field("currentPassword", "is not the password of this account", "WRONG_PASSWORD")
            await store.set_password_hash(session, principal.user_id, new_hash)
            await store.revoke_all_of_user(session, principal.user_id, self._now())
