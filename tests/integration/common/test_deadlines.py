"""Every call has a deadline in the service: a handler that hangs is answered DEADLINE_EXCEEDED in
SPEC's error shape, and its worker is free again."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import grpc
import pytest
from google.api import httpbody_pb2
from google.rpc import error_details_pb2, status_pb2
from pulseone.auth.v1 import auth_pb2, auth_pb2_grpc

from services.common.authz import rules_for_services
from services.common.interceptor import ServiceInterceptor
from services.common.status import GRPC_DETAILS_KEY
from services.common.tokens import TokenVerifier

DEADLINE = 0.3


class SlowJwks(auth_pb2_grpc.AuthServiceServicer):  # type: ignore[misc]
    """GetJwks (public, so no token is needed) that takes as long as the request's `x-delay` says."""

    def __init__(self) -> None:
        self.finished = 0

    async def GetJwks(self, request: auth_pb2.GetJwksRequest, context: grpc.aio.ServicerContext) -> Any:
        asked = dict(context.invocation_metadata() or ())
        if "x-own-timeout" in asked:
            raise TimeoutError("a dependency of the handler timed out")
        await asyncio.sleep(float(asked.get("x-delay", "0")))
        self.finished += 1
        return httpbody_pb2.HttpBody(content_type="application/json", data=b"{}")


@pytest.fixture
async def served() -> AsyncIterator[tuple[auth_pb2_grpc.AuthServiceStub, SlowJwks]]:
    interceptor = ServiceInterceptor(
        domain="pulseone.auth",
        rules=rules_for_services(["pulseone.auth.v1.AuthService"]),
        verifier=TokenVerifier(lambda: asyncio.sleep(0, {"keys": []}), issuer="i", audience="a"),  # type: ignore[arg-type]
        deadline_seconds=DEADLINE,
    )
    server = grpc.aio.server(interceptors=[interceptor])
    servicer = SlowJwks()
    auth_pb2_grpc.add_AuthServiceServicer_to_server(servicer, server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
        yield auth_pb2_grpc.AuthServiceStub(channel), servicer
    await server.stop(None)


async def test_a_call_past_the_services_deadline_is_deadline_exceeded(
    served: tuple[auth_pb2_grpc.AuthServiceStub, SlowJwks],
) -> None:
    stub, servicer = served
    started = time.monotonic()
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.GetJwks(auth_pb2.GetJwksRequest(), metadata=(("x-delay", "30"),), timeout=20)
    assert time.monotonic() - started < 5
    assert refused.value.code() is grpc.StatusCode.DEADLINE_EXCEEDED
    status = status_pb2.Status.FromString(dict(refused.value.trailing_metadata() or ())[GRPC_DETAILS_KEY])
    info = error_details_pb2.ErrorInfo()
    assert status.details[0].Unpack(info)
    assert (info.reason, info.domain) == ("DEADLINE_EXCEEDED", "pulseone.auth")
    assert servicer.finished == 0


async def test_a_call_within_the_deadline_is_answered(served: tuple[auth_pb2_grpc.AuthServiceStub, SlowJwks]) -> None:
    stub, servicer = served
    body = await stub.GetJwks(auth_pb2.GetJwksRequest(), metadata=(("x-delay", "0.05"),), timeout=5)
    assert body.data == b"{}"
    assert servicer.finished == 1


async def test_a_timeout_of_the_handlers_own_is_no_deadline_of_the_call(
    served: tuple[auth_pb2_grpc.AuthServiceStub, SlowJwks],
) -> None:
    """Only the service's deadline is DEADLINE_EXCEEDED; a TimeoutError the handler raises itself (a
    NATS request that timed out, say) is an unexpected failure, INTERNAL like any other."""
    stub, _ = served
    with pytest.raises(grpc.aio.AioRpcError) as failed:
        await stub.GetJwks(auth_pb2.GetJwksRequest(), metadata=(("x-own-timeout", "1"),), timeout=5)
    assert failed.value.code() is grpc.StatusCode.INTERNAL
