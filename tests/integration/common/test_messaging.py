"""The process's NATS link: streams made on connect, and nothing left behind when that fails."""

from __future__ import annotations

import asyncio

import httpx

from scripts.stack import Nats
from services.common.messaging import NatsLink


def connections_named(nats: Nats, name: str) -> int:
    found = httpx.get(f"http://127.0.0.1:{nats.monitor_port}/connz", params={"limit": 1000}, timeout=2).json()
    return sum(1 for connection in found.get("connections") or [] if connection.get("name") == name)


async def test_a_connection_whose_streams_cannot_be_made_is_closed_before_the_next_attempt(nats_server: Nats) -> None:
    """Three replicas on one server cannot be made (as a cluster still electing its leader refuses
    them): the link keeps trying, and every attempt's connection is closed, none piles up."""
    link = NatsLink(nats_server.url, "stream-refused", stream_replicas=3)
    link.start()
    try:
        await asyncio.sleep(4)  # attempts at 0, 0.2, 0.6, 1.4 and 3.0 s
        assert not link.connected
        assert connections_named(nats_server, "stream-refused") <= 1
    finally:
        await link.close()
