"""The NATS JetStream connection of a service: kept alive in the background, streams declared on connect."""

from __future__ import annotations

import asyncio
import logging

import nats
from nats.aio.client import Client
from nats.js import JetStreamContext
from nats.js.api import DiscardPolicy, RetentionPolicy, StorageType, StreamConfig
from nats.js.errors import BadRequestError

from services.common.errors import Unavailable

log = logging.getLogger("pulseone.messaging")

STREAM = "PULSEONE"
STREAM_SUBJECTS = ["pulseone.>"]
DEAD_LETTER_STREAM = "PULSEONE_DEADLETTER"
DEAD_LETTER_PREFIX = "deadletter"
DUPLICATE_WINDOW_SECONDS = 600.0
MAX_AGE_SECONDS = 14 * 24 * 3600.0


def stream_configs(replicas: int = 1) -> list[StreamConfig]:
    """The event stream and the dead letters, each kept by `replicas` servers of a NATS cluster."""
    common = {
        "storage": StorageType.FILE,
        "retention": RetentionPolicy.LIMITS,
        "discard": DiscardPolicy.OLD,
        "num_replicas": replicas,
    }
    return [
        StreamConfig(
            name=STREAM,
            subjects=STREAM_SUBJECTS,
            duplicate_window=DUPLICATE_WINDOW_SECONDS,
            max_age=MAX_AGE_SECONDS,
            **common,  # type: ignore[arg-type]
        ),
        StreamConfig(name=DEAD_LETTER_STREAM, subjects=[f"{DEAD_LETTER_PREFIX}.>"], max_age=MAX_AGE_SECONDS, **common),  # type: ignore[arg-type]
    ]


class NatsLink:
    """One connection per process. Start-up never waits for NATS: the outbox absorbs an outage."""

    def __init__(self, servers: str, name: str, *, stream_replicas: int = 1) -> None:
        self._servers = [s.strip() for s in servers.split(",") if s.strip()]
        self._name = name
        self._stream_replicas = stream_replicas
        self._client: Client | None = None
        self._js: JetStreamContext | None = None
        self._task: asyncio.Task[None] | None = None
        self._closing = False
        self.ready = asyncio.Event()
        self.outages = 0

    @property
    def connected(self) -> bool:
        return self._client is not None and self._client.is_connected and self.ready.is_set()

    def jetstream(self) -> JetStreamContext:
        if self._js is None or not self.connected:
            raise Unavailable("the event broker is not reachable", reason="BROKER_UNAVAILABLE")
        return self._js

    def core(self) -> Client:
        """The connection itself, for core NATS (ephemeral subjects that no stream keeps)."""
        if self._client is None or not self.connected:
            raise Unavailable("the event broker is not reachable", reason="BROKER_UNAVAILABLE")
        return self._client

    def start(self) -> None:
        self._task = asyncio.create_task(self._connect_forever(), name=f"nats-connect-{self._name}")

    async def _connect_forever(self) -> None:
        delay = 0.2
        while not self._closing:
            try:
                client = await nats.connect(
                    servers=self._servers,
                    name=self._name,
                    connect_timeout=2,
                    allow_reconnect=True,
                    max_reconnect_attempts=-1,
                    reconnect_time_wait=0.5,
                    error_cb=self._on_error,
                    disconnected_cb=self._on_disconnected,
                    reconnected_cb=self._on_reconnected,
                )
                js = client.jetstream()
                try:
                    for config in stream_configs(self._stream_replicas):
                        await ensure_stream(js, config)
                except Exception:
                    # A cluster still electing its JetStream leader: this connection is dropped, not
                    # leaked, and the next attempt starts afresh.
                    await client.close()
                    raise
                self._client, self._js = client, js
                self.ready.set()
                log.info("connected to NATS", extra={"servers": self._servers})
                return
            except Exception as error:  # noqa: BLE001 - keep trying, NATS may come later
                log.warning("NATS not reachable yet", extra={"error": repr(error), "retryInSeconds": delay})
                for _ in range(int(delay / 0.1)):
                    if self._closing:
                        return
                    await asyncio.sleep(0.1)
                delay = min(delay * 2, 5.0)

    async def _on_error(self, error: Exception) -> None:
        log.debug("NATS error", extra={"error": repr(error)})

    async def _on_disconnected(self) -> None:
        self.outages += 1  # what core NATS carried meanwhile is lost: memories fed by it start over
        log.warning("disconnected from NATS")

    async def _on_reconnected(self) -> None:
        log.info("reconnected to NATS")

    async def close(self) -> None:
        self._closing = True
        if self._task is not None and not self._task.done():
            # Let a connection attempt in flight finish (cancelling nats.connect midway leaks its
            # socket); the loop then sees `_closing` and returns.
            try:
                await asyncio.wait_for(asyncio.shield(self._task), 3)
            except TimeoutError:
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
        if self._client is not None:
            # Not drain(): every publish is awaited for its ack already, and draining a pull
            # subscription waits out its fetch (up to 30 s), which would stall shutdown.
            await self._client.close()


async def ensure_stream(js: JetStreamContext, config: StreamConfig) -> None:
    """Create the stream, or bring an existing one to this configuration."""
    try:
        await js.add_stream(config)
    except BadRequestError:
        await js.update_stream(config)
