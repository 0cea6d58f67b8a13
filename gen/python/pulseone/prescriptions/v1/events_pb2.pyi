from pulseone.events.v1 import metadata_pb2 as _metadata_pb2
from pulseone.prescriptions.v1 import resources_pb2 as _resources_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class PrescriptionChanged(_message.Message):
    __slots__ = ("metadata", "prescription", "previous_status", "dispensation")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    PRESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    PREVIOUS_STATUS_FIELD_NUMBER: _ClassVar[int]
    DISPENSATION_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    prescription: _resources_pb2.Prescription
    previous_status: _resources_pb2.Prescription.Status
    dispensation: _resources_pb2.Dispensation
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., prescription: _Optional[_Union[_resources_pb2.Prescription, _Mapping]] = ..., previous_status: _Optional[_Union[_resources_pb2.Prescription.Status, str]] = ..., dispensation: _Optional[_Union[_resources_pb2.Dispensation, _Mapping]] = ...) -> None: ...
