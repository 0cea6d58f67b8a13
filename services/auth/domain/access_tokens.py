"""Access tokens as the use cases hand them out and answer about them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.auth.domain.accounts import Account
from services.common.context import AccountStatus, Role


@dataclass(frozen=True)
class IssuedToken:
    """A signed access token and how long it lives."""

    token: str
    expires_in: int
    jti: str


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
