"""Sign-in use cases: login with throttling, refresh with rotation and theft detection, logout, token
verification, and the public keys tokens are verified with."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.auth import store
from services.auth.crypto import KeyRing, PasswordHasher, TokenIssuer
from services.auth.domain import accounts, refresh_tokens, throttle
from services.auth.domain.access_tokens import SignedIn, TokenCheck
from services.auth.domain.accounts import Credentials
from services.auth.domain.errors import (
    AccountSuspended,
    InvalidCredentials,
    RefreshTokenExpired,
    RefreshTokenInvalid,
    RefreshTokenReused,
    RefreshTokenRevoked,
    TooManyAttempts,
)
from services.auth.domain.refresh_tokens import Verdict
from services.common.clock import Clock, utc_now
from services.common.context import AccountStatus
from services.common.db import transaction
from services.common.errors import DomainError, Unauthenticated, ValidationErrors, invalid_field
from services.common.tokens import TokenVerifier


class SignIn:
    """Signing in and out: each method one use case in one transaction."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        hasher: PasswordHasher,
        ring: KeyRing,
        issuer: TokenIssuer,
        verifier: TokenVerifier,
        clock: Clock = utc_now,
    ) -> None:
        self._sessions = sessions
        self._hasher = hasher
        self._ring = ring
        self._issuer = issuer
        self._verifier = verifier
        self._now = clock

    async def login(self, email: str, password: str, client_address: str) -> SignedIn:
        """Check the password, throttled per email and client address; a refusal is raised after commit,
        so the throttle's count of the failure is kept."""
        errors = ValidationErrors()
        if not email.strip():
            errors.add("email", "is required")
        if not password:
            errors.add("password", "is required")
        errors.raise_if_any()
        email = accounts.normalize_email(email)
        refusal: DomainError | None = None
        found: Credentials | None = None
        refresh_token: refresh_tokens.NewRefreshToken | None = None
        async with transaction(self._sessions) as session:
            now = self._now()
            state = await store.locked_throttle(session, email, client_address)
            if throttle.retry_after(state, now) is not None:
                state = throttle.after_refused_attempt(state, now)
                await store.save_throttle(session, email, client_address, state)
                wait = throttle.retry_after(state, now)
                assert wait is not None  # a refused attempt extends the lockout
                refusal = TooManyAttempts(wait)
            else:
                found = await store.credentials_by_email(session, email)
                if not await self._hasher.verify(found.password_hash if found else None, password):
                    await store.save_throttle(session, email, client_address, throttle.after_failure(state, now))
                    refusal = InvalidCredentials()
                else:
                    assert found is not None  # verify() fails without a stored hash
                    await store.clear_throttle(session, email, client_address)
                    # Told only now that the password proved the caller owns the account: a wrong
                    # one answered above exactly as for any account, so suspension is never probed.
                    if found.account.status is AccountStatus.SUSPENDED:
                        refusal = AccountSuspended()
                    else:
                        refresh_token = refresh_tokens.first_of_family(found.account.id, now)
                        await store.insert_refresh_token(session, refresh_token)
        if refusal is not None:
            raise refusal
        assert found is not None
        assert refresh_token is not None
        return SignedIn(found.account, self._issuer.issue(found.account), refresh_token.token)

    async def refresh(self, token: str) -> SignedIn:
        """Rotate the refresh token. A spent one replayed after the grace period is taken for theft and
        ends its whole family, for the thief and the owner alike."""
        if not token:
            raise invalid_field("refreshToken", "is required")
        refusal: DomainError | None = None
        async with transaction(self._sessions) as session:
            now = self._now()
            record = await store.locked_refresh_token(session, refresh_tokens.token_hash(token))
            if record is None:
                raise RefreshTokenInvalid()
            verdict = refresh_tokens.judge(record.stored, now)
            successor = refresh_tokens.successor_of(token, self._ring.refresh_pepper)
            account = await store.account_by_id(session, record.user_id)
            assert account is not None  # tokens cascade with their account
            if verdict is Verdict.REVOKED:
                raise RefreshTokenRevoked()
            if verdict is Verdict.EXPIRED:
                raise RefreshTokenExpired()
            if verdict is Verdict.REUSE_DETECTED:
                await store.revoke_family(session, record.family_id, now)
                refusal = RefreshTokenReused()  # raised after commit, so the family stays revoked
            elif account.status is AccountStatus.SUSPENDED:
                raise AccountSuspended()
            elif verdict is Verdict.ROTATE:
                await store.mark_used(session, record.id, now)
                await store.insert_refresh_token(session, refresh_tokens.rotated(record, successor, now))
            # REPEAT_SUCCESSOR: a second refresh within the grace period gets the same successor.
        if refusal is not None:
            raise refusal
        return SignedIn(account, self._issuer.issue(account), successor)

    async def logout(self, token: str) -> None:
        """Revoke the token's family. Unknown tokens are accepted silently (RFC 7009)."""
        if not token:
            raise invalid_field("refreshToken", "is required")
        async with transaction(self._sessions) as session:
            record = await store.locked_refresh_token(session, refresh_tokens.token_hash(token))
            if record is not None:
                await store.revoke_family(session, record.family_id, self._now())

    async def verify(self, token: str) -> TokenCheck:
        """Whether an access token is valid, and whose it is, with the account's current role and status."""
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

    def published_keys(self) -> dict[str, Any]:
        """The JWKS: the public keys (next, current, previous) that access tokens are verified with."""
        return self._ring.jwks()
