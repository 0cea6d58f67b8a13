from google.api import annotations_pb2 as _annotations_pb2
from pulseone.authz.v1 import authz_pb2 as _authz_pb2
from pulseone.prescriptions.v1 import resources_pb2 as _resources_pb2
from pulseone.validation.v1 import validation_pb2 as _validation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class CreatePrescriptionRequest(_message.Message):
    __slots__ = ("appointment_id", "items", "notes", "valid_until", "request_id")
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    items: _containers.RepeatedCompositeFieldContainer[_resources_pb2.PrescriptionItem]
    notes: str
    valid_until: str
    request_id: str
    def __init__(self, appointment_id: _Optional[str] = ..., items: _Optional[_Iterable[_Union[_resources_pb2.PrescriptionItem, _Mapping]]] = ..., notes: _Optional[str] = ..., valid_until: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetPrescriptionRequest(_message.Message):
    __slots__ = ("prescription_id",)
    PRESCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    prescription_id: str
    def __init__(self, prescription_id: _Optional[str] = ...) -> None: ...

class ListPrescriptionsRequest(_message.Message):
    __slots__ = ("appointment_id", "doctor_id", "patient_id", "page_size", "page_token")
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    doctor_id: str
    patient_id: str
    page_size: int
    page_token: str
    def __init__(self, appointment_id: _Optional[str] = ..., doctor_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPrescriptionsResponse(_message.Message):
    __slots__ = ("prescriptions", "next_page_token")
    PRESCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    prescriptions: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Prescription]
    next_page_token: str
    def __init__(self, prescriptions: _Optional[_Iterable[_Union[_resources_pb2.Prescription, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class FindActivePrescriptionsRequest(_message.Message):
    __slots__ = ("code",)
    CODE_FIELD_NUMBER: _ClassVar[int]
    code: str
    def __init__(self, code: _Optional[str] = ...) -> None: ...

class FindActivePrescriptionsResponse(_message.Message):
    __slots__ = ("prescriptions",)
    PRESCRIPTIONS_FIELD_NUMBER: _ClassVar[int]
    prescriptions: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Prescription]
    def __init__(self, prescriptions: _Optional[_Iterable[_Union[_resources_pb2.Prescription, _Mapping]]] = ...) -> None: ...

class ChangePrescriptionStatusRequest(_message.Message):
    __slots__ = ("prescription_id", "status", "code", "reason")
    PRESCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    prescription_id: str
    status: _resources_pb2.Prescription.Status
    code: str
    reason: str
    def __init__(self, prescription_id: _Optional[str] = ..., status: _Optional[_Union[_resources_pb2.Prescription.Status, str]] = ..., code: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class CancelPrescriptionRequest(_message.Message):
    __slots__ = ("prescription_id", "reason")
    PRESCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    prescription_id: str
    reason: str
    def __init__(self, prescription_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class DispenseLine(_message.Message):
    __slots__ = ("item_id", "catalog_item_id", "quantity")
    ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    CATALOG_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    item_id: str
    catalog_item_id: str
    quantity: int
    def __init__(self, item_id: _Optional[str] = ..., catalog_item_id: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...

class DispensePrescriptionRequest(_message.Message):
    __slots__ = ("prescription_id", "code", "pharmacy_id", "lines", "request_id")
    PRESCRIPTION_ID_FIELD_NUMBER: _ClassVar[int]
    CODE_FIELD_NUMBER: _ClassVar[int]
    PHARMACY_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    prescription_id: str
    code: str
    pharmacy_id: str
    lines: _containers.RepeatedCompositeFieldContainer[DispenseLine]
    request_id: str
    def __init__(self, prescription_id: _Optional[str] = ..., code: _Optional[str] = ..., pharmacy_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[DispenseLine, _Mapping]]] = ..., request_id: _Optional[str] = ...) -> None: ...

class DispensePrescriptionResponse(_message.Message):
    __slots__ = ("prescription", "dispensation")
    PRESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    DISPENSATION_FIELD_NUMBER: _ClassVar[int]
    prescription: _resources_pb2.Prescription
    dispensation: _resources_pb2.Dispensation
    def __init__(self, prescription: _Optional[_Union[_resources_pb2.Prescription, _Mapping]] = ..., dispensation: _Optional[_Union[_resources_pb2.Dispensation, _Mapping]] = ...) -> None: ...
