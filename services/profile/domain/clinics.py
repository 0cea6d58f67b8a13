"""Clinics: their values, who manages one, and the checks of a create or an edit."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from services.common.context import Principal, Role
from services.common.errors import invalid_field
from services.common.fields import parse_uuid
from services.profile.domain.field_checks import OperatingHours, ProfileChecks

DEFAULT_CURRENCY = "USD"
"""A clinic's currency until its admin sets one (registration does not ask for it)."""


@dataclass(frozen=True)
class Clinic:
    id: uuid.UUID
    admin_id: uuid.UUID
    name: str
    address: str
    phone: str
    email: str
    time_zone: str
    currency: str
    operating_hours: tuple[OperatingHours, ...]
    departments: tuple[str, ...]
    active: bool
    create_time: datetime
    update_time: datetime
    version: int


@dataclass(frozen=True)
class ClinicChanges:
    """The fields a request sets; `requested` names them (SPEC 1's update rule), the others keep their value."""

    requested: frozenset[str] = frozenset()
    name: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    time_zone: str = ""
    currency: str = ""
    operating_hours: tuple[OperatingHours, ...] = ()
    departments: tuple[str, ...] = ()
    active: bool = True


def check_clinic_changes(changes: ClinicChanges, *, creating: bool) -> None:
    """A new clinic needs a name and a time zone; an edit may not clear them, nor the currency."""
    checks = ProfileChecks()
    if creating or "name" in changes.requested:
        checks.required_text("name", changes.name)
    checks.time_zone("timeZone", changes.time_zone, required=creating or "time_zone" in changes.requested)
    checks.currency("currency", changes.currency)
    if "currency" in changes.requested and not changes.currency:
        checks.errors.add("currency", "is required")
    checks.phone("phone", changes.phone)
    checks.email("email", changes.email)
    checks.text("address", changes.address, 500)
    checks.operating_hours("operatingHours", changes.operating_hours)
    checks.done()


def with_default_currency(changes: ClinicChanges) -> ClinicChanges:
    """A new clinic's fields: the default currency unless the request names one."""
    if "currency" in changes.requested:
        return changes
    return replace(changes, requested=changes.requested | {"currency"}, currency=DEFAULT_CURRENCY)


def clinic_owner(viewer: Principal, admin_id: str) -> uuid.UUID:
    """Whose clinic a create makes: the caller's own, or, for a SYSTEM_ADMIN, the admin it names."""
    if viewer.role is not Role.SYSTEM_ADMIN:
        return viewer.user_id
    if not admin_id:
        raise invalid_field("adminId", "is required when a SYSTEM_ADMIN creates a clinic")
    return parse_uuid(admin_id, "adminId")


def manages(viewer: Principal, clinic: Clinic | None) -> bool:
    """Only its own clinic admin manages a clinic; an unknown clinic is nobody's."""
    return clinic is not None and clinic.admin_id == viewer.user_id
