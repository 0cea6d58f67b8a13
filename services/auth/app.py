"""Composition root of the auth service: builds everything from settings; nothing happens at import."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import grpc
from pulseone.appointments.v1 import appointments_pb2
from pulseone.audit.v1 import audit_pb2, audit_pb2_grpc
from pulseone.auth.v1 import auth_pb2_grpc
from pulseone.prescriptions.v1 import prescriptions_pb2
from pulseone.profile.v1 import profile_pb2
from pulseone.video.v1 import video_pb2

from services.auth import store
from services.auth.api import AuthApi
from services.auth.crypto import KeyRing, PasswordHasher, TokenIssuer, create_key_ring
from services.auth.domain.audit_trails import Fetched, Position
from services.auth.domain.errors import AuditTrailUnavailable
from services.auth.events import subscriptions
from services.auth.settings import AuthSettings
from services.auth.use_cases.accounts import Accounts
from services.auth.use_cases.audit import AuditTrails, TrailReader
from services.auth.use_cases.sign_in import SignIn
from services.common.audit import AuditQuery, StoredEntry
from services.common.audit_api import audit_filter, stored_entry
from services.common.authz import rules_for_services
from services.common.clock import Clock, utc_now
from services.common.peers import call_on_behalf, peer_channel
from services.common.runtime import Infrastructure, ServiceRuntime, assemble
from services.common.timestamps import set_time
from services.common.tokens import TokenVerifier

NAME = "auth"
SERVICE_NAMES = ["pulseone.auth.v1.AuthService"]
MIGRATIONS = Path(__file__).parent / "migrations"


# The services holding clinical data, whose audit trails GET /api/audit searches.
AUDITED = ("profile", "appointments", "prescriptions", "video")


def audited_resource_types() -> frozenset[str]:
    """Every kind of resource an audit declaration of those services names."""
    modules = (profile_pb2, appointments_pb2, prescriptions_pb2, video_pb2)
    names = [service.full_name for m in modules for service in m.DESCRIPTOR.services_by_name.values()]
    kinds: set[str] = set()
    for rule in rules_for_services(names).values():
        if rule.audit is not None:
            kinds.add(rule.audit.resource_type)
            kinds.update(kind for _, kind in rule.audit.request_ids)
    return frozenset(kinds)


CANNOT_SEARCH = frozenset({grpc.StatusCode.INTERNAL, grpc.StatusCode.UNKNOWN})
"""A trail that cannot be searched now (a failure there; a replica of the release before is
UNREACHABLE already): the search is unavailable, 503, like a service that does not answer."""


def trail_reader(service: str, channel: grpc.aio.Channel, timeout: float) -> TrailReader:
    """Read one service's trail on the SYSTEM_ADMIN's behalf (their token forwarded, so it checks them too)."""
    stub = audit_pb2_grpc.AuditTrailServiceStub(channel)  # type: ignore[no-untyped-call]

    async def read(query: AuditQuery, after: Position | None, limit: int) -> Fetched[StoredEntry]:
        request = audit_pb2.ListAuditEntriesRequest(filter=audit_filter(query), page_size=limit)
        if after is not None:
            set_time(request.older_than.at, after[0])
            request.older_than.id = after[1]
        try:
            page = await call_on_behalf(
                stub.ListAuditEntries, request, deadline_seconds=timeout, unavailable=AuditTrailUnavailable(service)
            )
        except grpc.aio.AioRpcError as error:
            if error.code() in CANNOT_SEARCH:
                raise AuditTrailUnavailable(service) from None
            raise
        return Fetched([stored_entry(e) for e in page.audit_entries], more=bool(page.next_page_token))

    return read


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
    channels = {name: peer_channel(getattr(settings, f"{name}_address")) for name in AUDITED}
    readers = {name: trail_reader(name, channel, settings.peer_timeout_seconds) for name, channel in channels.items()}
    audit_trails = AuditTrails(readers, infra.pages, audited_resource_types())
    api = AuthApi(accounts, sign_in, audit_trails)
    parts = assemble(
        infra,
        name=NAME,
        service_names=SERVICE_NAMES,
        migrations=MIGRATIONS,
        register=lambda server: auth_pb2_grpc.add_AuthServiceServicer_to_server(api, server),  # type: ignore[no-untyped-call]
        verifier=verifier,
        status_lookup=store.account_status_lookup(infra.engine),
        subscriptions=subscriptions(),
        closers=[channel.close for channel in channels.values()],
    )
    return ServiceRuntime(infra, parts)
