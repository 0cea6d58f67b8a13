"""The runtime every service shares: health, reflection, error mapping, authz enforcement, schema."""

from __future__ import annotations

import asyncio

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from pulseone.auth.v1 import auth_pb2

from scripts.stack import Nats, Postgres
from services.auth.app import build
from services.auth.settings import AuthSettings
from services.auth.use_cases.accounts import Accounts
from tests.conftest import fresh_service_database, page_token_key, scratch_dir
from tests.integration.conftest import AuthHarness, bearer
from tests.rpc import failure_of


async def health(channel: grpc.aio.Channel, service: str) -> str:
    response = await health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=service))
    return str(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))


async def test_serving_while_the_database_is_at_the_schema_head(auth: AuthHarness) -> None:
    assert await health(auth.channel, "pulseone.auth.v1.AuthService") == "SERVING"
    assert await health(auth.channel, "") == "SERVING"
    await auth.runtime.infra.link.ready.wait()
    for _ in range(50):
        if await health(auth.channel, "pulseone.events") == "SERVING":
            break
        await asyncio.sleep(0.1)
    assert await health(auth.channel, "pulseone.events") == "SERVING"


async def test_not_serving_on_a_database_without_the_schema_yet_alive(postgres: Postgres, nats_server: Nats) -> None:
    """Readiness says no, liveness says yes: a restart would not bring the schema (or the database)."""
    settings = AuthSettings(
        database_url=fresh_service_database(postgres, "unmigrated").runtime_url,
        nats_url=nats_server.url,
        port=0,
        key_ring_file=scratch_dir("pulseone-keys-") / "ring.json",
        create_key_ring=True,
        health_interval_seconds=0.1,
        page_token_key_file=page_token_key(),
    )
    runtime = build(settings)
    port = await runtime.start()
    try:
        async with grpc.aio.insecure_channel(f"127.0.0.1:{port}") as channel:
            assert await health(channel, "pulseone.auth.v1.AuthService") == "NOT_SERVING"
            assert await health(channel, "") == "NOT_SERVING"
            assert await health(channel, "pulseone.live") == "SERVING"
    finally:
        await runtime.stop()


async def test_reflection_lists_the_service_health_and_reflection(auth: AuthHarness) -> None:
    stub = reflection_pb2_grpc.ServerReflectionStub(auth.channel)
    responses = stub.ServerReflectionInfo(iter([reflection_pb2.ServerReflectionRequest(list_services="")]))
    names = set()
    async for response in responses:
        names |= {s.name for s in response.list_services_response.service}
    assert {
        "pulseone.auth.v1.AuthService",
        "grpc.health.v1.Health",
        "grpc.reflection.v1alpha.ServerReflection",
    } <= names


async def test_unexpected_errors_are_internal_and_leak_nothing(
    auth: AuthHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def explode(*_: object, **__: object) -> None:
        raise RuntimeError("SELECT secret FROM users -- db-host-7.internal")

    user = await auth.register()
    monkeypatch.setattr(Accounts, "get", explode)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.GetCurrentUser(
            auth_pb2.GetCurrentUserRequest(),
            metadata=(*bearer(user.access_token), ("x-request-id", "req-123")),
        )
    failure = failure_of(raised.value)
    assert failure.code is grpc.StatusCode.INTERNAL
    assert failure.message == "internal error (request id req-123)"
    assert failure.metadata == {"requestId": "req-123"}
    assert "secret" not in str(raised.value.debug_error_string())


async def test_a_method_without_an_access_rule_is_refused(auth: AuthHarness, monkeypatch: pytest.MonkeyPatch) -> None:
    interceptor = auth.runtime.interceptor
    rules = dict(interceptor._rules)
    del rules["/pulseone.auth.v1.AuthService/GetJwks"]
    monkeypatch.setattr(interceptor, "_rules", rules)
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await auth.stub.GetJwks(auth_pb2.GetJwksRequest())
    failure = failure_of(raised.value)
    assert (failure.code, failure.reason) == (grpc.StatusCode.PERMISSION_DENIED, "METHOD_NOT_DECLARED")
