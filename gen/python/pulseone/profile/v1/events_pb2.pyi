from pulseone.events.v1 import metadata_pb2 as _metadata_pb2
from pulseone.profile.v1 import resources_pb2 as _resources_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class DoctorUpdated(_message.Message):
    __slots__ = ("metadata", "doctor")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    doctor: _resources_pb2.Doctor
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., doctor: _Optional[_Union[_resources_pb2.Doctor, _Mapping]] = ...) -> None: ...

class ClinicUpdated(_message.Message):
    __slots__ = ("metadata", "clinic")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    CLINIC_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    clinic: _resources_pb2.Clinic
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., clinic: _Optional[_Union[_resources_pb2.Clinic, _Mapping]] = ...) -> None: ...

class AffiliationUpdated(_message.Message):
    __slots__ = ("metadata", "affiliation")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    AFFILIATION_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    affiliation: _resources_pb2.ClinicDoctor
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., affiliation: _Optional[_Union[_resources_pb2.ClinicDoctor, _Mapping]] = ...) -> None: ...

class PharmacyUpdated(_message.Message):
    __slots__ = ("metadata", "pharmacy")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    PHARMACY_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    pharmacy: _resources_pb2.Pharmacy
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., pharmacy: _Optional[_Union[_resources_pb2.Pharmacy, _Mapping]] = ...) -> None: ...

class ConsentChanged(_message.Message):
    __slots__ = ("metadata", "patient_id", "doctor_id", "granted")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    GRANTED_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    patient_id: str
    doctor_id: str
    granted: bool
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., patient_id: _Optional[str] = ..., doctor_id: _Optional[str] = ..., granted: _Optional[bool] = ...) -> None: ...

class LicenseChanged(_message.Message):
    __slots__ = ("metadata", "user_id", "license_number")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    USER_ID_FIELD_NUMBER: _ClassVar[int]
    LICENSE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    user_id: str
    license_number: str
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., user_id: _Optional[str] = ..., license_number: _Optional[str] = ...) -> None: ...
