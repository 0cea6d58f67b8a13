"""Assertions on gRPC errors: code, ErrorInfo reason and domain, field violations."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass

import grpc
from google.rpc import error_details_pb2, status_pb2

from services.common.status import GRPC_DETAILS_KEY


@dataclass
class RpcFailure:
    code: grpc.StatusCode
    message: str
    reason: str
    domain: str
    metadata: dict[str, str]
    fields: dict[str, str]


def failure_of(error: grpc.aio.AioRpcError) -> RpcFailure:
    """Decode the rich status a PulseOne service attaches to every error."""
    details = dict(error.trailing_metadata() or ()).get(GRPC_DETAILS_KEY)
    assert details is not None, f"no rich status on {error.code()}: {error.details()}"
    status = status_pb2.Status.FromString(details)
    info = error_details_pb2.ErrorInfo()
    fields: dict[str, str] = {}
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            detail.Unpack(info)
        elif detail.Is(error_details_pb2.BadRequest.DESCRIPTOR):
            bad = error_details_pb2.BadRequest()
            detail.Unpack(bad)
            fields.update({v.field: v.reason for v in bad.field_violations})
    return RpcFailure(error.code(), error.details() or "", info.reason, info.domain, dict(info.metadata), fields)


async def refusal(call: Awaitable[object]) -> RpcFailure:
    """The failure of a call that must fail."""
    try:
        await call
    except grpc.aio.AioRpcError as error:
        return failure_of(error)
    raise AssertionError("the call succeeded")
