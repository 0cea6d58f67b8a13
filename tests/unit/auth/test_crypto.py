"""The auth service's cryptography: Argon2id password hashing, access tokens signed with the key ring."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from services.auth.crypto import KeyRing, PasswordHasher, TokenIssuer, create_key_ring
from services.auth.domain.accounts import Account
from services.common.context import AccountStatus, Role


async def test_hash_is_argon2id_and_verifies_only_the_right_password() -> None:
    hasher = PasswordHasher()
    stored = await hasher.hash("correct horse 1")
    assert stored.startswith("$argon2id$")
    assert await hasher.verify(stored, "correct horse 1")
    assert not await hasher.verify(stored, "correct horse 2")


async def test_an_unknown_account_never_verifies_even_with_the_decoy_password() -> None:
    hasher = PasswordHasher()
    assert not await hasher.verify(None, "decoy password for unknown accounts")


def test_an_access_token_names_the_account_and_is_signed_by_the_current_key(tmp_path: Path) -> None:
    create_key_ring(tmp_path / "ring.json")
    ring = KeyRing(tmp_path / "ring.json")
    account = Account(
        id=uuid.uuid4(),
        email="a@example.com",
        role=Role.DOCTOR,
        status=AccountStatus.PENDING_APPROVAL,
        first_name="A",
        last_name="B",
        phone_number="",
        create_time=datetime.now(UTC),
        version=1,
    )
    issued = TokenIssuer(ring, issuer="pulseone-auth", audience="pulseone", lifetime=timedelta(minutes=15)).issue(
        account
    )
    key = ring.current()
    assert jwt.get_unverified_header(issued.token)["kid"] == key.kid
    claims = jwt.decode(
        issued.token, key.private_key.public_key(), algorithms=["EdDSA"], audience="pulseone", issuer="pulseone-auth"
    )
    assert (claims["sub"], claims["role"], claims["status"], claims["jti"]) == (
        str(account.id),
        "DOCTOR",
        "PENDING_APPROVAL",
        issued.jti,
    )
    assert issued.expires_in == 900
    assert claims["exp"] - claims["iat"] == 900
