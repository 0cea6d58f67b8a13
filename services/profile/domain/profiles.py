"""The common profile every account has: its values, who may manage it, and its field checks."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from services.common.context import Principal, Role
from services.common.fields import Checks


@dataclass(frozen=True)
class Profile:
    id: uuid.UUID
    email: str
    role: Role
    first_name: str
    last_name: str
    phone_number: str
    verified: bool
    """The account is ACTIVE, as the auth service's events last said."""
    create_time: datetime
    update_time: datetime
    version: int


@dataclass(frozen=True)
class NewProfile:
    """A profile as registration or its owner creates it."""

    id: uuid.UUID
    email: str
    role: Role
    first_name: str
    last_name: str
    phone_number: str


@dataclass(frozen=True)
class ProfileChanges:
    """The fields a request sets; `requested` names them (SPEC 1's update rule), the others keep their value."""

    requested: frozenset[str] = frozenset()
    first_name: str = ""
    last_name: str = ""
    phone_number: str = ""

    @property
    def renames(self) -> bool:
        """Names are mirrored by other services with the doctor's entry."""
        return bool({"first_name", "last_name"} & self.requested)


def may_manage_profile(viewer: Principal, user_id: uuid.UUID) -> bool:
    """The owner, or a SYSTEM_ADMIN (SPEC 3.2)."""
    return viewer.user_id == user_id or viewer.role is Role.SYSTEM_ADMIN


def check_profile_changes(changes: ProfileChanges) -> None:
    checks = Checks()
    if "first_name" in changes.requested:
        checks.required_text("firstName", changes.first_name, 100)
    if "last_name" in changes.requested:
        checks.required_text("lastName", changes.last_name, 100)
    checks.phone("phoneNumber", changes.phone_number)
    checks.done()


def new_profile(viewer: Principal, email: str, changes: ProfileChanges) -> NewProfile:
    """The caller's own profile from a create request, checked and trimmed."""
    checks = Checks()
    checks.required_text("firstName", changes.first_name, 100)
    checks.required_text("lastName", changes.last_name, 100)
    checks.phone("phoneNumber", changes.phone_number)
    checks.email("email", email)
    checks.done()
    return NewProfile(
        id=viewer.user_id,
        email=email.strip().lower(),
        role=viewer.role,
        first_name=changes.first_name.strip(),
        last_name=changes.last_name.strip(),
        phone_number=changes.phone_number.strip(),
    )
