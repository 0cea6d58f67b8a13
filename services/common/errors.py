"""Domain errors: facts about a request with a stable reason and a kind, free of any transport.

Services name their facts (`SessionFull`, `AlreadyBooked`) by subclassing the kind they are; the
mapping of kinds to gRPC status lives in `services.common.status`, which only the interceptor imports.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar


class ErrorKind(enum.Enum):
    """What kind of fact an error is; the transport decides what each kind looks like on the wire."""

    INVALID = "invalid"
    UNAUTHENTICATED = "unauthenticated"
    PERMISSION = "permission"
    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    PRECONDITION = "precondition"
    ABORTED = "aborted"
    EXHAUSTED = "exhausted"
    UNAVAILABLE = "unavailable"
    DEADLINE = "deadline"


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field of a request, named by its JSON (lowerCamelCase) path."""

    field: str
    description: str
    reason: str = "INVALID_FIELD"


class DomainError(Exception):
    """A fact about a request that the caller can act on: a stable `reason` plus metadata.

    Subclasses say which kind of fact it is; they never carry a transport code. The mapping to gRPC
    lives in `services.common.status` and is applied once, by the server interceptor.
    """

    kind: ClassVar[ErrorKind]
    default_reason: ClassVar[str] = "ERROR"
    default_message: ClassVar[str] = ""

    def __init__(
        self,
        message: str | None = None,
        *,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
        violations: list[FieldViolation] | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(message or self.default_message or self.default_reason)
        self.message = message or self.default_message or self.default_reason
        self.reason = reason or self.default_reason
        self.metadata = dict(metadata or {})
        self.violations = list(violations or [])
        self.retry_after_seconds = retry_after_seconds


class InvalidArgument(DomainError):
    """The request is malformed or a field is invalid."""

    kind = ErrorKind.INVALID
    default_reason = "INVALID_ARGUMENT"


class Unauthenticated(DomainError):
    """No credentials, or credentials that do not prove who the caller is."""

    kind = ErrorKind.UNAUTHENTICATED
    default_reason = "UNAUTHENTICATED"


class PermissionDenied(DomainError):
    """The caller is known but may not do this (including resources of others)."""

    kind = ErrorKind.PERMISSION
    default_reason = "PERMISSION_DENIED"


class NotFound(DomainError):
    """The resource does not exist, for a caller entitled to know."""

    kind = ErrorKind.NOT_FOUND
    default_reason = "NOT_FOUND"


class NotYours(PermissionDenied):
    """Someone else's resource, whether or not it exists, so ids cannot be probed (SPEC 1)."""

    default_reason = "NOT_OWNER"
    default_message = "this resource belongs to someone else"


class AlreadyExists(DomainError):
    """The resource, or an equivalent one, exists already."""

    kind = ErrorKind.CONFLICT
    default_reason = "ALREADY_EXISTS"


class FailedPrecondition(DomainError):
    """The current state forbids the operation."""

    kind = ErrorKind.PRECONDITION
    default_reason = "FAILED_PRECONDITION"


class Aborted(DomainError):
    """A concurrent change won a race; the operation may be retried."""

    kind = ErrorKind.ABORTED
    default_reason = "ABORTED"


class ResourceExhausted(DomainError):
    """The caller is throttled."""

    kind = ErrorKind.EXHAUSTED
    default_reason = "RESOURCE_EXHAUSTED"


class Unavailable(DomainError):
    """A dependency is down; retry later."""

    kind = ErrorKind.UNAVAILABLE
    default_reason = "UNAVAILABLE"


class DeadlineExceeded(DomainError):
    """The call ran out of its time. What it had committed by then stands (a booking may have been
    made), so a retry must carry the same requestId."""

    kind = ErrorKind.DEADLINE
    default_reason = "DEADLINE_EXCEEDED"
    default_message = (
        "the call took longer than the service allows and may have completed; retry with the same requestId"
    )


@dataclass
class ValidationErrors:
    """Collects field violations so a request reports all its bad fields at once."""

    violations: list[FieldViolation] = field(default_factory=list)

    def add(self, field_name: str, description: str, reason: str = "INVALID_FIELD") -> None:
        self.violations.append(FieldViolation(field_name, description, reason))

    def raise_if_any(self, message: str = "the request has invalid fields") -> None:
        if self.violations:
            if len(self.violations) == 1:
                only = self.violations[0]
                message = f"{only.field}: {only.description}"
            raise InvalidArgument(message, reason="VALIDATION_FAILED", violations=self.violations)


class InvalidField(InvalidArgument):
    """One field of a request is invalid: VALIDATION_FAILED with that field's violation. Services name
    their own such facts by subclassing it (`WrongPassword`, `NotAClinicAdmin`)."""

    default_reason = "VALIDATION_FAILED"

    def __init__(self, field_name: str, description: str, reason: str = "INVALID_FIELD") -> None:
        super().__init__(f"{field_name}: {description}", violations=[FieldViolation(field_name, description, reason)])


def invalid_field(field_name: str, description: str, reason: str = "INVALID_FIELD") -> InvalidArgument:
    """INVALID_ARGUMENT for a single bad field."""
    return InvalidField(field_name, description, reason)
