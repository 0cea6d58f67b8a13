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
