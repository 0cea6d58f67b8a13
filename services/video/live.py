"""The live channel of each session, across replicas: every event a participant's stream shows is
published on the core NATS subject `video.live.<session id>` (not JetStream: signals are worthless a
minute later and must not be replayed), and every replica holding a stream of that session is
subscribed to it. So a signal posted to one replica reaches a stream held by another, and no replica
keeps a session's state in its memory. Outside `pulseone.>`, so the event stream never stores them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable

import nats.errors
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.errors import NoRespondersError
from pulseone.video.v1 import resources_pb2

from services.common.messaging import NatsLink
from services.video import messages
from services.video.domain.signals import LiveEvent

log = logging.getLogger("pulseone.video.live")

PREFIX = "video.live"
BACKLOG = 256
"""Events a slow stream may fall behind before its oldest are dropped (a stream that slow is gone)."""


def subject_of(session_id: uuid.UUID) -> str:
    return f"{PREFIX}.{session_id}"


class LiveChannel:
    def __init__(self, link: NatsLink) -> None:
        self._link = link

    async def publish(self, session_id: uuid.UUID, event: LiveEvent) -> None:
        client = self._link.core()
        await client.publish(subject_of(session_id), messages.event_message(event).SerializeToString())
        await client.flush()

    @contextlib.asynccontextmanager
    async def listen(self, session_id: uuid.UUID) -> AsyncIterator[asyncio.Queue[LiveEvent]]:
        """The session's events from now on, while the context lasts (subscribed before it yields,
        so nothing published after the caller reads the session's state can be missed)."""
        queue: asyncio.Queue[LiveEvent] = asyncio.Queue(BACKLOG)

        async def deliver(message: Msg) -> None:
            try:
                event = messages.live_event(resources_pb2.SessionEvent.FromString(message.data))
            except Exception as error:  # noqa: BLE001 - a stranger's bytes on our subject: skip them
                log.warning("unreadable live event", extra={"error": repr(error)})
                return
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(event)

        client = self._link.core()
        subscription = await client.subscribe(subject_of(session_id), cb=deliver)
        await client.flush()
        try:
            yield queue
        finally:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()


CONTROL = "video.recorder"
ASK_TIMEOUT_SECONDS = 15.0


def control_subject(session_id: uuid.UUID) -> str:
    return f"{CONTROL}.{session_id}"


Command = dict[str, object]
Handler = Callable[[Command], Awaitable[Command]]


class RecorderControl:
    """Reaching a session's recorder wherever it runs: the replica that started it answers requests on
    `video.recorder.<session id>` (core NATS request/reply), so STOP, a joiner's offer or the figures
    can be asked of it from any replica."""

    def __init__(self, link: NatsLink) -> None:
        self._link = link

    async def ask(self, session_id: uuid.UUID, command: Command) -> Command | None:
        """The recorder's answer, or None when no replica runs it any more (it died with its replica)."""
        try:
            reply = await self._link.core().request(
                control_subject(session_id), json.dumps(command).encode(), timeout=ASK_TIMEOUT_SECONDS
            )
        except (NoRespondersError, nats.errors.TimeoutError):
            return None
        answer: Command = json.loads(reply.data)
        return answer

    async def serve(self, session_id: uuid.UUID, handle: Handler) -> Subscription:
        """Answer the session's recorder commands until an answer says `done` (the recorder stopped):
        the subscription then ends itself, after replying."""

        async def answer(message: Msg) -> None:
            try:
                reply = await handle(json.loads(message.data))
            except Exception as error:
                log.exception("recorder command failed")
                reply = {"error": repr(error)}
            await message.respond(json.dumps(reply).encode())
            if reply.get("done"):
                await subscription.unsubscribe()

        client = self._link.core()
        subscription = await client.subscribe(control_subject(session_id), cb=answer)
        await client.flush()
        return subscription
