"""Access-token verification: the key named by `kid` decides the algorithm, never the token's header."""

from __future__ import annotations

import asyncio
import time
import uuid
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from services.auth.crypto import SigningKey
from services.common.errors import Unauthenticated
from services.common.tokens import TokenVerifier
from tests.forged_tokens import claims, compact, hostile_tokens

KEY = SigningKey("k1", Ed25519PrivateKey.generate(), datetime.fromtimestamp(0, UTC))
FORGERIES = hostile_tokens(KEY.kid, KEY.private_key.public_key())


def verifier() -> TokenVerifier:
    async def jwks() -> dict[str, Any]:
        return {"keys": [KEY.public_jwk()]}

    return TokenVerifier(jwks, issuer="pulseone-auth", audience="pulseone")


def signed(headers: dict[str, Any]) -> str:
    """Signed with the real key: only the header is odd."""
    return compact({"alg": "EdDSA", **headers}, KEY.private_key.sign)


def refusal(token: str) -> str:
    with pytest.raises(Unauthenticated) as raised:
        asyncio.run(verifier().claims(token))
    return raised.value.reason


def test_a_token_signed_with_the_key_it_names_is_valid() -> None:
    assert asyncio.run(verifier().claims(signed({"kid": KEY.kid})))["role"] == "SYSTEM_ADMIN"


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_a_forged_header_is_an_invalid_token_and_never_an_error(name: str) -> None:
    assert refusal(FORGERIES[name]) == "TOKEN_INVALID"


@pytest.mark.parametrize(
    "headers",
    [
        {"kid": 1},
        {"kid": None},
        {"kid": ""},
        {"kid": KEY.kid * 100_000},
        {"kid": KEY.kid, "crit": ["exp"]},
        {"kid": KEY.kid, "crit": "b64"},
        {"kid": KEY.kid, "alg": "RS256"},
    ],
    ids=["kid-number", "kid-null", "kid-empty", "kid-huge", "crit-unknown", "crit-not-a-list", "alg-not-the-keys"],
)
def test_a_header_the_verifier_cannot_honour_makes_even_a_real_signature_invalid(headers: dict[str, Any]) -> None:
    assert refusal(signed(headers)) == "TOKEN_INVALID"


def test_an_unknown_kid_refetches_the_key_set_at_most_once_per_period() -> None:
    fetches = []

    async def jwks() -> dict[str, Any]:
        fetches.append(time.monotonic())
        return {"keys": [KEY.public_jwk()]}

    async def attempt_many() -> None:
        checker = TokenVerifier(jwks, issuer="pulseone-auth", audience="pulseone")
        for _ in range(20):
            with pytest.raises(Unauthenticated):
                await checker.claims(signed({"kid": uuid.uuid4().hex}))

    asyncio.run(attempt_many())
    assert len(fetches) == 1


def issued(expires_in: int = 600) -> str:
    body = {**claims(), "exp": int(time.time()) + expires_in}
    return jwt.encode(body, KEY.private_key, algorithm="EdDSA", headers={"kid": KEY.kid})


class CountingVerifier(TokenVerifier):
    """Counts the signature checks behind `principal`."""

    def __init__(self, remember: int = 10_000) -> None:
        async def jwks() -> dict[str, Any]:
            return {"keys": [KEY.public_jwk()]}

        super().__init__(jwks, issuer="pulseone-auth", audience="pulseone", remember=remember)
        self.checks = 0

    async def claims(self, token: str) -> dict[str, Any]:
        self.checks += 1
        return await super().claims(token)


def test_a_token_verified_before_is_not_checked_again() -> None:
    checker, token = CountingVerifier(), issued()

    async def twice() -> None:
        first, second = await checker.principal(token), await checker.principal(token)
        assert first == second

    asyncio.run(twice())
    assert checker.checks == 1


def test_a_remembered_token_still_expires() -> None:
    checker, token = CountingVerifier(), issued(expires_in=1)

    async def before_and_after() -> None:
        await checker.principal(token)
        await asyncio.sleep(1.5)
        with pytest.raises(Unauthenticated) as raised:
            await checker.principal(token)
        assert raised.value.reason == "TOKEN_EXPIRED"

    asyncio.run(before_and_after())


def test_only_the_most_recent_tokens_are_remembered() -> None:
    checker = CountingVerifier(remember=2)
    tokens = [issued() for _ in range(3)]

    async def cycle() -> None:
        for token in [*tokens, tokens[0]]:
            await checker.principal(token)

    asyncio.run(cycle())
    assert checker.checks == 4  # the first was forgotten to make room for the third
