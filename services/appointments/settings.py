"""Settings of the appointments service."""

from __future__ import annotations

from services.common.config import ServiceSettings


class AppointmentsSettings(ServiceSettings):
    port: int = 8084
