"""Signalling (SPEC 3.6): participants relay OFFER, ANSWER and ICE_CANDIDATE to each other (or to the
recorder) through the live channel, and each holds an events stream that shows what is addressed to
them, presence, the start and end, the recording, and a heartbeat."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.common.clock import Clock, utc_now
from services.common.context import Principal
from services.common.errors import NotYours
from services.video import store
from services.video.domain import sessions as rules
from services.video.domain.signals import Candidate, EventType, LiveEvent, addressed, live_signal, presence, signal
from services.video.live import LiveChannel


class Signalling:
    def __init__(
        self,
        database: async_sessionmaker[AsyncSession],
        live: LiveChannel,
        *,
        heartbeat: timedelta = timedelta(seconds=10),
        clock: Clock = utc_now,
    ) -> None:
        self._db = database
        self._live = live
        self._heartbeat = heartbeat
        self._now = clock

    async def send(
        self,
        viewer: Principal,
        session_id: uuid.UUID,
        type_: EventType | None,
        *,
        to_participant_id: str,
        sdp: str,
        candidate: Candidate | None,
    ) -> None:
        kind, to, sdp, candidate = signal(type_, to_participant_id=to_participant_id, sdp=sdp, candidate=candidate)
        async with self._db() as db:
            session = await store.video_session(db, session_id)
        if session is None:
            raise NotYours()
        sender = rules.participant_of(viewer, session)
        checked = addressed(session, sender, kind, to=to, sdp=sdp, candidate=candidate)
        await self._live.publish(session_id, live_signal(checked, self._now()))

    async def events(
        self, viewer: Principal, session_id: uuid.UUID, opened: Callable[[], Awaitable[None]]
    ) -> AsyncIterator[LiveEvent]:
        """The viewer's events, from a PARTICIPANT_JOINED for each participant present now, until the
        session ends (SESSION_ENDED is the last) or the viewer goes away. `opened` is called once the
        stream listens: a client that waits for it before joining or signalling misses nothing."""
        async with self._db() as db:
            found = await store.video_session(db, session_id)
        if found is None:
            raise NotYours()
        me = str(rules.participant_of(viewer, found).participant_id)
        rules.check_open(found, "be followed")
        async with self._live.listen(session_id) as queue:
            await opened()
            # Read after subscribing: whatever changes from here on is in the queue as well.
            async with self._db() as db:
                current = await store.video_session(db, session_id)
            assert current is not None
            for participant in current.present:
                yield presence(EventType.PARTICIPANT_JOINED, participant.participant_id, self._now())
            if current.status in rules.ENDED:
                yield LiveEvent(EventType.SESSION_ENDED, self._now())
                return
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), self._heartbeat.total_seconds())
                except TimeoutError:
                    # Quiet for a while: make sure the session did not end without a word here (its
                    # appointment was cancelled, or the end was published while the broker was away).
                    if await self._ended(session_id):
                        yield LiveEvent(EventType.SESSION_ENDED, self._now())
                        return
                    yield LiveEvent(EventType.HEARTBEAT, self._now())
                    continue
                if event.for_participant(me):
                    yield event
                if event.type is EventType.SESSION_ENDED:
                    return

    async def _ended(self, session_id: uuid.UUID) -> bool:
        async with self._db() as db:
            return await store.has_ended(db, session_id)
