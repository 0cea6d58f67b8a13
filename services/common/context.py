"""Per-request context: the verified caller and the request id, set by the interceptor only."""

from __future__ import annotations

import contextvars
import enum
import uuid
from dataclasses import dataclass

from services.common.errors import Unauthenticated


class Role(enum.StrEnum):
    """Account roles, spelled as in the tokens and the protos."""

    PATIENT = "PATIENT"
    DOCTOR = "DOCTOR"
    CLINIC_ADMIN = "CLINIC_ADMIN"
    PHARMACY = "PHARMACY"
    SYSTEM_ADMIN = "SYSTEM_ADMIN"


class AccountStatus(enum.StrEnum):
    """Account states (SPEC 2)."""

    ACTIVE = "ACTIVE"
    PENDING_APPROVAL = "PENDING_APPROVAL"
    SUSPENDED = "SUSPENDED"


@dataclass(frozen=True)
class Principal:
    """The caller, as proven by a verified access token and the service's copy of its account status."""

    user_id: uuid.UUID
    role: Role
    status: AccountStatus
    token_id: str

    def is_(self, *roles: Role) -> bool:
        return self.role in roles


request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")
principal_var: contextvars.ContextVar[Principal | None] = contextvars.ContextVar("principal", default=None)
client_address_var: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="")
# The caller's verified access token, forwarded when a service calls another on the caller's behalf.
token_var: contextvars.ContextVar[str] = contextvars.ContextVar("token", default="")


def on_behalf_of_caller() -> tuple[tuple[str, str], ...]:
    """gRPC metadata that carries the current caller's token to another service."""
    token = token_var.get()
    return (("authorization", f"Bearer {token}"),) if token else ()


def current_principal() -> Principal:
    """The verified caller; only methods that are not public have one."""
    principal = principal_var.get()
    if principal is None:
        raise Unauthenticated("sign in first", reason="TOKEN_MISSING")
    return principal
