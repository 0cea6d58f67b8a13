import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from pulseone.events.v1 import metadata_pb2 as _metadata_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class VideoSessionCreated(_message.Message):
    __slots__ = ("metadata", "session_id", "appointment_id", "doctor_id", "patient_id")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    session_id: str
    appointment_id: str
    doctor_id: str
    patient_id: str
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., session_id: _Optional[str] = ..., appointment_id: _Optional[str] = ..., doctor_id: _Optional[str] = ..., patient_id: _Optional[str] = ...) -> None: ...

class ParticipantJoined(_message.Message):
    __slots__ = ("metadata", "session_id", "appointment_id", "participant_id", "role", "join_time", "consultation_start_time")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    PARTICIPANT_ID_FIELD_NUMBER: _ClassVar[int]
    ROLE_FIELD_NUMBER: _ClassVar[int]
    JOIN_TIME_FIELD_NUMBER: _ClassVar[int]
    CONSULTATION_START_TIME_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    session_id: str
    appointment_id: str
    participant_id: str
    role: str
    join_time: _timestamp_pb2.Timestamp
    consultation_start_time: _timestamp_pb2.Timestamp
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., session_id: _Optional[str] = ..., appointment_id: _Optional[str] = ..., participant_id: _Optional[str] = ..., role: _Optional[str] = ..., join_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., consultation_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class VideoSessionEnded(_message.Message):
    __slots__ = ("metadata", "session_id", "appointment_id", "start_time", "end_time")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    session_id: str
    appointment_id: str
    start_time: _timestamp_pb2.Timestamp
    end_time: _timestamp_pb2.Timestamp
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., session_id: _Optional[str] = ..., appointment_id: _Optional[str] = ..., start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
