import datetime

from google.api import annotations_pb2 as _annotations_pb2
from google.api import httpbody_pb2 as _httpbody_pb2
from google.protobuf import timestamp_pb2 as _timestamp_pb2
from pulseone.authz.v1 import authz_pb2 as _authz_pb2
from pulseone.validation.v1 import validation_pb2 as _validation_pb2
from pulseone.video.v1 import resources_pb2 as _resources_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreateVideoSessionRequest(_message.Message):
    __slots__ = ("patient_id", "appointment_id", "scheduled_start_time")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_START_TIME_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    appointment_id: str
    scheduled_start_time: _timestamp_pb2.Timestamp
    def __init__(self, patient_id: _Optional[str] = ..., appointment_id: _Optional[str] = ..., scheduled_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class GetVideoSessionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class JoinVideoSessionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class JoinVideoSessionResponse(_message.Message):
    __slots__ = ("participant_id", "role", "ice_servers", "session")
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    ICE_SERVERS_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    participant_id: str
    role: str
    ice_servers: _containers.RepeatedCompositeFieldContainer[_resources_pb2.IceServer]
    session: _resources_pb2.VideoSession
    def __init__(self, participant_id: _Optional[str] = ..., role: _Optional[str] = ..., ice_servers: _Optional[_Iterable[_Union[_resources_pb2.IceServer, _Mapping]]] = ..., session: _Optional[_Union[_resources_pb2.VideoSession, _Mapping]] = ...) -> None: ...

class LeaveVideoSessionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class EndVideoSessionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class SendSignalRequest(_message.Message):
    __slots__ = ("session_id", "type", "to_participant_id", "sdp", "candidate")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TYPE_FIELD_NUMBER: _ClassVar[int]
    TO_PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    SDP_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    type: _resources_pb2.SessionEvent.Type
    to_participant_id: str
    sdp: str
    candidate: _resources_pb2.IceCandidate
    def __init__(self, session_id: _Optional[str] = ..., type: _Optional[_Union[_resources_pb2.SessionEvent.Type, str]] = ..., to_participant_id: _Optional[str] = ..., sdp: _Optional[str] = ..., candidate: _Optional[_Union[_resources_pb2.IceCandidate, _Mapping]] = ...) -> None: ...

class SendSignalResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class StreamSessionEventsRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class SetRecordingConsentRequest(_message.Message):
    __slots__ = ("session_id", "recording")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    RECORDING_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    recording: bool
    def __init__(self, session_id: _Optional[str] = ..., recording: _Optional[bool] = ...) -> None: ...

class ControlRecordingRequest(_message.Message):
    __slots__ = ("session_id", "action")
    class Action(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ACTION_UNSPECIFIED: _ClassVar[ControlRecordingRequest.Action]
        START: _ClassVar[ControlRecordingRequest.Action]
        STOP: _ClassVar[ControlRecordingRequest.Action]
    ACTION_UNSPECIFIED: ControlRecordingRequest.Action
    START: ControlRecordingRequest.Action
    STOP: ControlRecordingRequest.Action
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    ACTION_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    action: ControlRecordingRequest.Action
    def __init__(self, session_id: _Optional[str] = ..., action: _Optional[_Union[ControlRecordingRequest.Action, str]] = ...) -> None: ...

class GetRecordingRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class DownloadRecordingRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class ListVideoSessionHistoryRequest(_message.Message):
    __slots__ = ("user_id", "page_size", "page_token")
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    user_id: str
    page_size: int
    page_token: str
    def __init__(self, user_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListVideoSessionHistoryResponse(_message.Message):
    __slots__ = ("video_sessions", "next_page_token")
    VIDEO_SESSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    video_sessions: _containers.RepeatedCompositeFieldContainer[_resources_pb2.VideoSession]
    next_page_token: str
    def __init__(self, video_sessions: _Optional[_Iterable[_Union[_resources_pb2.VideoSession, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...
