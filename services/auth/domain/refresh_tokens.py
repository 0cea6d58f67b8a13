"""Refresh tokens: opaque, stored hashed, single use, rotating, with reuse detection (pure rules)."""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

IDLE_LIFETIME = timedelta(days=14)
ABSOLUTE_LIFETIME = timedelta(days=30)
REUSE_GRACE = timedelta(seconds=10)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> bytes:
    """What is stored: a SHA-256 of the token (256 random bits need no slow hash)."""
    return hashlib.sha256(token.encode()).digest()


def successor_of(token: str, pepper: bytes) -> str:
    """The token that replaces `token` on rotation, derived rather than stored.

    Deriving it lets a second refresh within the grace period (two tabs at once) get the same
    successor without the server ever keeping a usable token.
    """
    digest = hmac.new(pepper, b"successor:" + token.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


@dataclass(frozen=True)
class StoredToken:
    """What the store holds about one refresh token."""

    issued_at: datetime
    expires_at: datetime
    family_expires_at: datetime
    used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class TokenRecord:
    """A stored refresh token with the family and the account it belongs to."""

    id: uuid.UUID
    family_id: uuid.UUID
    user_id: uuid.UUID
    stored: StoredToken


class Verdict(enum.Enum):
    """What presenting a refresh token leads to."""

    ROTATE = "rotate"
    REPEAT_SUCCESSOR = "repeat_successor"
    REUSE_DETECTED = "reuse_detected"
    EXPIRED = "expired"
    REVOKED = "revoked"


def judge(token: StoredToken, now: datetime) -> Verdict:
    """What presenting this token now leads to: revocation first, then reuse, then expiry."""
    if token.revoked_at is not None:
        return Verdict.REVOKED
    if token.used_at is not None:
        return Verdict.REPEAT_SUCCESSOR if now - token.used_at <= REUSE_GRACE else Verdict.REUSE_DETECTED
    if now >= token.expires_at or now >= token.family_expires_at:
        return Verdict.EXPIRED
    return Verdict.ROTATE


def successor_expiry(now: datetime, family_expires_at: datetime) -> datetime:
    """A successor lives the idle lifetime, but never past the end of its family."""
    return min(now + IDLE_LIFETIME, family_expires_at)


@dataclass(frozen=True)
class NewRefreshToken:
    """A refresh token about to be handed out; only its hash is stored."""

    token: str
    family_id: uuid.UUID
    user_id: uuid.UUID
    issued_at: datetime
    expires_at: datetime
    family_expires_at: datetime

    @property
    def hash(self) -> bytes:
        return token_hash(self.token)


def first_of_family(user_id: uuid.UUID, now: datetime) -> NewRefreshToken:
    """The token of a new sign-in: a new family that ends after the absolute lifetime."""
    return NewRefreshToken(
        token=new_token(),
        family_id=uuid.uuid4(),
        user_id=user_id,
        issued_at=now,
        expires_at=now + IDLE_LIFETIME,
        family_expires_at=now + ABSOLUTE_LIFETIME,
    )


def rotated(record: TokenRecord, successor: str, now: datetime) -> NewRefreshToken:
    """The successor of a presented token, in the same family and never outliving it."""
    return NewRefreshToken(
        token=successor,
        family_id=record.family_id,
        user_id=record.user_id,
        issued_at=now,
        expires_at=successor_expiry(now, record.stored.family_expires_at),
        family_expires_at=record.stored.family_expires_at,
    )
