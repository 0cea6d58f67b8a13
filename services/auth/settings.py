"""Settings of the auth service."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from services.common.config import ServiceSettings


class AuthSettings(ServiceSettings):
    port: int = 8081
    key_ring_file: Path = Field(Path(".pulseone/keys/auth-key-ring.json"), description="signing keys (a secret)")
    create_key_ring: bool = Field(False, description="create the key ring file when missing (development)")
    access_token_minutes: int = Field(15, ge=1, le=60)
    # The services whose audit trails GET /api/audit searches (each serves pulseone.audit.v1.AuditTrailService).
    profile_address: str = Field("127.0.0.1:8082", description="profile service gRPC address, for its audit trail")
    appointments_address: str = Field(
        "127.0.0.1:8084", description="appointments service gRPC address, for its audit trail"
    )
    prescriptions_address: str = Field(
        "127.0.0.1:8085", description="prescriptions service gRPC address, for its audit trail"
    )
    video_address: str = Field("127.0.0.1:8086", description="video service gRPC address, for its audit trail")
    peer_timeout_seconds: float = Field(5.0, gt=0, description="deadline of a call to another service")
