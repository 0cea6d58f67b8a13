from pulseone.auth.v1 import auth_pb2 as _auth_pb2
from pulseone.events.v1 import metadata_pb2 as _metadata_pb2
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UserRegistered(_message.Message):
    __slots__ = ("metadata", "user", "clinic", "pharmacy")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    CLINIC_FIELD_NUMBER: _ClassVar[int]
    PHARMACY_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    user: _auth_pb2.User
    clinic: _auth_pb2.ClinicDetails
    pharmacy: _auth_pb2.PharmacyDetails
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., user: _Optional[_Union[_auth_pb2.User, _Mapping]] = ..., clinic: _Optional[_Union[_auth_pb2.ClinicDetails, _Mapping]] = ..., pharmacy: _Optional[_Union[_auth_pb2.PharmacyDetails, _Mapping]] = ...) -> None: ...

class UserApproved(_message.Message):
    __slots__ = ("metadata", "user")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    user: _auth_pb2.User
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., user: _Optional[_Union[_auth_pb2.User, _Mapping]] = ...) -> None: ...

class UserSuspended(_message.Message):
    __slots__ = ("metadata", "user", "reason")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    user: _auth_pb2.User
    reason: str
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., user: _Optional[_Union[_auth_pb2.User, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...

class UserReactivated(_message.Message):
    __slots__ = ("metadata", "user")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    user: _auth_pb2.User
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., user: _Optional[_Union[_auth_pb2.User, _Mapping]] = ...) -> None: ...

class UserApprovalRevoked(_message.Message):
    __slots__ = ("metadata", "user", "reason")
    METADATA_FIELD_NUMBER: _ClassVar[int]
    USER_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    metadata: _metadata_pb2.EventMetadata
    user: _auth_pb2.User
    reason: str
    def __init__(self, metadata: _Optional[_Union[_metadata_pb2.EventMetadata, _Mapping]] = ..., user: _Optional[_Union[_auth_pb2.User, _Mapping]] = ..., reason: _Optional[str] = ...) -> None: ...
