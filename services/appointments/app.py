"""Composition root of the appointments service: builds everything from settings; nothing happens at import."""

from __future__ import annotations

import uuid
from pathlib import Path

import grpc
from pulseone.appointments.v1 import appointments_pb2_grpc
from pulseone.profile.v1 import profile_pb2, profile_pb2_grpc, resources_pb2

from services.appointments import api, events
from services.appointments.domain.directory import Doctor
from services.appointments.domain.errors import ProfileUnavailable
from services.appointments.messages import doctor_from
from services.appointments.settings import AppointmentsSettings
from services.appointments.use_cases.appointments import Appointments, sweeper
from services.appointments.use_cases.directory import Directory
from services.appointments.use_cases.notes import Notes
from services.appointments.use_cases.queue import Queues
from services.appointments.use_cases.sessions import AffiliationOwner, DoctorOwner, Sessions
from services.common.audit import AuditReader
from services.common.audit_api import SERVICE_NAME as AUDIT_TRAIL
from services.common.audit_api import serve_audit_trail
from services.common.clock import Clock, utc_now
from services.common.peers import ask_on_behalf, peer_channel
from services.common.projections import patient_owner
from services.common.runtime import Infrastructure, ServiceRuntime, assemble
from services.common.tokens import AuthClient

NAME = "appointments"
SERVICE_NAMES = [
    "pulseone.appointments.v1.SessionService",
    "pulseone.appointments.v1.AppointmentService",
    "pulseone.appointments.v1.QueueService",
    "pulseone.appointments.v1.NotesService",
    AUDIT_TRAIL,
]
MIGRATIONS = Path(__file__).parent / "migrations"


def affiliation_owner(channel: grpc.aio.Channel) -> AffiliationOwner:
    """Re-read an affiliation from the profile service, on the caller's behalf (their token forwarded)."""
    stub = profile_pb2_grpc.ClinicServiceStub(channel)  # type: ignore[no-untyped-call]

    async def ask(clinic_id: uuid.UUID, doctor_id: uuid.UUID) -> str | None:
        request = profile_pb2.GetAffiliationRequest(clinic_id=str(clinic_id), doctor_id=str(doctor_id))
        found = await ask_on_behalf(
            stub.GetAffiliation, request, deadline_seconds=2.0, unavailable=ProfileUnavailable()
        )
        return str(resources_pb2.ClinicDoctor.Status.Name(found.status)) if found is not None else None

    return ask


def doctor_owner(channel: grpc.aio.Channel) -> DoctorOwner:
    """Re-read a doctor from the profile service, on the caller's behalf (their token forwarded: a
    patient does not see a doctor who is not verified yet, here either)."""
    stub = profile_pb2_grpc.DoctorServiceStub(channel)  # type: ignore[no-untyped-call]

    async def ask(doctor_id: uuid.UUID) -> Doctor | None:
        request = profile_pb2.GetDoctorRequest(doctor_id=str(doctor_id))
        found = await ask_on_behalf(stub.GetDoctor, request, deadline_seconds=2.0, unavailable=ProfileUnavailable())
        return doctor_from(found, version=0) if found is not None else None

    return ask


def build(settings: AppointmentsSettings, *, clock: Clock = utc_now) -> ServiceRuntime:
    infra = Infrastructure.create(settings, NAME)
    auth = AuthClient.connect(settings.auth_address, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    profile_channel = peer_channel(settings.profile_address)
    sessions = Sessions(
        infra.sessions,
        infra.engine,
        pages=infra.pages,
        clock=clock,
        affiliation_owner=affiliation_owner(profile_channel),
        doctor_owner=doctor_owner(profile_channel),
    )
    patients = patient_owner(profile_channel, deadline_seconds=2.0, unavailable=ProfileUnavailable)
    appointments = Appointments(infra.sessions, infra.engine, pages=infra.pages, clock=clock, patient_owner=patients)
    queues = Queues(infra.sessions, clock)
    notes = Notes(infra.sessions, clock, pages=infra.pages)
    directory = Directory(clock)

    def register(server: grpc.aio.Server) -> None:
        appointments_pb2_grpc.add_SessionServiceServicer_to_server(api.SessionApi(sessions), server)  # type: ignore[no-untyped-call]
        appointments_pb2_grpc.add_AppointmentServiceServicer_to_server(api.AppointmentApi(appointments), server)  # type: ignore[no-untyped-call]
        appointments_pb2_grpc.add_QueueServiceServicer_to_server(api.QueueApi(queues), server)  # type: ignore[no-untyped-call]
        appointments_pb2_grpc.add_NotesServiceServicer_to_server(api.NotesApi(notes), server)  # type: ignore[no-untyped-call]
        serve_audit_trail(server, NAME, AuditReader(infra.engine, infra.pages))

    parts = assemble(
        infra,
        name=NAME,
        service_names=SERVICE_NAMES,
        migrations=MIGRATIONS,
        register=register,
        verifier=auth.verifier,
        status_recheck=auth.recheck,
        subscriptions=events.subscriptions(appointments, directory),
        closers=[auth.channel.close, profile_channel.close],
        workers=[sweeper(infra.sessions, clock)],
    )
    return ServiceRuntime(infra, parts)
