"""Calling another service on the caller's behalf: what its refusals mean here.

A refusal of the other service (its ErrorInfo reason, metadata and field violations) is passed on to
our caller as the same fact, so a pharmacy that dispenses more than it holds hears INSUFFICIENT_STOCK
whichever service it called. A service that cannot answer is UNREACHABLE: the caller raises its own
"unavailable" fact, never a refusal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import grpc
from google.rpc import error_details_pb2, status_pb2

from services.common.context import on_behalf_of_caller
from services.common.errors import (
    Aborted,
    AlreadyExists,
    DomainError,
    FailedPrecondition,
    FieldViolation,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unauthenticated,
    Unavailable,
)
from services.common.status import GRPC_DETAILS_KEY
from services.common.tracing import client_interceptors

UNREACHABLE = frozenset({grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED, grpc.StatusCode.UNIMPLEMENTED})
"""Codes that say the other service did not answer (retry later), not that it refused: UNIMPLEMENTED
is a replica of the release before, mid rolling upgrade, that does not serve the method yet."""

ABSENT = frozenset({grpc.StatusCode.NOT_FOUND, grpc.StatusCode.PERMISSION_DENIED, grpc.StatusCode.INVALID_ARGUMENT})
"""Codes that say the other service has no such thing for the caller (none, not theirs, no such id)."""

KINDS: dict[grpc.StatusCode, type[DomainError]] = {
    grpc.StatusCode.INVALID_ARGUMENT: InvalidArgument,
    grpc.StatusCode.UNAUTHENTICATED: Unauthenticated,
    grpc.StatusCode.PERMISSION_DENIED: PermissionDenied,
    grpc.StatusCode.NOT_FOUND: NotFound,
    grpc.StatusCode.ALREADY_EXISTS: AlreadyExists,
    grpc.StatusCode.FAILED_PRECONDITION: FailedPrecondition,
    grpc.StatusCode.ABORTED: Aborted,
    grpc.StatusCode.RESOURCE_EXHAUSTED: ResourceExhausted,
    grpc.StatusCode.UNAVAILABLE: Unavailable,
}


def _details(error: grpc.aio.AioRpcError) -> status_pb2.Status | None:
    for key, value in error.trailing_metadata() or ():
        if key == GRPC_DETAILS_KEY and isinstance(value, bytes):
            try:
                return status_pb2.Status.FromString(value)
            except Exception:  # noqa: BLE001 - a malformed detail is as good as none
                return None
    return None


def refusal_of(error: grpc.aio.AioRpcError) -> DomainError | None:
    """The other service's refusal as a domain error of the same kind and reason; None for anything
    that is no refusal (internal errors, unknown codes): the caller lets those fail as unexpected."""
    kind = KINDS.get(error.code())
    if kind is None:
        return None
    reason, metadata, violations = kind.default_reason, {}, []
    status = _details(error)
    for detail in status.details if status is not None else ():
        info = error_details_pb2.ErrorInfo()
        bad_request = error_details_pb2.BadRequest()
        if detail.Unpack(info):
            reason, metadata = info.reason, dict(info.metadata)
        elif detail.Unpack(bad_request):
            violations = [FieldViolation(v.field, v.description, v.reason) for v in bad_request.field_violations]
    return kind(error.details() or reason, reason=reason, metadata=metadata, violations=violations)


Unary = Callable[..., Awaitable[Any]]
"""A unary method of a generated stub."""

CHANNEL_OPTIONS = (
    # Spread calls over every address the name resolves to (each replica behind a headless Service, or
    # each of a comma-separated `ipv4:` list), not over the first one that answers.
    ("grpc.lb_policy_name", "round_robin"),
    # gRPC resolves the name again only when a connection ends; servers end theirs after a few
    # minutes (runtime.MAX_CONNECTION_AGE_MS), so replicas added meanwhile get calls too. This bounds
    # how often that may happen.
    ("grpc.dns_min_time_between_resolutions_ms", 5_000),
)


def peer_channel(address: str) -> grpc.aio.Channel:
    """A channel to another service: `host:port` (DNS, every address it resolves to) or
    `ipv4:host:port,host:port` (a fixed list of replicas), balanced call by call. When tracing is on,
    each call is a client span whose `traceparent` goes with it."""
    return grpc.aio.insecure_channel(address, options=CHANNEL_OPTIONS, interceptors=client_interceptors() or None)


async def call_on_behalf(method: Unary, request: object, *, deadline_seconds: float, unavailable: DomainError) -> Any:
    """Call another service with the current caller's token. It did not answer: `unavailable` is
    raised; it refused: the same refusal is raised here (anything else that is no refusal, as is)."""
    try:
        return await method(request, metadata=on_behalf_of_caller(), timeout=deadline_seconds)
    except grpc.aio.AioRpcError as error:
        if error.code() in UNREACHABLE:
            raise unavailable from None
        refusal = refusal_of(error)
        if refusal is None:
            raise
        raise refusal from None


async def ask_on_behalf(
    method: Unary, request: object, *, deadline_seconds: float, unavailable: DomainError
) -> Any | None:
    """Ask another service, with the current caller's token, about something the caller may hold:
    its answer, or None when it says there is none for the caller (ABSENT). Any other answer (it
    did not answer, or failed: its database away) raises `unavailable`, never a refusal: the thing
    may well be the caller's."""
    try:
        return await method(request, metadata=on_behalf_of_caller(), timeout=deadline_seconds)
    except grpc.aio.AioRpcError as error:
        if error.code() in ABSENT:
            return None
        raise unavailable from None
