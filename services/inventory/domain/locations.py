"""Locations: every clinic and pharmacy, with its owner; who may manage and read its stock (SPEC 2, 3.5)."""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass

from services.common.context import Principal, Role


class LocationKind(enum.StrEnum):
    CLINIC = "CLINIC"
    PHARMACY = "PHARMACY"


KIND_OF_OWNER = {Role.CLINIC_ADMIN: LocationKind.CLINIC, Role.PHARMACY: LocationKind.PHARMACY}
"""The kind of location each owning role holds."""


@dataclass(frozen=True)
class Location:
    """A clinic or pharmacy as the profile service describes it."""

    id: uuid.UUID
    kind: LocationKind
    owner_id: uuid.UUID
    name: str
    time_zone: str
    currency: str


def owns(principal: Principal, location: Location) -> bool:
    """Its CLINIC_ADMIN or PHARMACY owner manages a location's stock and reads it."""
    return KIND_OF_OWNER.get(principal.role) is location.kind and location.owner_id == principal.user_id


def reads_every_location(principal: Principal) -> bool:
    """A SYSTEM_ADMIN reads every location's stock, for operations; manages none."""
    return principal.role is Role.SYSTEM_ADMIN
