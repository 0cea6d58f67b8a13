"""Settings of the inventory service."""

from __future__ import annotations

from pydantic import Field

from services.common.config import ServiceSettings


class InventorySettings(ServiceSettings):
    port: int = 8083
    profile_address: str = Field("127.0.0.1:8082", description="profile service gRPC address, for lagging locations")
