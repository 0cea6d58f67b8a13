"""The one mapping of domain errors to gRPC status with ErrorInfo, BadRequest and RetryInfo (SPEC 1).

Only the server interceptor imports this module; everything else raises `DomainError`s.
"""

from __future__ import annotations

from collections.abc import Mapping

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.rpc import error_details_pb2, status_pb2

from services.common.errors import DomainError, ErrorKind, FieldViolation

STATUS_BY_KIND: dict[ErrorKind, grpc.StatusCode] = {
    ErrorKind.INVALID: grpc.StatusCode.INVALID_ARGUMENT,
    ErrorKind.UNAUTHENTICATED: grpc.StatusCode.UNAUTHENTICATED,
    ErrorKind.PERMISSION: grpc.StatusCode.PERMISSION_DENIED,
    ErrorKind.NOT_FOUND: grpc.StatusCode.NOT_FOUND,
    ErrorKind.CONFLICT: grpc.StatusCode.ALREADY_EXISTS,
    ErrorKind.PRECONDITION: grpc.StatusCode.FAILED_PRECONDITION,
    ErrorKind.ABORTED: grpc.StatusCode.ABORTED,
    ErrorKind.EXHAUSTED: grpc.StatusCode.RESOURCE_EXHAUSTED,
    ErrorKind.UNAVAILABLE: grpc.StatusCode.UNAVAILABLE,
    ErrorKind.DEADLINE: grpc.StatusCode.DEADLINE_EXCEEDED,
}

GRPC_DETAILS_KEY = "grpc-status-details-bin"


def grpc_code_of(error: DomainError) -> grpc.StatusCode:
    kind = getattr(error, "kind", None)
    return STATUS_BY_KIND[kind] if isinstance(kind, ErrorKind) else grpc.StatusCode.INTERNAL


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
