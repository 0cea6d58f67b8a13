"""Domain errors and their single mapping to gRPC status with ErrorInfo and BadRequest details (SPEC 1)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2


@dataclass(frozen=True)
class FieldViolation:
    """One invalid field of a request, named by its JSON (lowerCamelCase) path."""

    field: str
    description: str
    reason: str = "INVALID_FIELD"


class DomainError(Exception):
    """A fact about a request that the caller can act on: a stable `reason` plus metadata.

    Subclasses say which kind of fact it is; they never carry a transport code. The mapping to gRPC
    lives in `STATUS_BY_KIND` below and is applied once, by the server interceptor.
    """

    default_reason = "ERROR"

    def __init__(
        self,
        message: str,
        *,
        reason: str | None = None,
        metadata: Mapping[str, str] | None = None,
        violations: list[FieldViolation] | None = None,
        retry_after_seconds: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or self.default_reason
        self.metadata = dict(metadata or {})
        self.violations = list(violations or [])
        self.retry_after_seconds = retry_after_seconds


class InvalidArgument(DomainError):
    """The request is malformed or a field is invalid."""

    default_reason = "INVALID_ARGUMENT"


class Unauthenticated(DomainError):
    """No credentials, or credentials that do not prove who the caller is."""

    default_reason = "UNAUTHENTICATED"


class PermissionDenied(DomainError):
    """The caller is known but may not do this (including resources of others)."""

    default_reason = "PERMISSION_DENIED"


class NotFound(DomainError):
    """The resource does not exist, for a caller entitled to know."""

    default_reason = "NOT_FOUND"


class AlreadyExists(DomainError):
    """The resource, or an equivalent one, exists already."""

    default_reason = "ALREADY_EXISTS"


class FailedPrecondition(DomainError):
    """The current state forbids the operation."""

    default_reason = "FAILED_PRECONDITION"


class Aborted(DomainError):
    """A concurrent change won a race; the operation may be retried."""

    default_reason = "ABORTED"


class ResourceExhausted(DomainError):
    """The caller is throttled."""

    default_reason = "RESOURCE_EXHAUSTED"


class Unavailable(DomainError):
    """A dependency is down; retry later."""

    default_reason = "UNAVAILABLE"


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


def invalid_field(field_name: str, description: str, reason: str = "INVALID_FIELD") -> InvalidArgument:
    """INVALID_ARGUMENT for a single bad field."""
    errors = ValidationErrors([FieldViolation(field_name, description, reason)])
    return InvalidArgument(f"{field_name}: {description}", reason="VALIDATION_FAILED", violations=errors.violations)


STATUS_BY_KIND: dict[type[DomainError], grpc.StatusCode] = {
    InvalidArgument: grpc.StatusCode.INVALID_ARGUMENT,
    Unauthenticated: grpc.StatusCode.UNAUTHENTICATED,
    PermissionDenied: grpc.StatusCode.PERMISSION_DENIED,
    NotFound: grpc.StatusCode.NOT_FOUND,
    AlreadyExists: grpc.StatusCode.ALREADY_EXISTS,
    FailedPrecondition: grpc.StatusCode.FAILED_PRECONDITION,
    Aborted: grpc.StatusCode.ABORTED,
    ResourceExhausted: grpc.StatusCode.RESOURCE_EXHAUSTED,
    Unavailable: grpc.StatusCode.UNAVAILABLE,
}

GRPC_DETAILS_KEY = "grpc-status-details-bin"


def grpc_code_of(error: DomainError) -> grpc.StatusCode:
    for kind in type(error).__mro__:
        if kind in STATUS_BY_KIND:
            return STATUS_BY_KIND[kind]  # type: ignore[index]
    return grpc.StatusCode.INTERNAL


def _pack(message: object) -> any_pb2.Any:
    packed = any_pb2.Any()
    packed.Pack(message)  # type: ignore[arg-type]
    return packed


def rich_status(
    code: grpc.StatusCode,
    message: str,
    reason: str,
    domain: str,
    *,
    metadata: Mapping[str, str] | None = None,
    violations: list[FieldViolation] | None = None,
    retry_after_seconds: int | None = None,
) -> status_pb2.Status:
    """A google.rpc.Status with an ErrorInfo, and BadRequest / RetryInfo when they apply."""
    status = status_pb2.Status(code=code.value[0], message=message)
    info = error_details_pb2.ErrorInfo(reason=reason, domain=domain, metadata=dict(metadata or {}))
    if retry_after_seconds is not None:
        info.metadata["retryAfterSeconds"] = str(retry_after_seconds)
    status.details.append(_pack(info))
    if violations:
        bad_request = error_details_pb2.BadRequest(
            field_violations=[
                error_details_pb2.BadRequest.FieldViolation(field=v.field, description=v.description, reason=v.reason)
                for v in violations
            ]
        )
        status.details.append(_pack(bad_request))
    if retry_after_seconds is not None:
        status.details.append(
            _pack(error_details_pb2.RetryInfo(retry_delay=duration_pb2.Duration(seconds=retry_after_seconds)))
        )
    return status


def status_of(error: DomainError, domain: str) -> status_pb2.Status:
    return rich_status(
        grpc_code_of(error),
        error.message,
        error.reason,
        domain,
        metadata=error.metadata,
        violations=error.violations,
        retry_after_seconds=error.retry_after_seconds,
    )


def describe(error: Exception, domain: str, request_id: str) -> tuple[grpc.StatusCode, status_pb2.Status]:
    """The gRPC code and rich status a client receives for `error`.

    An unexpected error tells the client nothing but the request id to quote; the details go to the log.
    """
    if isinstance(error, DomainError):
        return grpc_code_of(error), status_of(error, domain)
    message = f"internal error (request id {request_id})"
    return grpc.StatusCode.INTERNAL, rich_status(
        grpc.StatusCode.INTERNAL, message, "INTERNAL", domain, metadata={"requestId": request_id}
    )
