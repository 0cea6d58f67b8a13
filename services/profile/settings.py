"""Settings of the profile service."""

from __future__ import annotations

from services.common.config import ServiceSettings


class ProfileSettings(ServiceSettings):
    port: int = 8082
