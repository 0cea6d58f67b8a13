from pulseone.appointments.v1 import resources_pb2 as _resources_pb2
from pulseone.events.v1 import metadata_pb2 as _metadata_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AppointmentChanged(_message.Message):
    __slots__ = ("metadata", "appointment", "previous_status")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    APPOINTMENT_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    appointment: _resources_pb2.Appointment
    previous_status: _resources_pb2.Appointment.Status
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., appointment: _Optional[_Union[_resources_pb2.Appointment, _Mapping]] = ..., previous_status: _Optional[_Union[_resources_pb2.Appointment.Status, str]] = ...) -> None: ...

class SessionChanged(_message.Message):
    __slots__ = ("metadata", "session")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    session: _resources_pb2.Session
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., session: _Optional[_Union[_resources_pb2.Session, _Mapping]] = ...) -> None: ...
