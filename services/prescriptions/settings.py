"""Settings of the prescriptions service."""

from __future__ import annotations

from pydantic import Field

from services.common.config import ServiceSettings


class PrescriptionsSettings(ServiceSettings):
    port: int = 8085
    appointments_address: str = Field(
        "127.0.0.1:8084", description="appointments service gRPC address, for appointments the events have not told yet"
    )
    inventory_address: str = Field("127.0.0.1:8083", description="inventory service gRPC address, for dispensing")
    peer_timeout_seconds: float = Field(5.0, gt=0, description="deadline of a call to another service")
