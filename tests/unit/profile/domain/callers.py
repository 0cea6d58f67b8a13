"""Callers for the profile domain's rules: a verified principal of a role."""

from __future__ import annotations

import uuid

from services.common.context import AccountStatus, Principal, Role


def principal(role: Role, user_id: uuid.UUID | None = None) -> Principal:
    return Principal(user_id or uuid.uuid4(), role, AccountStatus.ACTIVE, "jti")
