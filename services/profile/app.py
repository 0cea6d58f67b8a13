"""Composition root of the profile service: builds everything from settings; nothing happens at import."""

from __future__ import annotations

from pathlib import Path

import grpc
from pulseone.profile.v1 import profile_pb2_grpc

from services.common.outbox import OutboxRelay
from services.common.projections import status_lookup
from services.common.runtime import Infrastructure, ServiceParts, ServiceRuntime, consumer_for, interceptor_for
from services.common.tokens import AuthClient
from services.profile import api, events, store
from services.profile.service import Clock, ProfileService, utc_now
from services.profile.settings import ProfileSettings

NAME = "profile"
SERVICE_NAMES = [
    f"pulseone.profile.v1.{name}"
    for name in ("ProfileService", "PatientService", "DoctorService", "ClinicService", "PharmacyService")
]
MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: ProfileSettings, *, clock: Clock = utc_now) -> ServiceRuntime:
    infra = Infrastructure.create(settings, NAME)
    auth = AuthClient.connect(settings.auth_address, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    service = ProfileService(infra.sessions, pages=infra.pages, clock=clock)

    def register(server: grpc.aio.Server) -> None:
        profile_pb2_grpc.add_ProfileServiceServicer_to_server(api.ProfileApi(service), server)  # type: ignore[no-untyped-call]
        profile_pb2_grpc.add_PatientServiceServicer_to_server(api.PatientApi(service), server)  # type: ignore[no-untyped-call]
        profile_pb2_grpc.add_DoctorServiceServicer_to_server(api.DoctorApi(service), server)  # type: ignore[no-untyped-call]
        profile_pb2_grpc.add_ClinicServiceServicer_to_server(api.ClinicApi(service), server)  # type: ignore[no-untyped-call]
        profile_pb2_grpc.add_PharmacyServiceServicer_to_server(api.PharmacyApi(service), server)  # type: ignore[no-untyped-call]

    interceptor = interceptor_for(
        infra,
        NAME,
        SERVICE_NAMES,
        auth.verifier,
        status_lookup=status_lookup(infra.engine, store.accounts.c.user_id, store.accounts.c.status),
        status_recheck=auth.recheck,
    )
    return ServiceRuntime(
        infra,
        ServiceParts(
            name=NAME,
            service_names=SERVICE_NAMES,
            migrations=MIGRATIONS,
            register=register,
            interceptor=interceptor,
            relay=OutboxRelay(infra.engine, infra.link),
            consumer=consumer_for(infra, NAME, events.subscriptions()),
            closers=[auth.channel.close],
        ),
    )
