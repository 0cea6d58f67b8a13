"""Refresh tokens: opaque, stored hashed, single use, rotating, with reuse detection (pure rules)."""

from __future__ import annotations

import base64
import enum
import hashlib
import hmac
import secrets
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


class Verdict(enum.Enum):
    """What presenting a refresh token leads to."""

    ROTATE = "rotate"
    REPEAT_SUCCESSOR = "repeat_successor"
    REUSE_DETECTED = "reuse_detected"
    EXPIRED = "expired"
    REVOKED = "revoked"


def judge(token: StoredToken, now: datetime) -> Verdict:
    if token.revoked_at is not None:
        return Verdict.REVOKED
    if token.used_at is not None:
        return Verdict.REPEAT_SUCCESSOR if now - token.used_at <= REUSE_GRACE else Verdict.REUSE_DETECTED
    if now >= token.expires_at or now >= token.family_expires_at:
        return Verdict.EXPIRED
    return Verdict.ROTATE


def successor_expiry(now: datetime, family_expires_at: datetime) -> datetime:
    return min(now + IDLE_LIFETIME, family_expires_at)
