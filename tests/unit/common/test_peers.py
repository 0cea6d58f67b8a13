"""A channel to another service spreads its calls over every replica it is given."""

from __future__ import annotations

from collections import Counter

import grpc
import pytest
from grpc_health.v1 import health, health_pb2, health_pb2_grpc

from services.common.errors import Unavailable
from services.common.peers import ask_on_behalf, call_on_behalf, peer_channel


class CountingHealth(health.aio.HealthServicer):  # type: ignore[misc]
    """A replica's health service that counts what it answers."""

    def __init__(self, replica: str, calls: Counter[str]) -> None:
        super().__init__()
        self._replica, self._calls = replica, calls

    async def Check(  # type: ignore[override]
        self, request: health_pb2.HealthCheckRequest, context: grpc.aio.ServicerContext[object, object]
    ) -> health_pb2.HealthCheckResponse:
        self._calls[self._replica] += 1
        return health_pb2.HealthCheckResponse(status=health_pb2.HealthCheckResponse.SERVING)


async def test_calls_are_spread_over_every_replica_of_a_fixed_list() -> None:
    calls: Counter[str] = Counter()
    servers, ports = [], []
    for replica in ("one", "two"):
        server = grpc.aio.server()
        health_pb2_grpc.add_HealthServicer_to_server(CountingHealth(replica, calls), server)
        ports.append(server.add_insecure_port("127.0.0.1:0"))
        await server.start()
        servers.append(server)
    try:
        async with peer_channel("ipv4:" + ",".join(f"127.0.0.1:{port}" for port in ports)) as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            for _ in range(20):
                await stub.Check(health_pb2.HealthCheckRequest(), timeout=5)
    finally:
        for server in servers:
            await server.stop(None)
    # Round robin (the first calls may all go to whichever replica connected first); pick-first,
    # gRPC's default, would have sent all twenty to one replica.
    assert set(calls) == {"one", "two"}
    assert min(calls.values()) >= 5, calls


@pytest.mark.parametrize("call", [call_on_behalf, ask_on_behalf])
async def test_a_replica_that_does_not_serve_the_method_yet_is_unavailable_not_a_server_error(call: object) -> None:
    # A replica of the release before, mid rolling upgrade, answers UNIMPLEMENTED for a method the
    # caller already uses: retry later (503 with the caller's reason), not a 500, not "it has none".
    server = grpc.aio.server()  # serves no method at all
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with peer_channel(f"127.0.0.1:{port}") as channel:
            stub = health_pb2_grpc.HealthStub(channel)
            with pytest.raises(Unavailable) as refused:
                await call(  # type: ignore[operator]
                    stub.Check,
                    health_pb2.HealthCheckRequest(),
                    deadline_seconds=5,
                    unavailable=Unavailable("the registry cannot answer", reason="REGISTRY_UNAVAILABLE"),
                )
    finally:
        await server.stop(None)
    assert refused.value.reason == "REGISTRY_UNAVAILABLE"


class FailingHealth(health.aio.HealthServicer):  # type: ignore[misc]
    """A replica that answers with one status code (its database away: INTERNAL; no such thing: NOT_FOUND)."""

    def __init__(self, code: grpc.StatusCode) -> None:
        super().__init__()
        self._code = code

    async def Check(  # type: ignore[override]
        self, request: health_pb2.HealthCheckRequest, context: grpc.aio.ServicerContext[object, object]
    ) -> health_pb2.HealthCheckResponse:
        await context.abort(self._code, "as told")


@pytest.mark.parametrize(
    ("code", "unavailable"),
    [
        (grpc.StatusCode.NOT_FOUND, False),
        (grpc.StatusCode.PERMISSION_DENIED, False),
        (grpc.StatusCode.INTERNAL, True),
        (grpc.StatusCode.UNKNOWN, True),
        (grpc.StatusCode.RESOURCE_EXHAUSTED, True),
    ],
)
async def test_asking_hears_none_only_when_the_other_service_has_none_for_the_caller(
    code: grpc.StatusCode, unavailable: bool
) -> None:
    # A failure there (its database away: INTERNAL) is no "it has none": refusing would be wrong.
    server = grpc.aio.server()
    health_pb2_grpc.add_HealthServicer_to_server(FailingHealth(code), server)
    port = server.add_insecure_port("127.0.0.1:0")
    await server.start()
    try:
        async with peer_channel(f"127.0.0.1:{port}") as channel:
            ask = ask_on_behalf(
                health_pb2_grpc.HealthStub(channel).Check,
                health_pb2.HealthCheckRequest(),
                deadline_seconds=5,
                unavailable=Unavailable("profile cannot answer", reason="PROFILE_UNAVAILABLE"),
            )
            if unavailable:
                with pytest.raises(Unavailable):
                    await ask
            else:
                assert await ask is None
    finally:
        await server.stop(None)
