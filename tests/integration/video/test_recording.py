"""Recording a real call across two replicas: with both consents the doctor starts it on one replica,
the recorder peer there offers each participant a connection, the figures and STOP reach it from
the other replica, and the one file holds both participants' video; a consent withdrawn or the end of
the session stops it (SPEC 3.6 *Recording*; issue 10)."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import av
from pulseone.video.v1 import video_pb2

from scripts.video_peer import Participant
from tests.integration.conftest import AuthHarness, VideoHarness, eventually, run_sql
from tests.integration.video.conftest import Person, create, doctor_and_patient, person
from tests.rpc import refusal


@asynccontextmanager
async def in_call(
    video: VideoHarness, doctor: Person, patient: Person, session_id: str
) -> AsyncIterator[list[Participant]]:
    peers = [
        Participant(video.channels[0], doctor.token, session_id, tint=60),
        Participant(video.channels[1], patient.token, session_id, tint=200),
    ]
    try:
        for peer in peers:
            await peer.enter()
        async with asyncio.timeout(30):
            await asyncio.gather(*(peer.received(30) for peer in peers))
        yield peers
    finally:
        for peer in peers:
            await peer.close()


async def consent(video: VideoHarness, who: Person, session_id: str, given: bool = True) -> None:
    request = video_pb2.SetRecordingConsentRequest(session_id=session_id, recording=given)
    await video.stub().SetRecordingConsent(request, metadata=who.metadata)


def control(video: VideoHarness, doctor: Person, session_id: str, action: str, replica: int = 0) -> Any:
    request = video_pb2.ControlRecordingRequest(session_id=session_id, action=action)
    return video.stub(replica).ControlRecording(request, metadata=doctor.metadata)


async def downloaded(video: VideoHarness, who: Person, session_id: str) -> tuple[str, bytes]:
    chunks = [
        chunk
        async for chunk in video.stub(1).DownloadRecording(
            video_pb2.DownloadRecordingRequest(session_id=session_id), metadata=who.metadata
        )
    ]
    return chunks[0].content_type, b"".join(c.data for c in chunks)


def video_frames_per_stream(data: bytes) -> list[int]:
    """Frames each video stream of a recording decodes to (one stream per participant)."""
    with av.open(io.BytesIO(data), mode="r") as container:
        streams = len(container.streams.video)
    counts = []
    for index in range(streams):
        with av.open(io.BytesIO(data), mode="r") as container:
            counts.append(len(list(container.decode(video=index))))
    return counts


async def test_a_recording_holds_both_participants_and_is_theirs_alone(video: VideoHarness, auth: AuthHarness) -> None:
    doctor, patient = await doctor_and_patient(video, auth)
    session = await create(video, doctor, patient)
    async with in_call(video, doctor, patient, session.id) as peers:
        for who in (doctor, patient):
            await consent(video, who, session.id)
        started = await control(video, doctor, session.id, "START")
        assert started.status == 2  # RECORDING
        await asyncio.sleep(3)
        live = await video.stub(1).GetRecording(
            video_pb2.GetRecordingRequest(session_id=session.id), metadata=patient.metadata
        )
        assert (live.status, live.frames > 0) == (2, True)
        stopped = await control(video, doctor, session.id, "STOP", replica=1)
        assert all(any(e.type == e.RECORDING_STARTED for e in peer.events) for peer in peers)
    assert (stopped.status, stopped.content_type) == (3, "video/webm")
    assert stopped.frames >= 60
    assert stopped.duration_seconds >= 2.5
    content_type, data = await downloaded(video, patient, session.id)
    assert (content_type, len(data)) == ("video/webm", stopped.size_bytes)
    per_stream = video_frames_per_stream(data)
    assert len(per_stream) == 2
    assert min(per_stream) >= 30  # both participants' video, at least a second each
    stranger = await person(video, auth, "PATIENT")
    failure = await refusal(
        video.stub()
        .DownloadRecording(video_pb2.DownloadRecordingRequest(session_id=session.id), metadata=stranger.metadata)
        .read()
    )
    assert failure.reason == "NOT_OWNER"
    audit = await run_sql(
        video.database_url,
        "SELECT action, outcome FROM audit_entries WHERE resource_id = :id ORDER BY id",
        id=session.id,
    )
    assert ("DOWNLOAD", "ALLOWED") in audit
    assert [a for a in audit if a[0] == "RECORDING_CONTROL"] == [
        ("RECORDING_CONTROL", "STARTED"), ("RECORDING_CONTROL", "ALLOWED"),
        ("RECORDING_CONTROL", "STARTED"), ("RECORDING_CONTROL", "ALLOWED"),
    ]  # fmt: skip


async def test_a_withdrawn_consent_or_the_end_of_the_session_stops_the_recording(
    video: VideoHarness, auth: AuthHarness
) -> None:
    for finish in ("withdraw", "end"):
        doctor, patient = await doctor_and_patient(video, auth)
        session = await create(video, doctor, patient)
        async with in_call(video, doctor, patient, session.id):
            for who in (doctor, patient):
                await consent(video, who, session.id)
            await control(video, doctor, session.id, "START")
            await asyncio.sleep(1.5)
            if finish == "withdraw":
                await consent(video, patient, session.id, given=False)
            else:
                await video.stub(1).EndVideoSession(
                    video_pb2.EndVideoSessionRequest(session_id=session.id), metadata=doctor.metadata
                )
        recording = await video.stub().GetRecording(
            video_pb2.GetRecordingRequest(session_id=session.id), metadata=doctor.metadata
        )
        assert (finish, recording.status) == (finish, 3)
        assert recording.frames > 0


async def test_a_session_cancelled_meanwhile_finishes_its_recording(video: VideoHarness, auth: AuthHarness) -> None:
    """The cancellation reaches the video service as an event, not through a participant: the quiet
    recorder notices the session ended and finishes the file."""
    doctor, patient = await doctor_and_patient(video, auth)
    session = await create(video, doctor, patient)
    async with in_call(video, doctor, patient, session.id):
        for who in (doctor, patient):
            await consent(video, who, session.id)
        await control(video, doctor, session.id, "START")
        await asyncio.sleep(1)
        await run_sql(
            video.database_url, "UPDATE video_sessions SET status = 'CANCELLED' WHERE id = :id", id=session.id
        )

        async def finished() -> None:
            rows = await run_sql(
                video.database_url, "SELECT recording_status FROM video_sessions WHERE id = :id", id=session.id
            )
            assert rows == [("STOPPED",)]

        await eventually(finished, timeout=20)
