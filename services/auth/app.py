"""Composition root of the auth service: builds everything from settings; nothing happens at import."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from pulseone.auth.v1 import auth_pb2_grpc

from services.auth import store
from services.auth.api import AuthApi
from services.auth.crypto import KeyRing, PasswordHasher, TokenIssuer, create_key_ring
from services.auth.events import subscriptions
from services.auth.settings import AuthSettings
from services.auth.use_cases.accounts import Accounts
from services.auth.use_cases.sign_in import SignIn
from services.common.clock import Clock, utc_now
from services.common.runtime import Infrastructure, ServiceRuntime, assemble
from services.common.tokens import TokenVerifier

NAME = "auth"
SERVICE_NAMES = ["pulseone.auth.v1.AuthService"]
MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: AuthSettings, *, clock: Clock = utc_now) -> ServiceRuntime:
    """The auth service wired from its settings; tests pass a clock they can move."""
    if not settings.key_ring_file.exists():
        if not settings.create_key_ring:
            raise SystemExit(f"the signing key ring {settings.key_ring_file} does not exist (PULSEONE_KEY_RING_FILE)")
        create_key_ring(settings.key_ring_file)
    ring = KeyRing(settings.key_ring_file)
    infra = Infrastructure.create(settings, NAME)

    async def local_jwks() -> dict[str, Any]:
        return ring.jwks()

    verifier = TokenVerifier(
        local_jwks, issuer=settings.jwt_issuer, audience=settings.jwt_audience, min_refresh_seconds=1
    )
    issuer = TokenIssuer(
        ring,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        lifetime=timedelta(minutes=settings.access_token_minutes),
    )
    hasher = PasswordHasher()
    accounts = Accounts(infra.sessions, hasher=hasher, issuer=issuer, pages=infra.pages, clock=clock)
    sign_in = SignIn(infra.sessions, hasher=hasher, ring=ring, issuer=issuer, verifier=verifier, clock=clock)
    api = AuthApi(accounts, sign_in)
    parts = assemble(
        infra,
        name=NAME,
        service_names=SERVICE_NAMES,
        migrations=MIGRATIONS,
        register=lambda server: auth_pb2_grpc.add_AuthServiceServicer_to_server(api, server),  # type: ignore[no-untyped-call]
        verifier=verifier,
        status_lookup=store.account_status_lookup(infra.engine),
        subscriptions=subscriptions(),
    )
    return ServiceRuntime(infra, parts)
