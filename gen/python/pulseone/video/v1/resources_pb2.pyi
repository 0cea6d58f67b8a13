import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from pulseone.validation.v1 import validation_pb2 as _validation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class VideoSession(_message.Message):
    __slots__ = ("id", "appointment_id", "doctor_id", "patient_id", "status", "scheduled_start_time", "start_time", "end_time", "participants", "recording", "cancellation_reason", "create_time", "update_time")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[VideoSession.Status]
        SCHEDULED: _ClassVar[VideoSession.Status]
        ACTIVE: _ClassVar[VideoSession.Status]
        COMPLETED: _ClassVar[VideoSession.Status]
        CANCELLED: _ClassVar[VideoSession.Status]
    STATUS_UNSPECIFIED: VideoSession.Status
    SCHEDULED: VideoSession.Status
    ACTIVE: VideoSession.Status
    COMPLETED: VideoSession.Status
    CANCELLED: VideoSession.Status
    ID_FIELD_NUMBER: _ClassVar[int]
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    SCHEDULED_START_TIME_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANTS_FIELD_NUMBER: _ClassVar[int]
    RECORDING_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_REASON_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    appointment_id: str
    doctor_id: str
    patient_id: str
    status: VideoSession.Status
    scheduled_start_time: _timestamp_pb2.Timestamp
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    participants: _containers.RepeatedCompositeFieldContainer[Participant]
    recording: Recording
    cancellation_reason: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., appointment_id: _Optional[str] = ..., doctor_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., status: _Optional[_Union[VideoSession.Status, str]] = ..., scheduled_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., participants: _Optional[_Iterable[_Union[Participant, _Mapping]]] = ..., recording: _Optional[_Union[Recording, _Mapping]] = ..., cancellation_reason: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Participant(_message.Message):
    __slots__ = ("participant_id", "role", "present", "join_time", "leave_time", "recording_consent")
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    PRESENT_FIELD_NUMBER: _ClassVar[int]
    JOIN_TIME_FIELD_NUMBER: _ClassVar[int]
    LEAVE_TIME_FIELD_NUMBER: _ClassVar[int]
    RECORDING_CONSENT_FIELD_NUMBER: _ClassVar[int]
    participant_id: str
    role: str
    present: bool
    join_time: _timestamp_pb2.Timestamp
    leave_time: _timestamp_pb2.Timestamp
    recording_consent: bool
    def __init__(self, participant_id: _Optional[str] = ..., role: _Optional[str] = ..., present: _Optional[bool] = ..., join_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., leave_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., recording_consent: _Optional[bool] = ...) -> None: ...

class Recording(_message.Message):
    __slots__ = ("status", "started_at", "duration_seconds", "size_bytes", "frames", "content_type")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[Recording.Status]
        NOT_STARTED: _ClassVar[Recording.Status]
        RECORDING: _ClassVar[Recording.Status]
        STOPPED: _ClassVar[Recording.Status]
        FAILED: _ClassVar[Recording.Status]
    STATUS_UNSPECIFIED: Recording.Status
    NOT_STARTED: Recording.Status
    RECORDING: Recording.Status
    STOPPED: Recording.Status
    FAILED: Recording.Status
    STATUS_FIELD_NUMBER: _ClassVar[int]
    STARTED_AT_FIELD_NUMBER: _ClassVar[int]
    DURATION_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SIZE_BYTES_FIELD_NUMBER: _ClassVar[int]
    FRAMES_FIELD_NUMBER: _ClassVar[int]
    CONTENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    status: Recording.Status
    started_at: _timestamp_pb2.Timestamp
    duration_seconds: float
    size_bytes: int
    frames: int
    content_type: str
    def __init__(self, status: _Optional[_Union[Recording.Status, str]] = ..., started_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., duration_seconds: _Optional[float] = ..., size_bytes: _Optional[int] = ..., frames: _Optional[int] = ..., content_type: _Optional[str] = ...) -> None: ...

class IceServer(_message.Message):
    __slots__ = ("urls", "username", "credential")
    URLS_FIELD_NUMBER: _ClassVar[int]
    USERNAME_FIELD_NUMBER: _ClassVar[int]
    CREDENTIAL_FIELD_NUMBER: _ClassVar[int]
    urls: _containers.RepeatedScalarFieldContainer[str]
    username: str
    credential: str
    def __init__(self, urls: _Optional[_Iterable[str]] = ..., username: _Optional[str] = ..., credential: _Optional[str] = ...) -> None: ...

class IceCandidate(_message.Message):
    __slots__ = ("candidate", "sdp_mid", "sdp_m_line_index")
    CANDIDATE_FIELD_NUMBER: _ClassVar[int]
    SDP_MID_FIELD_NUMBER: _ClassVar[int]
    SDP_M_LINE_INDEX_FIELD_NUMBER: _ClassVar[int]
    candidate: str
    sdp_mid: str
    sdp_m_line_index: int
    def __init__(self, candidate: _Optional[str] = ..., sdp_mid: _Optional[str] = ..., sdp_m_line_index: _Optional[int] = ...) -> None: ...

class SessionEvent(_message.Message):
    __slots__ = ("type", "from_participant_id", "to_participant_id", "sdp", "candidate", "participant_id", "time")
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TYPE_UNSPECIFIED: _ClassVar[SessionEvent.Type]
        PARTICIPANT_JOINED: _ClassVar[SessionEvent.Type]
        PARTICIPANT_LEFT: _ClassVar[SessionEvent.Type]
        OFFER: _ClassVar[SessionEvent.Type]
        ANSWER: _ClassVar[SessionEvent.Type]
        ICE_CANDIDATE: _ClassVar[SessionEvent.Type]
        SESSION_STARTED: _ClassVar[SessionEvent.Type]
        SESSION_ENDED: _ClassVar[SessionEvent.Type]
        RECORDING_STARTED: _ClassVar[SessionEvent.Type]
        RECORDING_STOPPED: _ClassVar[SessionEvent.Type]
        HEARTBEAT: _ClassVar[SessionEvent.Type]
    TYPE_UNSPECIFIED: SessionEvent.Type
    PARTICIPANT_JOINED: SessionEvent.Type
    PARTICIPANT_LEFT: SessionEvent.Type
    OFFER: SessionEvent.Type
    ANSWER: SessionEvent.Type
    ICE_CANDIDATE: SessionEvent.Type
    SESSION_STARTED: SessionEvent.Type
    SESSION_ENDED: SessionEvent.Type
    RECORDING_STARTED: SessionEvent.Type
    RECORDING_STOPPED: SessionEvent.Type
    HEARTBEAT: SessionEvent.Type
    TYPE_FIELD_NUMBER: _ClassVar[int]
    FROM_PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    TO_PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    SDP_FIELD_NUMBER: _ClassVar[int]
    CANDIDATE_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_FIELD_NUMBER: _ClassVar[int]
    type: SessionEvent.Type
    from_participant_id: str
    to_participant_id: str
    sdp: str
    candidate: IceCandidate
    participant_id: str
    time: _timestamp_pb2.Timestamp
    def __init__(self, type: _Optional[_Union[SessionEvent.Type, str]] = ..., from_participant_id: _Optional[str] = ..., to_participant_id: _Optional[str] = ..., sdp: _Optional[str] = ..., candidate: _Optional[_Union[IceCandidate, _Mapping]] = ..., participant_id: _Optional[str] = ..., time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
