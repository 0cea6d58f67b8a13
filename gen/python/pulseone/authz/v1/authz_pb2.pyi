from google.protobuf import descriptor_pb2 as _descriptor_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor
RULE_FIELD_NUMBER: _ClassVar[int]
rule: _descriptor.FieldDescriptor

class Rule(_message.Message):
    __slots__ = ("public", "roles", "allow_pending", "audit")
    class Role(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        ROLE_UNSPECIFIED: _ClassVar[Rule.Role]
        PATIENT: _ClassVar[Rule.Role]
        DOCTOR: _ClassVar[Rule.Role]
        CLINIC_ADMIN: _ClassVar[Rule.Role]
        PHARMACY: _ClassVar[Rule.Role]
        SYSTEM_ADMIN: _ClassVar[Rule.Role]
    ROLE_UNSPECIFIED: Rule.Role
    PATIENT: Rule.Role
    DOCTOR: Rule.Role
    CLINIC_ADMIN: Rule.Role
    PHARMACY: Rule.Role
    SYSTEM_ADMIN: Rule.Role
    PUBLIC_FIELD_NUMBER: _ClassVar[int]
    ROLES_FIELD_NUMBER: _ClassVar[int]
    ALLOW_PENDING_FIELD_NUMBER: _ClassVar[int]
    AUDIT_FIELD_NUMBER: _ClassVar[int]
    public: bool
    roles: _containers.RepeatedScalarFieldContainer[Rule.Role]
    allow_pending: bool
    audit: Audit
    def __init__(self, public: _Optional[bool] = ..., roles: _Optional[_Iterable[_Union[Rule.Role, str]]] = ..., allow_pending: _Optional[bool] = ..., audit: _Optional[_Union[Audit, _Mapping]] = ...) -> None: ...

class Audit(_message.Message):
    __slots__ = ("action", "resource_type", "response_ids", "request_ids", "changes", "patient_field", "request_patient_field")
    class RequestId(_message.Message):
        __slots__ = ("field", "resource_type")
        FIELD_FIELD_NUMBER: _ClassVar[int]
        RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
        field: str
        resource_type: str
        def __init__(self, field: _Optional[str] = ..., resource_type: _Optional[str] = ...) -> None: ...
    ACTION_FIELD_NUMBER: _ClassVar[int]
    RESOURCE_TYPE_FIELD_NUMBER: _ClassVar[int]
    RESPONSE_IDS_FIELD_NUMBER: _ClassVar[int]
    REQUEST_IDS_FIELD_NUMBER: _ClassVar[int]
    CHANGES_FIELD_NUMBER: _ClassVar[int]
    PATIENT_FIELD_FIELD_NUMBER: _ClassVar[int]
    REQUEST_PATIENT_FIELD_FIELD_NUMBER: _ClassVar[int]
    action: str
    resource_type: str
    response_ids: _containers.RepeatedScalarFieldContainer[str]
    request_ids: _containers.RepeatedCompositeFieldContainer[Audit.RequestId]
    changes: bool
    patient_field: str
    request_patient_field: str
    def __init__(self, action: _Optional[str] = ..., resource_type: _Optional[str] = ..., response_ids: _Optional[_Iterable[str]] = ..., request_ids: _Optional[_Iterable[_Union[Audit.RequestId, _Mapping]]] = ..., changes: _Optional[bool] = ..., patient_field: _Optional[str] = ..., request_patient_field: _Optional[str] = ...) -> None: ...
