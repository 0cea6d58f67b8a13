"""Access-token verification against the auth service's JWKS, cached and refreshed on an unknown `kid`."""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import grpc
import jwt
from pulseone.auth.v1 import auth_pb2, auth_pb2_grpc

from services.common.context import AccountStatus, Principal, Role
from services.common.errors import Unauthenticated, Unavailable
from services.common.peers import peer_channel

# Asymmetric only: a key set that somehow held a shared-secret key must not make it a verifier.
ALGORITHMS = ("EdDSA", "RS256")
# PulseOne kids are 16 hex characters; a far longer one is not ours and need not cost a JWKS refetch.
MAX_KID_LENGTH = 128
REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub", "jti", "role", "status"]

JwksSource = Callable[[], Awaitable[dict[str, Any]]]


def verification_keys(document: dict[str, Any]) -> dict[str, jwt.PyJWK]:
    """The signing keys of a JWKS by `kid`, each bound to its algorithm (the JWK's `alg`, else its
    key type); keys that are not for an allowed asymmetric algorithm are left out."""
    keys = {}
    for entry in document.get("keys", []):
        try:
            key = jwt.PyJWK(entry)
        except jwt.PyJWTError:
            continue
        if isinstance(entry.get("kid"), str) and key.algorithm_name in ALGORITHMS:
            keys[entry["kid"]] = key
    return keys


class TokenVerifier:
    """Verifies access tokens; the key set is fetched on first use and refetched at most every
    `min_refresh_seconds` when a token names a key it does not know. The `remember` most recently
    verified tokens are kept until they expire."""

    def __init__(
        self,
        source: JwksSource,
        *,
        issuer: str,
        audience: str,
        min_refresh_seconds: float = 30.0,
        remember: int = 10_000,
    ) -> None:
        self._source = source
        self._issuer = issuer
        self._audience = audience
        self._min_refresh = min_refresh_seconds
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at = float("-inf")
        self._lock = asyncio.Lock()
        self._remember = remember
        self._verified: dict[str, tuple[Principal, float]] = {}

    async def _refresh(self) -> None:
        async with self._lock:
            if time.monotonic() - self._fetched_at < self._min_refresh:
                return
            try:
                document = await self._source()
            except Exception as error:
                if self._keys:
                    self._fetched_at = time.monotonic()
                    return
                raise Unavailable("signing keys cannot be fetched", reason="JWKS_UNAVAILABLE") from error
            self._keys = verification_keys(document)
            self._fetched_at = time.monotonic()

    async def _key(self, kid: str) -> jwt.PyJWK:
        if kid not in self._keys:
            await self._refresh()
        try:
            return self._keys[kid]
        except KeyError:
            raise Unauthenticated("the token is signed by an unknown key", reason="TOKEN_INVALID") from None

    async def claims(self, token: str) -> dict[str, Any]:
        """The verified claims of a token, or UNAUTHENTICATED.

        Only the `kid` is taken from the unverified header, to pick the key; the key decides the
        algorithm, so a header naming another one (RS256 for an Ed25519 key, HS256 keyed with the
        public key, none) is simply an invalid token. Remote key locations in the header (`jku`,
        `x5u`, `jwk`) are never followed, and critical extensions PyJWT does not know are refused.
        """
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.PyJWTError:
            raise Unauthenticated("the token is malformed", reason="TOKEN_INVALID") from None
        if not isinstance(kid, str) or not 0 < len(kid) <= MAX_KID_LENGTH:
            raise Unauthenticated("the token is not signed by PulseOne", reason="TOKEN_INVALID")
        key = await self._key(kid)
        try:
            return jwt.decode(
                token,
                key=key,
                algorithms=[key.algorithm_name],
                audience=self._audience,
                issuer=self._issuer,
                options={"require": REQUIRED_CLAIMS},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired", reason="TOKEN_EXPIRED") from None
        except jwt.PyJWTError:
            raise Unauthenticated("the token is invalid", reason="TOKEN_INVALID") from None

    async def principal(self, token: str) -> Principal:
        """Who the token speaks for. A token verified before is taken from memory until it expires
        (a client sends the same token for its whole life; the signature check is most of the cost);
        the whole token is the key, so only the very same signed bytes match."""
        remembered = self._verified.get(token)
        if remembered is not None:
            principal, expires = remembered
            if time.time() < expires:
                return principal
            del self._verified[token]
        claims = await self.claims(token)
        try:
            principal = Principal(
                user_id=uuid.UUID(claims["sub"]),
                role=Role(claims["role"]),
                status=AccountStatus(claims["status"]),
                token_id=str(claims["jti"]),
            )
        except (ValueError, TypeError):
            raise Unauthenticated("the token's claims are invalid", reason="TOKEN_INVALID") from None
        if len(self._verified) >= self._remember:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = (principal, float(claims["exp"]))
        return principal


def grpc_jwks_source(channel: grpc.aio.Channel, timeout: float = 3.0) -> JwksSource:
    """Fetch the JWKS from the auth service over gRPC (services other than auth use this)."""
    stub = auth_pb2_grpc.AuthServiceStub(channel)  # type: ignore[no-untyped-call]

    async def fetch() -> dict[str, Any]:
        body = await stub.GetJwks(auth_pb2.GetJwksRequest(), timeout=timeout)
        document: dict[str, Any] = json.loads(body.data)
        return document

    return fetch


StatusRecheck = Callable[[str], Awaitable[AccountStatus | None]]


def grpc_status_recheck(channel: grpc.aio.Channel, timeout: float = 2.0) -> StatusRecheck:
    """Ask the auth service for an account's current status (its VerifyToken), when this service's
    event-fed copy disagrees with the token: the copy may lag behind a fresh approval or suspension."""
    stub = auth_pb2_grpc.AuthServiceStub(channel)  # type: ignore[no-untyped-call]

    async def recheck(token: str) -> AccountStatus | None:
        try:
            answer = await stub.VerifyToken(auth_pb2.VerifyTokenRequest(token=token), timeout=timeout)
        except grpc.aio.AioRpcError:
            return None
        if not answer.valid:
            return None
        return AccountStatus(auth_pb2.User.Status.Name(answer.status))

    return recheck


@dataclass
class AuthClient:
    """What a service needs from the auth service: token verification and status re-checks."""

    channel: grpc.aio.Channel
    verifier: TokenVerifier
    recheck: StatusRecheck

    @classmethod
    def connect(cls, address: str, *, issuer: str, audience: str) -> AuthClient:
        channel = peer_channel(address)
        verifier = TokenVerifier(grpc_jwks_source(channel), issuer=issuer, audience=audience)
        return cls(channel, verifier, grpc_status_recheck(channel))
