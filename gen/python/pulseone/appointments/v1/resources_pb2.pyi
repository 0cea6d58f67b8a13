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

class Session(_message.Message):
    __slots__ = ("id", "doctor_id", "clinic_id", "day_of_week", "session_start_time", "session_end_time", "service_type", "max_queue_size", "estimated_consultation_minutes", "effective_from", "effective_until", "active", "time_zone", "fee", "currency", "doctor_name", "clinic_name", "create_time", "update_time")
    class DayOfWeek(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        DAY_OF_WEEK_UNSPECIFIED: _ClassVar[Session.DayOfWeek]
        MONDAY: _ClassVar[Session.DayOfWeek]
        TUESDAY: _ClassVar[Session.DayOfWeek]
        WEDNESDAY: _ClassVar[Session.DayOfWeek]
        THURSDAY: _ClassVar[Session.DayOfWeek]
        FRIDAY: _ClassVar[Session.DayOfWeek]
        SATURDAY: _ClassVar[Session.DayOfWeek]
        SUNDAY: _ClassVar[Session.DayOfWeek]
    DAY_OF_WEEK_UNSPECIFIED: Session.DayOfWeek
    MONDAY: Session.DayOfWeek
    TUESDAY: Session.DayOfWeek
    WEDNESDAY: Session.DayOfWeek
    THURSDAY: Session.DayOfWeek
    FRIDAY: Session.DayOfWeek
    SATURDAY: Session.DayOfWeek
    SUNDAY: Session.DayOfWeek
    class ServiceType(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        SERVICE_TYPE_UNSPECIFIED: _ClassVar[Session.ServiceType]
        VIRTUAL: _ClassVar[Session.ServiceType]
        IN_PERSON: _ClassVar[Session.ServiceType]
        BOTH: _ClassVar[Session.ServiceType]
    SERVICE_TYPE_UNSPECIFIED: Session.ServiceType
    VIRTUAL: Session.ServiceType
    IN_PERSON: Session.ServiceType
    BOTH: Session.ServiceType
    ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    DAY_OF_WEEK_FIELD_NUMBER: _ClassVar[int]
    SESSION_START_TIME_FIELD_NUMBER: _ClassVar[int]
    SESSION_END_TIME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    MAX_QUEUE_SIZE_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_CONSULTATION_MINUTES_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_FROM_FIELD_NUMBER: _ClassVar[int]
    EFFECTIVE_UNTIL_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    CLINIC_NAME_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    doctor_id: str
    clinic_id: str
    day_of_week: Session.DayOfWeek
    session_start_time: str
    session_end_time: str
    service_type: Session.ServiceType
    max_queue_size: int
    estimated_consultation_minutes: int
    effective_from: str
    effective_until: str
    active: bool
    time_zone: str
    fee: str
    currency: str
    doctor_name: str
    clinic_name: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., doctor_id: _Optional[str] = ..., clinic_id: _Optional[str] = ..., day_of_week: _Optional[_Union[Session.DayOfWeek, str]] = ..., session_start_time: _Optional[str] = ..., session_end_time: _Optional[str] = ..., service_type: _Optional[_Union[Session.ServiceType, str]] = ..., max_queue_size: _Optional[int] = ..., estimated_consultation_minutes: _Optional[int] = ..., effective_from: _Optional[str] = ..., effective_until: _Optional[str] = ..., active: _Optional[bool] = ..., time_zone: _Optional[str] = ..., fee: _Optional[str] = ..., currency: _Optional[str] = ..., doctor_name: _Optional[str] = ..., clinic_name: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SessionOverride(_message.Message):
    __slots__ = ("session_id", "date", "cancelled", "start_time", "end_time", "max_queue_size", "reason")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    MAX_QUEUE_SIZE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    date: str
    cancelled: bool
    start_time: str
    end_time: str
    max_queue_size: int
    reason: str
    def __init__(self, session_id: _Optional[str] = ..., date: _Optional[str] = ..., cancelled: _Optional[bool] = ..., start_time: _Optional[str] = ..., end_time: _Optional[str] = ..., max_queue_size: _Optional[int] = ..., reason: _Optional[str] = ...) -> None: ...

class Occurrence(_message.Message):
    __slots__ = ("session_id", "date", "doctor_id", "doctor_name", "clinic_id", "clinic_name", "service_type", "start_time", "end_time", "time_zone", "capacity", "booked", "available", "estimated_start_time", "fee", "currency", "cancelled", "cancellation_reason")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    CLINIC_NAME_FIELD_NUMBER: _ClassVar[int]
    SERVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    START_TIME_FIELD_NUMBER: _ClassVar[int]
    END_TIME_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    CAPACITY_FIELD_NUMBER: _ClassVar[int]
    BOOKED_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_START_TIME_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_REASON_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    date: str
    doctor_id: str
    doctor_name: str
    clinic_id: str
    clinic_name: str
    service_type: Session.ServiceType
    start_time: str
    end_time: str
    time_zone: str
    capacity: int
    booked: int
    available: int
    estimated_start_time: _timestamp_pb2.Timestamp
    fee: str
    currency: str
    cancelled: bool
    cancellation_reason: str
    def __init__(self, session_id: _Optional[str] = ..., date: _Optional[str] = ..., doctor_id: _Optional[str] = ..., doctor_name: _Optional[str] = ..., clinic_id: _Optional[str] = ..., clinic_name: _Optional[str] = ..., service_type: _Optional[_Union[Session.ServiceType, str]] = ..., start_time: _Optional[str] = ..., end_time: _Optional[str] = ..., time_zone: _Optional[str] = ..., capacity: _Optional[int] = ..., booked: _Optional[int] = ..., available: _Optional[int] = ..., estimated_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., fee: _Optional[str] = ..., currency: _Optional[str] = ..., cancelled: _Optional[bool] = ..., cancellation_reason: _Optional[str] = ...) -> None: ...

class Appointment(_message.Message):
    __slots__ = ("id", "session_id", "appointment_date", "patient_id", "doctor_id", "doctor_name", "specialization", "clinic_id", "clinic_name", "appointment_type", "status", "queue_number", "chief_complaint", "estimated_start_time", "estimated_wait_minutes", "actual_start_time", "actual_end_time", "fee", "currency", "cancellation_reason", "cancelled_by_role", "rescheduled_from_id", "video_session_id", "time_zone", "create_time", "update_time", "doctor_notes")
    class Status(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        STATUS_UNSPECIFIED: _ClassVar[Appointment.Status]
        BOOKED: _ClassVar[Appointment.Status]
        CHECKED_IN: _ClassVar[Appointment.Status]
        IN_PROGRESS: _ClassVar[Appointment.Status]
        COMPLETED: _ClassVar[Appointment.Status]
        CANCELLED: _ClassVar[Appointment.Status]
        NO_SHOW: _ClassVar[Appointment.Status]
    STATUS_UNSPECIFIED: Appointment.Status
    BOOKED: Appointment.Status
    CHECKED_IN: Appointment.Status
    IN_PROGRESS: Appointment.Status
    COMPLETED: Appointment.Status
    CANCELLED: Appointment.Status
    NO_SHOW: Appointment.Status
    class Type(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        TYPE_UNSPECIFIED: _ClassVar[Appointment.Type]
        IN_PERSON: _ClassVar[Appointment.Type]
        VIRTUAL: _ClassVar[Appointment.Type]
    TYPE_UNSPECIFIED: Appointment.Type
    IN_PERSON: Appointment.Type
    VIRTUAL: Appointment.Type
    ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    APPOINTMENT_DATE_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_NAME_FIELD_NUMBER: _ClassVar[int]
    SPECIALIZATION_FIELD_NUMBER: _ClassVar[int]
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    CLINIC_NAME_FIELD_NUMBER: _ClassVar[int]
    APPOINTMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    QUEUE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    CHIEF_COMPLAINT_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_START_TIME_FIELD_NUMBER: _ClassVar[int]
    ESTIMATED_WAIT_MINUTES_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_START_TIME_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_END_TIME_FIELD_NUMBER: _ClassVar[int]
    FEE_FIELD_NUMBER: _ClassVar[int]
    CURRENCY_FIELD_NUMBER: _ClassVar[int]
    CANCELLATION_REASON_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_BY_ROLE_FIELD_NUMBER: _ClassVar[int]
    RESCHEDULED_FROM_ID_FIELD_NUMBER: _ClassVar[int]
    VIDEO_SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    TIME_ZONE_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_NOTES_FIELD_NUMBER: _ClassVar[int]
    id: str
    session_id: str
    appointment_date: str
    patient_id: str
    doctor_id: str
    doctor_name: str
    specialization: str
    clinic_id: str
    clinic_name: str
    appointment_type: Appointment.Type
    status: Appointment.Status
    queue_number: int
    chief_complaint: str
    estimated_start_time: _timestamp_pb2.Timestamp
    estimated_wait_minutes: int
    actual_start_time: _timestamp_pb2.Timestamp
    actual_end_time: _timestamp_pb2.Timestamp
    fee: str
    currency: str
    cancellation_reason: str
    cancelled_by_role: str
    rescheduled_from_id: str
    video_session_id: str
    time_zone: str
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    doctor_notes: str
    def __init__(self, id: _Optional[str] = ..., session_id: _Optional[str] = ..., appointment_date: _Optional[str] = ..., patient_id: _Optional[str] = ..., doctor_id: _Optional[str] = ..., doctor_name: _Optional[str] = ..., specialization: _Optional[str] = ..., clinic_id: _Optional[str] = ..., clinic_name: _Optional[str] = ..., appointment_type: _Optional[_Union[Appointment.Type, str]] = ..., status: _Optional[_Union[Appointment.Status, str]] = ..., queue_number: _Optional[int] = ..., chief_complaint: _Optional[str] = ..., estimated_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., estimated_wait_minutes: _Optional[int] = ..., actual_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actual_end_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., fee: _Optional[str] = ..., currency: _Optional[str] = ..., cancellation_reason: _Optional[str] = ..., cancelled_by_role: _Optional[str] = ..., rescheduled_from_id: _Optional[str] = ..., video_session_id: _Optional[str] = ..., time_zone: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., doctor_notes: _Optional[str] = ...) -> None: ...

class StatusChange(_message.Message):
    __slots__ = ("from_status", "to_status", "actor_id", "actor_role", "reason", "change_time")
    FROM_STATUS_FIELD_NUMBER: _ClassVar[int]
    TO_STATUS_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ID_FIELD_NUMBER: _ClassVar[int]
    ACTOR_ROLE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CHANGE_TIME_FIELD_NUMBER: _ClassVar[int]
    from_status: Appointment.Status
    to_status: Appointment.Status
    actor_id: str
    actor_role: str
    reason: str
    change_time: _timestamp_pb2.Timestamp
    def __init__(self, from_status: _Optional[_Union[Appointment.Status, str]] = ..., to_status: _Optional[_Union[Appointment.Status, str]] = ..., actor_id: _Optional[str] = ..., actor_role: _Optional[str] = ..., reason: _Optional[str] = ..., change_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class QueueEntry(_message.Message):
    __slots__ = ("appointment_id", "queue_number", "patient_id", "status", "expected_start_time", "actual_start_time")
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    QUEUE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_START_TIME_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_START_TIME_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    queue_number: int
    patient_id: str
    status: Appointment.Status
    expected_start_time: _timestamp_pb2.Timestamp
    actual_start_time: _timestamp_pb2.Timestamp
    def __init__(self, appointment_id: _Optional[str] = ..., queue_number: _Optional[int] = ..., patient_id: _Optional[str] = ..., status: _Optional[_Union[Appointment.Status, str]] = ..., expected_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., actual_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Queue(_message.Message):
    __slots__ = ("session_id", "date", "now_serving", "waiting", "not_arrived", "done", "average_consultation_minutes")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    NOW_SERVING_FIELD_NUMBER: _ClassVar[int]
    WAITING_FIELD_NUMBER: _ClassVar[int]
    NOT_ARRIVED_FIELD_NUMBER: _ClassVar[int]
    DONE_FIELD_NUMBER: _ClassVar[int]
    AVERAGE_CONSULTATION_MINUTES_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    date: str
    now_serving: QueueEntry
    waiting: _containers.RepeatedCompositeFieldContainer[QueueEntry]
    not_arrived: _containers.RepeatedCompositeFieldContainer[QueueEntry]
    done: _containers.RepeatedCompositeFieldContainer[QueueEntry]
    average_consultation_minutes: int
    def __init__(self, session_id: _Optional[str] = ..., date: _Optional[str] = ..., now_serving: _Optional[_Union[QueueEntry, _Mapping]] = ..., waiting: _Optional[_Iterable[_Union[QueueEntry, _Mapping]]] = ..., not_arrived: _Optional[_Iterable[_Union[QueueEntry, _Mapping]]] = ..., done: _Optional[_Iterable[_Union[QueueEntry, _Mapping]]] = ..., average_consultation_minutes: _Optional[int] = ...) -> None: ...

class Position(_message.Message):
    __slots__ = ("appointment_id", "queue_number", "patients_ahead", "now_serving", "expected_start_time", "status")
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    QUEUE_NUMBER_FIELD_NUMBER: _ClassVar[int]
    PATIENTS_AHEAD_FIELD_NUMBER: _ClassVar[int]
    NOW_SERVING_FIELD_NUMBER: _ClassVar[int]
    EXPECTED_START_TIME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    queue_number: int
    patients_ahead: int
    now_serving: int
    expected_start_time: _timestamp_pb2.Timestamp
    status: Appointment.Status
    def __init__(self, appointment_id: _Optional[str] = ..., queue_number: _Optional[int] = ..., patients_ahead: _Optional[int] = ..., now_serving: _Optional[int] = ..., expected_start_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., status: _Optional[_Union[Appointment.Status, str]] = ...) -> None: ...

class ConsultationNotes(_message.Message):
    __slots__ = ("appointment_id", "doctor_id", "patient_id", "chief_complaint", "diagnosis", "treatment_plan", "vital_signs", "follow_up_required", "follow_up_in_days", "follow_up_instructions", "addenda", "locked", "create_time", "update_time")
    class VitalSignsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    CHIEF_COMPLAINT_FIELD_NUMBER: _ClassVar[int]
    DIAGNOSIS_FIELD_NUMBER: _ClassVar[int]
    TREATMENT_PLAN_FIELD_NUMBER: _ClassVar[int]
    VITAL_SIGNS_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_REQUIRED_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_IN_DAYS_FIELD_NUMBER: _ClassVar[int]
    FOLLOW_UP_INSTRUCTIONS_FIELD_NUMBER: _ClassVar[int]
    ADDENDA_FIELD_NUMBER: _ClassVar[int]
    LOCKED_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    UPDATE_TIME_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    doctor_id: str
    patient_id: str
    chief_complaint: str
    diagnosis: str
    treatment_plan: str
    vital_signs: _containers.ScalarMap[str, str]
    follow_up_required: bool
    follow_up_in_days: int
    follow_up_instructions: str
    addenda: _containers.RepeatedCompositeFieldContainer[Addendum]
    locked: bool
    create_time: _timestamp_pb2.Timestamp
    update_time: _timestamp_pb2.Timestamp
    def __init__(self, appointment_id: _Optional[str] = ..., doctor_id: _Optional[str] = ..., patient_id: _Optional[str] = ..., chief_complaint: _Optional[str] = ..., diagnosis: _Optional[str] = ..., treatment_plan: _Optional[str] = ..., vital_signs: _Optional[_Mapping[str, str]] = ..., follow_up_required: _Optional[bool] = ..., follow_up_in_days: _Optional[int] = ..., follow_up_instructions: _Optional[str] = ..., addenda: _Optional[_Iterable[_Union[Addendum, _Mapping]]] = ..., locked: _Optional[bool] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., update_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class Addendum(_message.Message):
    __slots__ = ("id", "author_id", "text", "create_time")
    ID_FIELD_NUMBER: _ClassVar[int]
    AUTHOR_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    CREATE_TIME_FIELD_NUMBER: _ClassVar[int]
    id: str
    author_id: str
    text: str
    create_time: _timestamp_pb2.Timestamp
    def __init__(self, id: _Optional[str] = ..., author_id: _Optional[str] = ..., text: _Optional[str] = ..., create_time: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class HistoryEntry(_message.Message):
    __slots__ = ("appointment", "notes")
    APPOINTMENT_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    appointment: Appointment
    notes: ConsultationNotes
    def __init__(self, appointment: _Optional[_Union[Appointment, _Mapping]] = ..., notes: _Optional[_Union[ConsultationNotes, _Mapping]] = ...) -> None: ...

class CalendarDay(_message.Message):
    __slots__ = ("date", "available", "unavailable_reason", "occurrences")
    class Unavailability(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
        __slots__ = ()
        UNAVAILABILITY_UNSPECIFIED: _ClassVar[CalendarDay.Unavailability]
        NO_SESSION: _ClassVar[CalendarDay.Unavailability]
        HOLIDAY: _ClassVar[CalendarDay.Unavailability]
        FULL: _ClassVar[CalendarDay.Unavailability]
    UNAVAILABILITY_UNSPECIFIED: CalendarDay.Unavailability
    NO_SESSION: CalendarDay.Unavailability
    HOLIDAY: CalendarDay.Unavailability
    FULL: CalendarDay.Unavailability
    DATE_FIELD_NUMBER: _ClassVar[int]
    AVAILABLE_FIELD_NUMBER: _ClassVar[int]
    UNAVAILABLE_REASON_FIELD_NUMBER: _ClassVar[int]
    OCCURRENCES_FIELD_NUMBER: _ClassVar[int]
    date: str
    available: bool
    unavailable_reason: CalendarDay.Unavailability
    occurrences: _containers.RepeatedCompositeFieldContainer[Occurrence]
    def __init__(self, date: _Optional[str] = ..., available: _Optional[bool] = ..., unavailable_reason: _Optional[_Union[CalendarDay.Unavailability, str]] = ..., occurrences: _Optional[_Iterable[_Union[Occurrence, _Mapping]]] = ...) -> None: ...
