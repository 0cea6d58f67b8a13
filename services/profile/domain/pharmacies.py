"""Pharmacies: their values and the checks of a create or an edit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from services.profile.domain.field_checks import OperatingHours, ProfileChecks


@dataclass(frozen=True)
class Pharmacy:
    id: uuid.UUID
    owner_id: uuid.UUID
    name: str
    license_number: str
    address: str
    phone: str
    operating_hours: tuple[OperatingHours, ...]
    time_zone: str | None
    currency: str | None
    verified: bool
    """The owner's account is ACTIVE (approved), as the auth service's events last said."""
    create_time: datetime
    update_time: datetime
    version: int


@dataclass(frozen=True)
class PharmacyChanges:
    """The fields a request sets; `requested` names them (SPEC 1's update rule), the others keep their value."""

    requested: frozenset[str] = frozenset()
    name: str = ""
    license_number: str = ""
    address: str = ""
    phone: str = ""
    operating_hours: tuple[OperatingHours, ...] = ()
    time_zone: str = ""
    currency: str = ""


def check_pharmacy_changes(changes: PharmacyChanges, *, creating: bool) -> None:
    """A new pharmacy needs a name and a license number; an edit may not clear them."""
    checks = ProfileChecks()
    if creating or "name" in changes.requested:
        checks.required_text("name", changes.name)
    if creating or "license_number" in changes.requested:
        checks.required_text("licenseNumber", changes.license_number, 100)
    checks.time_zone("timeZone", changes.time_zone)
    checks.currency("currency", changes.currency)
    checks.phone("phone", changes.phone)
    checks.text("address", changes.address, 500)
    checks.operating_hours("operatingHours", changes.operating_hours)
    checks.done()
