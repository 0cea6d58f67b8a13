"""Sessions, participants and streams for the video tests."""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from pulseone.video.v1 import resources_pb2, video_pb2

from tests.integration.conftest import AuthHarness, VideoHarness, bearer, forge_token, run_sql

Event = resources_pb2.SessionEvent


@dataclass
class Person:
    user_id: str
    token: str

    @property
    def metadata(self) -> tuple[tuple[str, str]]:
        return bearer(self.token)


async def person(video: VideoHarness, auth: AuthHarness, role: str) -> Person:
    """A user the video service knows (as auth events would have told it)."""
    user_id = str(uuid.uuid4())
    await run_sql(video.database_url, "INSERT INTO accounts VALUES (:id, :role, 'ACTIVE', 1)", id=user_id, role=role)
    return Person(user_id, forge_token(auth, user_id, role))


async def doctor_and_patient(video: VideoHarness, auth: AuthHarness) -> tuple[Person, Person]:
    return await person(video, auth, "DOCTOR"), await person(video, auth, "PATIENT")


async def create(
    video: VideoHarness, doctor: Person, patient: Person, start: datetime | None = None, replica: int = 0
) -> resources_pb2.VideoSession:
    request = video_pb2.CreateVideoSessionRequest(patient_id=patient.user_id)
    request.scheduled_start_time.FromDatetime(start or datetime.now(UTC))
    created: resources_pb2.VideoSession = await video.stub(replica).CreateVideoSession(
        request, metadata=doctor.metadata
    )
    return created


def join(video: VideoHarness, who: Person, session_id: str, replica: int = 0) -> Any:
    request = video_pb2.JoinVideoSessionRequest(session_id=session_id)
    return video.stub(replica).JoinVideoSession(request, metadata=who.metadata)


def signal(video: VideoHarness, who: Person, session_id: str, to: str, replica: int = 0, **fields: Any) -> Any:
    request = video_pb2.SendSignalRequest(
        session_id=session_id, type=fields.pop("type", "OFFER"), to_participant_id=to, **fields
    )
    return video.stub(replica).SendSignal(request, metadata=who.metadata)


class Stream:
    """A participant's events stream, read in the background into a list the test can wait on."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.closed = asyncio.Event()
        self.error: BaseException | None = None

    async def until(self, *types: str, count: int = 1, timeout: float = 10.0) -> list[Any]:
        wanted = {Event.Type.Value(t) for t in types}
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            found = [e for e in self.events if e.type in wanted]
            if len(found) >= count:
                return found
            assert asyncio.get_running_loop().time() < deadline, (types, [Event.Type.Name(e.type) for e in self.events])
            await asyncio.sleep(0.05)


@contextlib.asynccontextmanager
async def streaming(video: VideoHarness, who: Person, session_id: str, replica: int = 0) -> AsyncIterator[Stream]:
    stream = Stream()
    call = video.stub(replica).StreamSessionEvents(
        video_pb2.StreamSessionEventsRequest(session_id=session_id), metadata=who.metadata
    )

    async def read() -> None:
        try:
            async for event in call:
                stream.events.append(event)
        except BaseException as error:  # noqa: BLE001 - the test inspects it
            stream.error = error
        finally:
            stream.closed.set()

    reader = asyncio.create_task(read())
    try:
        yield stream
    finally:
        call.cancel()
        await asyncio.gather(reader, return_exceptions=True)


def soon(minutes: int = 5) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=minutes)
