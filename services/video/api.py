"""The gRPC servicer of pulseone.video.v1: protobuf in, one use-case call, protobuf out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TypeAlias

import grpc
from google.api import httpbody_pb2
from pulseone.video.v1 import resources_pb2, video_pb2, video_pb2_grpc

from services.common.context import current_principal
from services.common.fields import parse_uuid
from services.video import messages
from services.video.use_cases.recording import Recordings
from services.video.use_cases.sessions import Sessions
from services.video.use_cases.signalling import Signalling

Context: TypeAlias = grpc.aio.ServicerContext


class VideoApi(video_pb2_grpc.VideoServiceServicer):
    def __init__(self, sessions: Sessions, signalling: Signalling, recordings: Recordings) -> None:
        self._sessions = sessions
        self._signalling = signalling
        self._recordings = recordings

    async def CreateVideoSession(
        self, request: video_pb2.CreateVideoSessionRequest, context: Context
    ) -> resources_pb2.VideoSession:
        patient_id, appointment_id, start = messages.new_session_fields(request)
        created = await self._sessions.create(current_principal(), patient_id, appointment_id, start)
        return messages.session_message(created)

    async def GetVideoSession(
        self, request: video_pb2.GetVideoSessionRequest, context: Context
    ) -> resources_pb2.VideoSession:
        found = await self._sessions.get(current_principal(), parse_uuid(request.session_id, "sessionId"))
        return messages.session_message(found)

    async def JoinVideoSession(
        self, request: video_pb2.JoinVideoSessionRequest, context: Context
    ) -> video_pb2.JoinVideoSessionResponse:
        who, session, servers = await self._sessions.join(
            current_principal(), parse_uuid(request.session_id, "sessionId")
        )
        return video_pb2.JoinVideoSessionResponse(
            participant_id=str(who.participant_id),
            role=who.role.value,
            ice_servers=[messages.ice_server_message(s) for s in servers],
            session=messages.session_message(session),
        )

    async def LeaveVideoSession(
        self, request: video_pb2.LeaveVideoSessionRequest, context: Context
    ) -> resources_pb2.VideoSession:
        left = await self._sessions.leave(current_principal(), parse_uuid(request.session_id, "sessionId"))
        return messages.session_message(left)

    async def EndVideoSession(
        self, request: video_pb2.EndVideoSessionRequest, context: Context
    ) -> resources_pb2.VideoSession:
        ended = await self._sessions.end(current_principal(), parse_uuid(request.session_id, "sessionId"))
        return messages.session_message(ended)

    async def SendSignal(self, request: video_pb2.SendSignalRequest, context: Context) -> video_pb2.SendSignalResponse:
        await self._signalling.send(
            current_principal(),
            parse_uuid(request.session_id, "sessionId"),
            messages.event_type(request.type),
            to_participant_id=request.to_participant_id,
            sdp=request.sdp,
            candidate=messages.signal_candidate(request),
        )
        return video_pb2.SendSignalResponse()

    async def StreamSessionEvents(
        self, request: video_pb2.StreamSessionEventsRequest, context: Context
    ) -> AsyncIterator[resources_pb2.SessionEvent]:
        # Headers go out as soon as the stream listens, so a client can wait for them before it joins.
        events = self._signalling.events(
            current_principal(),
            parse_uuid(request.session_id, "sessionId"),
            opened=lambda: context.send_initial_metadata(()),
        )
        async for event in events:
            yield messages.event_message(event)

    async def SetRecordingConsent(
        self, request: video_pb2.SetRecordingConsentRequest, context: Context
    ) -> resources_pb2.VideoSession:
        changed = await self._sessions.consent(
            current_principal(), parse_uuid(request.session_id, "sessionId"), request.recording
        )
        return messages.session_message(changed)

    async def ControlRecording(
        self, request: video_pb2.ControlRecordingRequest, context: Context
    ) -> resources_pb2.Recording:
        session_id = parse_uuid(request.session_id, "sessionId")
        viewer = current_principal()
        if request.action == video_pb2.ControlRecordingRequest.START:
            recording = await self._recordings.start(viewer, session_id)
        elif request.action == video_pb2.ControlRecordingRequest.STOP:
            recording = await self._recordings.stop(viewer, session_id)
        else:
            raise messages.invalid_action()
        return messages.recording_message(recording)

    async def GetRecording(self, request: video_pb2.GetRecordingRequest, context: Context) -> resources_pb2.Recording:
        recording = await self._recordings.get(current_principal(), parse_uuid(request.session_id, "sessionId"))
        return messages.recording_message(recording)

    async def DownloadRecording(
        self, request: video_pb2.DownloadRecordingRequest, context: Context
    ) -> AsyncIterator[httpbody_pb2.HttpBody]:
        content_type, chunks = await self._recordings.download(
            current_principal(), parse_uuid(request.session_id, "sessionId")
        )
        async for chunk in chunks:
            yield httpbody_pb2.HttpBody(content_type=content_type, data=chunk)

    async def ListVideoSessionHistory(
        self, request: video_pb2.ListVideoSessionHistoryRequest, context: Context
    ) -> video_pb2.ListVideoSessionHistoryResponse:
        page = await self._sessions.history(
            current_principal(), parse_uuid(request.user_id, "userId"), size=request.page_size, token=request.page_token
        )
        return video_pb2.ListVideoSessionHistoryResponse(
            video_sessions=[messages.session_message(s) for s in page.items], next_page_token=page.next_page_token
        )
