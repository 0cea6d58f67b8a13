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

class Prescription(_message.Message):
    __slots__ = ("id", "doctor_id", "patient_id", "appointment_id", "clinic_id", "issued_at", "valid_until", "status", "notes", "dispense_code", "items", "time_zone", "cancellation_reason", "update_time")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[Prescription.Status]
        ACTIVE: _ClassVar[Prescription.Status]
        PARTIALLY_FILLED: _ClassVar[Prescription.Status]
        FILLED: _ClassVar[Prescription.Status]
        CANCELLED: _ClassVar[Prescription.Status]
    STATUS_UNSPECIFIED: Prescription.Status
    ACTIVE: Prescription.Status
    PARTIALLY_FILLED: Prescription.Status
    FILLED: Prescription.Status
    CANCELLED: Prescription.Status
    ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    ISSUED_AT_FIELD_NUMBER: _ClassVar[int]
    VALID_UNTIL_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    DISPENSE_CODE_FIELD_NUMBER: _ClassVar[int]
    ITEMS_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_REASON_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    doctor_id: str
    patient_id: str
    appointment_id: str
    clinic_id: str
    issued_at: _timestamp_pb2.Timestamp
    valid_until: str
    status: Prescription.Status
    notes: str
    dispense_code: str
    items: _containers.RepeatedCompositeFieldContainer[PrescriptionItem]
    time_zone: str
    cancellation_reason: str
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., doctor_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., appointment_id: _Optional[str] = ..., clinic_id: _Optional[str] = ..., issued_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., valid_until: _Optional[str] = ..., status: _Optional[_Union[Prescription.Status, str]] = ..., notes: _Optional[str] = ..., dispense_code: _Optional[str] = ..., items: _Optional[_Iterable[_Union[PrescriptionItem, _Mapping]]] = ..., time_zone: _Optional[str] = ..., cancellation_reason: _Optional[str] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PrescriptionItem(_message.Message):
    __slots__ = ("id", "drug_name", "generic_name", "dosage", "frequency", "duration", "quantity", "instructions", "dispensed_quantity")
    ID_FIELD_NUMBER: _ClassVar[int]
    DRUG_NAME_FIELD_NUMBER: _ClassVar[int]
    GENERIC_NAME_FIELD_NUMBER: _ClassVar[int]
    DOSAGE_FIELD_NUMBER: _ClassVar[int]
    FREQUENCY_FIELD_NUMBER: _ClassVar[int]
    DURATION_FIELD_NUMBER: _ClassVar[int]
    QUANTITY_FIELD_NUMBER: _ClassVar[int]
    INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    DISPENSED_QUANTITY_FIELD_NUMBER: _ClassVar[int]
    id: str
    drug_name: str
    generic_name: str
    dosage: str
    frequency: str
    duration: str
    quantity: int
    instructions: str
    dispensed_quantity: int
    def __init__(self, id: _Optional[str] = ..., drug_name: _Optional[str] = ..., generic_name: _Optional[str] = ..., dosage: _Optional[str] = ..., frequency: _Optional[str] = ..., duration: _Optional[str] = ..., quantity: _Optional[int] = ..., instructions: _Optional[str] = ..., dispensed_quantity: _Optional[int] = ...) -> None: ...

class Dispensation(_message.Message):
    __slots__ = ("id", "pharmacy_id", "lines", "cost_total", "selling_total", "dispense_time")
    class BatchUse(_message.Message):
        __slots__ = ("batch_id", "batch_number", "expiry_date", "quantity")
        BATCH_ID_FIELD_NUMBER: _ClassVar[int]
        BATCH_NUMBER_FIELD_NUMBER: _ClassVar[int]
        EXPIRY_DATE_FIELD_NUMBER: _ClassVar[int]
        QUANTITY_FIELD_NUMBER: _ClassVar[int]
        batch_id: str
        batch_number: str
        expiry_date: str
        quantity: int
        def __init__(self, batch_id: _Optional[str] = ..., batch_number: _Optional[str] = ..., expiry_date: _Optional[str] = ..., quantity: _Optional[int] = ...) -> None: ...
    class Line(_message.Message):
        __slots__ = ("item_id", "catalog_item_id", "quantity", "batches")
        ITEM_ID_FIELD_NUMBER: _ClassVar[int]
        CATALOG_ITEM_ID_FIELD_NUMBER: _ClassVar[int]
        QUANTITY_FIELD_NUMBER: _ClassVar[int]
        BATCHES_FIELD_NUMBER: _ClassVar[int]
        item_id: str
        catalog_item_id: str
        quantity: int
        batches: _containers.RepeatedCompositeFieldContainer[Dispensation.BatchUse]
        def __init__(self, item_id: _Optional[str] = ..., catalog_item_id: _Optional[str] = ..., quantity: _Optional[int] = ..., batches: _Optional[_Iterable[_Union[Dispensation.BatchUse, _Mapping]]] = ...) -> None: ...
    ID_FIELD_NUMBER: _ClassVar[int]
    PHARMACY_ID_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    COST_TOTAL_FIELD_NUMBER: _ClassVar[int]
    SELLING_TOTAL_FIELD_NUMBER: _ClassVar[int]
    DISPENSE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    pharmacy_id: str
    lines: _containers.RepeatedCompositeFieldContainer[Dispensation.Line]
    cost_total: str
    selling_total: str
    dispense_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., pharmacy_id: _Optional[str] = ..., lines: _Optional[_Iterable[_Union[Dispensation.Line, _Mapping]]] = ..., cost_total: _Optional[str] = ..., selling_total: _Optional[str] = ..., dispense_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
