"""A service's Prometheus metrics, scraped from its side port as Prometheus would."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import grpc
import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from pulseone.auth.v1 import auth_pb2

from scripts.stack import Nats, Postgres
from services.common.event_catalogue import USER_REGISTERED
from tests.conftest import scratch_dir
from tests.integration.conftest import AuthHarness, eventually, start_auth

REGISTER = "/pulseone.auth.v1.AuthService/Register"
LOGIN = "/pulseone.auth.v1.AuthService/Login"


@pytest.fixture(scope="module")
async def measured(postgres: Postgres, nats_server: Nats) -> AsyncIterator[AuthHarness]:
    harness = await start_auth(postgres, nats_server.url, scratch_dir("pulseone-auth-metrics-"), metrics_port=0)
    yield harness
    await harness.channel.close()
    await harness.runtime.stop()


def scrape(harness: AuthHarness) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of the auth service's series, by name and labels."""
    assert harness.runtime.metrics is not None
    text = httpx.get(f"http://127.0.0.1:{harness.runtime.metrics.port}/metrics", timeout=5).text
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.labels.get("service") == "auth"
    }


def value(samples: dict[tuple[str, frozenset[tuple[str, str]]], float], name: str, **labels: str) -> float:
    return samples.get((name, frozenset({"service": "auth", **labels}.items())), 0.0)


async def test_calls_are_counted_by_method_and_code_and_timed(measured: AuthHarness) -> None:
    before = await asyncio.to_thread(scrape, measured)
    await measured.register()
    with pytest.raises(grpc.aio.AioRpcError):
        await measured.stub.Login(auth_pb2.LoginRequest(email=f"{uuid.uuid4().hex}@example.com", password="x" * 12))
    after = await asyncio.to_thread(scrape, measured)
    ok = ("pulseone_grpc_requests_total", {"method": REGISTER, "code": "OK"})
    refused = ("pulseone_grpc_requests_total", {"method": LOGIN, "code": "UNAUTHENTICATED"})
    timed = ("pulseone_grpc_request_duration_seconds_count", {"method": REGISTER})
    for name, labels in (ok, refused, timed):
        assert value(after, name, **labels) == value(before, name, **labels) + 1, (name, labels)


async def test_the_pool_and_the_published_events_are_shown(measured: AuthHarness) -> None:
    before = await asyncio.to_thread(scrape, measured)
    await measured.register()

    async def published() -> None:
        after = await asyncio.to_thread(scrape, measured)
        registered = {"subject": USER_REGISTERED.subject}
        assert value(after, "pulseone_events_published_total", **registered) == (
            value(before, "pulseone_events_published_total", **registered) + 1
        )
        assert value(after, "pulseone_outbox_backlog") == 0
        assert value(after, "pulseone_db_pool_connections", state="idle") >= 1

    await eventually(published, timeout=10)
