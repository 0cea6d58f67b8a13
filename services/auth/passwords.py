"""Password policy (pure) and Argon2id hashing off the event loop."""

from __future__ import annotations

import asyncio
import string

from argon2 import PasswordHasher as Argon2Hasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
MAX_LENGTH = 256
_CLASSES = (string.ascii_lowercase, string.ascii_uppercase, string.digits)


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and everything else the password uses."""
    used = {next((i for i, chars in enumerate(_CLASSES) if c in chars), len(_CLASSES)) for c in password}
    return len(used)


def password_problem(password: str) -> str | None:
    """Why a password is refused, or None when it meets the policy (SPEC 3.1)."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"must be at most {MAX_LENGTH} characters"
    if character_classes(password) < 2:
        return "must mix at least two of: lower case, upper case, digits, other characters"
    return None


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
