"""The auth service's cryptography: the signing key ring shared by all replicas, the JWKS it publishes,
access-token signing, and Argon2id password hashing.

Real infrastructure (key files, JWT signing, a slow hash run in threads) that DESIGN 3 has no room
for: not a rule (domain), not SQL (store), not a protobuf conversion (messages).
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
from argon2 import PasswordHasher as Argon2Hasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.auth.domain.access_tokens import IssuedToken
from services.auth.domain.accounts import Account
from services.common.secret_files import write_private

ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: Ed25519PrivateKey
    not_before: datetime

    def public_jwk(self) -> dict[str, Any]:
        jwk: dict[str, Any] = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.pop("key_ops", None)
        return {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}


def _generate(not_before: datetime) -> dict[str, str]:
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return {"kid": uuid.uuid4().hex[:16], "notBefore": not_before.isoformat(), "privateKey": pem.decode()}


def _write_private(path: Path, document: dict[str, Any]) -> None:
    write_private(path, json.dumps(document, indent=2))


def create_key_ring(path: Path) -> None:
    """A new ring with one key that signs at once, and the pepper that derives refresh-token successors."""
    document = {
        "refreshPepper": base64.b64encode(secrets.token_bytes(32)).decode(),
        "keys": [_generate(datetime.fromtimestamp(0, UTC))],
    }
    _write_private(path, document)


def rotate_key_ring(path: Path, publish_ahead: timedelta) -> str:
    """Add a key that starts signing after `publish_ahead` (at least the verifiers' JWKS cache
    period) and drop keys older than the one it will make previous; returns the new kid."""
    document = json.loads(path.read_text())
    keys = sorted(document["keys"], key=lambda k: k["notBefore"])
    now = datetime.now(UTC)
    active = [k for k in keys if datetime.fromisoformat(k["notBefore"]) <= now]
    keep_from = keys.index(active[-1]) if active else 0
    fresh = _generate(now + publish_ahead)
    document["keys"] = [*keys[keep_from:], fresh]
    _write_private(path, document)
    return fresh["kid"]


class KeyRing:
    """The keys from the ring file, re-read when the file changes (rotation reaches running replicas)."""

    def __init__(self, path: Path, reload_seconds: float = 10.0) -> None:
        self._path = path
        self._reload_seconds = reload_seconds
        self._checked_at = float("-inf")
        self._mtime = 0.0
        self._keys: list[SigningKey] = []
        self.refresh_pepper = b""
        self._load()

    def _load(self) -> None:
        document = json.loads(self._path.read_text())
        self.refresh_pepper = base64.b64decode(document["refreshPepper"])
        self._keys = sorted(
            (
                SigningKey(
                    kid=k["kid"],
                    private_key=serialization.load_pem_private_key(k["privateKey"].encode(), password=None),  # type: ignore[arg-type]
                    not_before=datetime.fromisoformat(k["notBefore"]),
                )
                for k in document["keys"]
            ),
            key=lambda k: k.not_before,
        )
        self._mtime = self._path.stat().st_mtime

    def _fresh(self) -> list[SigningKey]:
        now = time.monotonic()
        if now - self._checked_at > self._reload_seconds:
            self._checked_at = now
            if self._path.stat().st_mtime != self._mtime:
                self._load()
        return self._keys

    def current(self) -> SigningKey:
        now = datetime.now(UTC)
        active = [k for k in self._fresh() if k.not_before <= now]
        if not active:
            raise RuntimeError(f"no signing key is active yet in {self._path}")
        return active[-1]

    def published(self) -> list[SigningKey]:
        """Next, current and previous keys: what verifiers must know."""
        keys = self._fresh()
        index = keys.index(self.current())
        return keys[max(0, index - 1) : index + 2]

    def jwks(self) -> dict[str, Any]:
        return {"keys": [k.public_jwk() for k in self.published()]}


class TokenIssuer:
    """Signs access tokens with the current key of the ring."""

    def __init__(self, ring: KeyRing, *, issuer: str, audience: str, lifetime: timedelta) -> None:
        self._ring = ring
        self._issuer = issuer
        self._audience = audience
        self._lifetime = lifetime

    def issue(self, account: Account) -> IssuedToken:
        """An access token naming the account with its role and status as they are now."""
        key = self._ring.current()
        now = int(time.time())
        lifetime = int(self._lifetime.total_seconds())
        jti = uuid.uuid4().hex
        claims = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": str(account.id),
            "role": account.role.value,
            "status": account.status.value,
            "iat": now,
            "exp": now + lifetime,
            "jti": jti,
        }
        token = jwt.encode(claims, key.private_key, algorithm=ALGORITHM, headers={"kid": key.kid})
        return IssuedToken(token=token, expires_in=lifetime, jti=jti)


class PasswordHasher:
    """Argon2id (argon2-cffi's RFC 9106 defaults); hashing runs in a thread so calls keep flowing."""

    def __init__(self) -> None:
        self._argon2 = Argon2Hasher()
        # Verified against when the email is unknown, so both failures cost the same time.
        self._decoy = self._argon2.hash("decoy password for unknown accounts")

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """True when the password matches; a missing hash is checked against a decoy and fails."""
        return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str | None, password: str) -> bool:
        try:
            self._argon2.verify(password_hash or self._decoy, password)
        except (VerificationError, InvalidHashError):
            return False
        return password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon2.check_needs_rehash(password_hash)
