"""A synthetic participant of a video consultation: an aiortc peer with a generated camera that joins
a session over gRPC (through the gateway or straight to the service), negotiates only through the
signalling API (its events stream in, SendSignal out), counts the frames it receives, and answers
the recorder's offer with its camera. `pulseone demo` and the end-to-end tests use it."""

from __future__ import annotations

import asyncio
import contextlib
import fractions
import logging
from typing import Any

import av
import grpc
from aiortc import (
    MediaStreamTrack,
    RTCConfiguration,
    RTCIceServer,
    RTCPeerConnection,
    RTCSessionDescription,
    VideoStreamTrack,
)
from aiortc.contrib.media import MediaRelay
from pulseone.video.v1 import resources_pb2, video_pb2, video_pb2_grpc

from services.video.recorder import parse_candidate

log = logging.getLogger("pulseone.video.peer")

Event = resources_pb2.SessionEvent
RECORDER = "recorder"
WIDTH, HEIGHT = 320, 240


class SyntheticCamera(VideoStreamTrack):
    """Moving colour bars at 30 frames a second, tinted per participant so their frames differ."""

    def __init__(self, tint: int) -> None:
        super().__init__()
        self._tint = tint % 256
        self._count = 0

    async def recv(self) -> av.VideoFrame:
        pts, time_base = await self.next_timestamp()
        frame = av.VideoFrame(WIDTH, HEIGHT, "yuv420p")
        shift = (self._count * 4) % WIDTH
        luma = bytes(((x + shift) % WIDTH) * 255 // WIDTH for x in range(WIDTH)) * HEIGHT
        frame.planes[0].update(luma)
        chroma = bytes([self._tint]) * (WIDTH // 2 * HEIGHT // 2)
        frame.planes[1].update(chroma)
        frame.planes[2].update(bytes([255 - self._tint]) * (WIDTH // 2 * HEIGHT // 2))
        frame.pts, frame.time_base = pts, time_base or fractions.Fraction(1, 90000)
        self._count += 1
        return frame


class Participant:
    """One side of the call. The doctor offers once both are present; the patient answers; the
    recorder's offers are answered by either with the same camera (through a relay)."""

    def __init__(self, channel: grpc.aio.Channel, token: str, session_id: str, *, tint: int) -> None:
        self._stub = video_pb2_grpc.VideoServiceStub(channel)  # type: ignore[no-untyped-call]
        self._metadata = (("authorization", f"Bearer {token}"),)
        self.session_id = session_id
        self._camera = SyntheticCamera(tint)
        self._relay = MediaRelay()
        self._config = RTCConfiguration(iceServers=[])
        self.participant_id = ""
        self.role = ""
        self.other_id = ""
        self.call: RTCPeerConnection | None = None
        self._recorder: RTCPeerConnection | None = None
        self.frames_received = 0
        self._frame = asyncio.Event()
        self._joined = asyncio.Event()
        self.events: list[Any] = []
        self._tasks: list[asyncio.Task[Any]] = []
        self._stream: Any = None

    async def join(self) -> video_pb2.JoinVideoSessionResponse:
        joined: video_pb2.JoinVideoSessionResponse = await self._stub.JoinVideoSession(
            video_pb2.JoinVideoSessionRequest(session_id=self.session_id), metadata=self._metadata
        )
        self.participant_id, self.role = joined.participant_id, joined.role
        session = joined.session
        self.other_id = session.patient_id if self.role == "DOCTOR" else session.doctor_id
        self._config = RTCConfiguration(
            iceServers=[
                RTCIceServer(list(s.urls), s.username or None, s.credential or None) for s in joined.ice_servers
            ]
        )
        return joined

    async def enter(self) -> video_pb2.JoinVideoSessionResponse:
        """Listen first, then join: the events stream is open (its headers came back) before anyone can
        hear of the join and offer, so no offer is missed; events are handled once the join told who
        is who."""
        self._stream = self._stub.StreamSessionEvents(
            video_pb2.StreamSessionEventsRequest(session_id=self.session_id), metadata=self._metadata
        )
        await self._stream.initial_metadata()
        self._tasks.append(asyncio.create_task(self._follow(), name="peer-events"))
        joined = await self.join()
        self._joined.set()
        return joined

    async def _follow(self) -> None:
        try:
            await self._joined.wait()
            async for event in self._stream:
                self.events.append(event)
                await self._on(event)
        except grpc.aio.AioRpcError as error:
            if error.code() != grpc.StatusCode.CANCELLED:
                log.warning("events stream ended", extra={"code": error.code().name})

    async def _on(self, event: Any) -> None:
        kind = Event.Type.Name(event.type)
        if kind == "PARTICIPANT_JOINED" and event.participant_id == self.other_id and self.role == "DOCTOR":
            await self._offer()  # the other (re)joined: a fresh connection, whatever there was before
        elif kind == "SESSION_STARTED" and self.role == "DOCTOR" and self.call is None:
            await self._offer()
        elif kind == "PARTICIPANT_LEFT" and event.participant_id == self.other_id and self.call is not None:
            await self.call.close()
            self.call = None
        elif kind == "OFFER" and event.from_participant_id == RECORDER:
            await self._answer_recorder(event.sdp)
        elif kind == "OFFER":
            await self._answer(event.sdp)
        elif kind == "ANSWER" and self.call is not None:
            await self.call.setRemoteDescription(RTCSessionDescription(event.sdp, "answer"))
        elif kind == "ICE_CANDIDATE":
            target = self._recorder if event.from_participant_id == RECORDER else self.call
            if target is not None:
                await self._add_candidate(target, event.candidate)

    async def _add_candidate(self, connection: RTCPeerConnection, candidate: resources_pb2.IceCandidate) -> None:
        """A trickled candidate, as a browser sends it ("candidate:..." with its sdpMid) or without the
        prefix; an empty one ends the candidates. One that cannot be read is logged and left out, so
        it never ends the events stream."""
        try:
            parsed = parse_candidate(candidate.candidate, candidate.sdp_mid, candidate.sdp_m_line_index)
        except ValueError:
            log.warning("an ICE candidate this peer cannot read", extra={"sessionId": self.session_id})
            return
        await connection.addIceCandidate(parsed)

    def _connection(self) -> RTCPeerConnection:
        connection = RTCPeerConnection(self._config)
        connection.addTrack(self._relay.subscribe(self._camera))

        @connection.on("track")
        def received(track: MediaStreamTrack) -> None:
            if track.kind == "video":
                self._tasks.append(asyncio.create_task(self._count(track)))

        return connection

    async def _count(self, track: MediaStreamTrack) -> None:
        with contextlib.suppress(Exception):
            while True:
                await track.recv()
                self.frames_received += 1
                self._frame.set()

    async def _offer(self) -> None:
        if self.call is not None:
            await self.call.close()
        self.call = self._connection()
        await self.call.setLocalDescription(await self.call.createOffer())
        await self._signal("OFFER", self.other_id, self.call.localDescription.sdp)

    async def _answer(self, sdp: str) -> None:
        if self.call is not None:
            await self.call.close()
        self.call = self._connection()
        await self.call.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        await self.call.setLocalDescription(await self.call.createAnswer())
        await self._signal("ANSWER", self.other_id, self.call.localDescription.sdp)

    async def _answer_recorder(self, sdp: str) -> None:
        if self._recorder is not None:
            await self._recorder.close()
        self._recorder = RTCPeerConnection(self._config)
        await self._recorder.setRemoteDescription(RTCSessionDescription(sdp, "offer"))
        for transceiver in self._recorder.getTransceivers():
            if transceiver.kind == "video":
                transceiver.sender.replaceTrack(self._relay.subscribe(self._camera))
                transceiver.direction = "sendonly"
        await self._recorder.setLocalDescription(await self._recorder.createAnswer())
        await self._signal("ANSWER", RECORDER, self._recorder.localDescription.sdp)

    async def _signal(self, kind: str, to: str, sdp: str) -> None:
        request = video_pb2.SendSignalRequest(session_id=self.session_id, type=kind, to_participant_id=to, sdp=sdp)
        await self._stub.SendSignal(request, metadata=self._metadata)

    async def received(self, frames: int) -> None:
        """Wait until at least `frames` video frames arrived from the other participant (the caller
        bounds the wait with `asyncio.timeout`)."""
        while self.frames_received < frames:
            self._frame.clear()
            await self._frame.wait()

    async def leave(self) -> None:
        """Hang up: leave the session, close the stream and the connections."""
        await self._stub.LeaveVideoSession(
            video_pb2.LeaveVideoSessionRequest(session_id=self.session_id), metadata=self._metadata
        )
        await self.close()

    async def close(self) -> None:
        if self._stream is not None:
            self._stream.cancel()
        for connection in (self.call, self._recorder):
            if connection is not None:
                await connection.close()
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
