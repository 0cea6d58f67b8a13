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
