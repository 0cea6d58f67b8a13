"""Composition root of the video service: builds everything from settings; nothing happens at import."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import aiortc
import grpc
from pulseone.appointments.v1 import appointments_pb2, appointments_pb2_grpc
from pulseone.video.v1 import video_pb2_grpc

from services.common.audit import AuditReader
from services.common.audit_api import SERVICE_NAME as AUDIT_TRAIL
from services.common.audit_api import serve_audit_trail
from services.common.clock import Clock, utc_now
from services.common.peers import ask_on_behalf, peer_channel
from services.common.projections import patient_owner
from services.common.runtime import Infrastructure, ServiceRuntime, assemble
from services.common.tokens import AuthClient
from services.video import api, events
from services.video.domain.errors import AppointmentsUnavailable, ProfileUnavailable
from services.video.domain.ice import IceConfig, ice_servers
from services.video.domain.sessions import AppointmentFacts
from services.video.live import LiveChannel, RecorderControl
from services.video.settings import VideoSettings
from services.video.use_cases.recording import Recordings
from services.video.use_cases.sessions import AppointmentSource, Sessions
from services.video.use_cases.signalling import Signalling

NAME = "video"
SERVICE_NAMES = ["pulseone.video.v1.VideoService", AUDIT_TRAIL]
MIGRATIONS = Path(__file__).parent / "migrations"


def ice_config(settings: VideoSettings) -> IceConfig:
    return IceConfig(
        stun_urls=tuple(settings.stun_urls),
        turn_urls=tuple(settings.turn_urls),
        turn_secret=settings.turn_secret.get_secret_value() if settings.turn_secret else "",
        turn_ttl=timedelta(seconds=settings.turn_ttl_seconds),
    )


def recorder_ice_servers(config: IceConfig, clock: Clock) -> Callable[[], list[aiortc.RTCIceServer] | None]:
    """The servers of each new recorder: the participants' (its TURN user is `recorder`), with TURN
    credentials made when the recording starts, since they are short-lived."""

    def servers() -> list[aiortc.RTCIceServer] | None:
        found = ice_servers(config, "recorder", clock())
        return [aiortc.RTCIceServer(list(s.urls), s.username or None, s.credential or None) for s in found] or None

    return servers


def appointment_source(channel: grpc.aio.Channel, timeout: float) -> AppointmentSource:
    """Read an appointment from the appointments service on the caller's behalf (their token
    forwarded, so it answers only about the caller's own appointments)."""
    stub = appointments_pb2_grpc.AppointmentServiceStub(channel)  # type: ignore[no-untyped-call]
    ended = {"COMPLETED", "CANCELLED", "NO_SHOW"}

    async def ask(appointment_id: uuid.UUID) -> AppointmentFacts | None:
        request = appointments_pb2.GetAppointmentRequest(appointment_id=str(appointment_id))
        found = await ask_on_behalf(
            stub.GetAppointment, request, deadline_seconds=timeout, unavailable=AppointmentsUnavailable()
        )
        if found is None:
            return None
        return AppointmentFacts(
            id=appointment_id,
            doctor_id=uuid.UUID(found.doctor_id),
            patient_id=uuid.UUID(found.patient_id),
            virtual=found.appointment_type == found.VIRTUAL,
            open=found.Status.Name(found.status) not in ended,
        )

    return ask


def build(settings: VideoSettings, *, clock: Clock = utc_now) -> ServiceRuntime:
    infra = Infrastructure.create(settings, NAME)
    auth = AuthClient.connect(settings.auth_address, issuer=settings.jwt_issuer, audience=settings.jwt_audience)
    live = LiveChannel(infra.link)
    ice = ice_config(settings)
    appointments_channel = peer_channel(settings.appointments_address)
    appointments = appointment_source(appointments_channel, settings.peer_timeout_seconds)
    profile_channel = peer_channel(settings.profile_address)
    sessions = Sessions(
        infra.sessions,
        live,
        appointments,
        pages=infra.pages,
        ice=ice,
        clock=clock,
        patient_owner=patient_owner(
            profile_channel, deadline_seconds=settings.peer_timeout_seconds, unavailable=ProfileUnavailable
        ),
    )
    signalling = Signalling(infra.sessions, live, heartbeat=timedelta(seconds=settings.heartbeat_seconds), clock=clock)
    recordings = Recordings(
        infra.sessions,
        live,
        RecorderControl(infra.link),
        settings.recordings_dir,
        ice_servers=recorder_ice_servers(ice, clock),
        clock=clock,
    )
    sessions.after_presence = recordings.after_presence
    sessions.after_consent = recordings.after_consent

    def register(server: grpc.aio.Server) -> None:
        servicer = api.VideoApi(sessions, signalling, recordings)
        video_pb2_grpc.add_VideoServiceServicer_to_server(servicer, server)  # type: ignore[no-untyped-call]
        serve_audit_trail(server, NAME, AuditReader(infra.engine, infra.pages))

    parts = assemble(
        infra,
        name=NAME,
        service_names=SERVICE_NAMES,
        migrations=MIGRATIONS,
        register=register,
        verifier=auth.verifier,
        status_recheck=auth.recheck,
        subscriptions=events.subscriptions(clock),
        closers=[recordings.close, auth.channel.close, appointments_channel.close, profile_channel.close],
    )
    return ServiceRuntime(infra, parts)
