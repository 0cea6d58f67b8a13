"""Composition root of the profile service: builds everything from settings; nothing happens at import."""

from __future__ import annotations

from pathlib import Path

import grpc
from pulseone.profile.v1 import profile_pb2_grpc

from services.common.audit import AuditReader
from services.common.audit_api import SERVICE_NAME as AUDIT_TRAIL
from services.common.audit_api import serve_audit_trail
from services.common.clock import Clock, utc_now
from services.common.runtime import Infrastructure, ServiceRuntime, assemble
from services.common.tokens import AuthClient
from services.profile import api, events
from services.profile.settings import ProfileSettings
from services.profile.use_cases.affiliations import Affiliations
from services.profile.use_cases.clinics import Clinics
from services.profile.use_cases.consents import Consents
from services.profile.use_cases.doctors import Doctors
from services.profile.use_cases.patients import Patients
from services.profile.use_cases.pharmacies import Pharmacies
from services.profile.use_cases.profiles import Profiles
from services.profile.use_cases.ratings import Ratings

NAME = "profile"
SERVICE_NAMES = [
    f"pulseone.profile.v1.{name}"
    for name in ("ProfileService", "PatientService", "DoctorService", "ClinicService", "PharmacyService")
] + [AUDIT_TRAIL]
MIGRATIONS = Path(__file__).parent / "migrations"


def build(settings: ProfileSettings, *, clock: Clock = utc_now) -> ServiceRuntime:
    infra = Infrastructure.create(settings, NAME)
    auth = AuthClient.connect(settings.auth_address, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    sessions, pages = infra.sessions, infra.pages
    profiles = api.ProfileApi(Profiles(sessions))
    patients = api.PatientApi(Patients(sessions, clock), Consents(sessions))
    doctors = api.DoctorApi(Doctors(sessions, pages), Ratings(sessions, pages))
    clinics = api.ClinicApi(Clinics(sessions, pages), Affiliations(sessions, clock))
    pharmacies = api.PharmacyApi(Pharmacies(sessions, pages))

    def register(server: grpc.aio.Server) -> None:
        profile_pb2_grpc.add_ProfileServiceServicer_to_server(profiles, server)  # type: ignore[no-untyped-call]
        profile_pb2_grpc.add_PatientServiceServicer_to_server(patients, server)  # type: ignore[no-untyped-call]
        profile_pb2_grpc.add_DoctorServiceServicer_to_server(doctors, server)  # type: ignore[no-untyped-call]
        profile_pb2_grpc.add_ClinicServiceServicer_to_server(clinics, server)  # type: ignore[no-untyped-call]
        profile_pb2_grpc.add_PharmacyServiceServicer_to_server(pharmacies, server)  # type: ignore[no-untyped-call]
        serve_audit_trail(server, NAME, AuditReader(infra.engine, pages))

    parts = assemble(
        infra,
        name=NAME,
        service_names=SERVICE_NAMES,
        migrations=MIGRATIONS,
        register=register,
        verifier=auth.verifier,
        status_recheck=auth.recheck,
        subscriptions=events.subscriptions(),
        closers=[auth.channel.close],
    )
    return ServiceRuntime(infra, parts)
