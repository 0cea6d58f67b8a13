"""Settings of the video service."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr

from services.common.config import ServiceSettings


class VideoSettings(ServiceSettings):
    port: int = 8086
    appointments_address: str = Field("127.0.0.1:8084", description="appointments service gRPC address")
    profile_address: str = Field("127.0.0.1:8082", description="profile service gRPC address, for lagging accounts")
    peer_timeout_seconds: float = Field(5.0, gt=0, description="deadline of a call to another service")
    recordings_dir: Path = Field(Path(".pulseone/recordings"), description="where recordings are written")
    heartbeat_seconds: float = Field(10.0, gt=0, le=15, description="events-stream heartbeat (SPEC: at most 15 s)")
    stun_urls: list[str] = Field(
        default_factory=list, description='STUN URLs for participants, e.g. ["stun:stun.example.org:3478"]'
    )
    turn_urls: list[str] = Field(default_factory=list, description="TURN URLs for participants behind NAT")
    turn_secret: SecretStr | None = Field(
        None, description="the TURN server's shared secret (coturn use-auth-secret): short-lived credentials"
    )
    turn_ttl_seconds: int = Field(3600, ge=60, le=86400, description="how long a TURN credential is good for")
