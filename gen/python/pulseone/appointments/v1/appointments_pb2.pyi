from google.api import annotations_pb2 as _annotations_pb2
from google.protobuf import field_mask_pb2 as _field_mask_pb2
from pulseone.appointments.v1 import resources_pb2 as _resources_pb2
from pulseone.authz.v1 import authz_pb2 as _authz_pb2
from pulseone.validation.v1 import validation_pb2 as _validation_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class UpdateNotesRequest(_message.Message):
    __slots__ = ("appointment_id", "notes", "update_mask")
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    NOTES_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    notes: _resources_pb2.ConsultationNotes
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, appointment_id: _Optional[str] = ..., notes: _Optional[_Union[_resources_pb2.ConsultationNotes, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class GetNotesRequest(_message.Message):
    __slots__ = ("appointment_id",)
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    def __init__(self, appointment_id: _Optional[str] = ...) -> None: ...

class AddAddendumRequest(_message.Message):
    __slots__ = ("appointment_id", "text")
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    TEXT_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    text: str
    def __init__(self, appointment_id: _Optional[str] = ..., text: _Optional[str] = ...) -> None: ...

class ListPatientHistoryRequest(_message.Message):
    __slots__ = ("patient_id", "page_size", "page_token")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    page_size: int
    page_token: str
    def __init__(self, patient_id: _Optional[str] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListPatientHistoryResponse(_message.Message):
    __slots__ = ("appointments", "next_page_token")
    APPOINTMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    appointments: _containers.RepeatedCompositeFieldContainer[_resources_pb2.HistoryEntry]
    next_page_token: str
    def __init__(self, appointments: _Optional[_Iterable[_Union[_resources_pb2.HistoryEntry, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetQueueRequest(_message.Message):
    __slots__ = ("session_id", "date")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    date: str
    def __init__(self, session_id: _Optional[str] = ..., date: _Optional[str] = ...) -> None: ...

class CallNextRequest(_message.Message):
    __slots__ = ("session_id", "date", "request_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    date: str
    request_id: str
    def __init__(self, session_id: _Optional[str] = ..., date: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetPositionRequest(_message.Message):
    __slots__ = ("appointment_id",)
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    def __init__(self, appointment_id: _Optional[str] = ...) -> None: ...

class UpdateSessionRequest(_message.Message):
    __slots__ = ("session_id", "session", "update_mask")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_FIELD_NUMBER: _ClassVar[int]
    UPDATE_MASK_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    session: _resources_pb2.Session
    update_mask: _field_mask_pb2.FieldMask
    def __init__(self, session_id: _Optional[str] = ..., session: _Optional[_Union[_resources_pb2.Session, _Mapping]] = ..., update_mask: _Optional[_Union[_field_mask_pb2.FieldMask, _Mapping]] = ...) -> None: ...

class GetCalendarRequest(_message.Message):
    __slots__ = ("doctor_id", "days")
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    DAYS_FIELD_NUMBER: _ClassVar[int]
    doctor_id: str
    days: int
    def __init__(self, doctor_id: _Optional[str] = ..., days: _Optional[int] = ..., **kwargs) -> None: ...

class GetCalendarResponse(_message.Message):
    __slots__ = ("days",)
    DAYS_FIELD_NUMBER: _ClassVar[int]
    days: _containers.RepeatedCompositeFieldContainer[_resources_pb2.CalendarDay]
    def __init__(self, days: _Optional[_Iterable[_Union[_resources_pb2.CalendarDay, _Mapping]]] = ...) -> None: ...

class UpdateAppointmentRequest(_message.Message):
    __slots__ = ("appointment_id", "actual_start_time", "actual_end_time", "doctor_notes", "chief_complaint")
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_START_TIME_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_END_TIME_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_NOTES_FIELD_NUMBER: _ClassVar[int]
    CHIEF_COMPLAINT_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    actual_start_time: str
    actual_end_time: str
    doctor_notes: str
    chief_complaint: str
    def __init__(self, appointment_id: _Optional[str] = ..., actual_start_time: _Optional[str] = ..., actual_end_time: _Optional[str] = ..., doctor_notes: _Optional[str] = ..., chief_complaint: _Optional[str] = ...) -> None: ...

class RescheduleAppointmentRequest(_message.Message):
    __slots__ = ("appointment_id", "session_id", "appointment_date", "request_id")
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    APPOINTMENT_DATE_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    session_id: str
    appointment_date: str
    request_id: str
    def __init__(self, appointment_id: _Optional[str] = ..., session_id: _Optional[str] = ..., appointment_date: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class CreateSessionRequest(_message.Message):
    __slots__ = ("session",)
    SESSION_FIELD_NUMBER: _ClassVar[int]
    session: _resources_pb2.Session
    def __init__(self, session: _Optional[_Union[_resources_pb2.Session, _Mapping]] = ...) -> None: ...

class ListSessionsRequest(_message.Message):
    __slots__ = ("doctor_id", "clinic_id", "active_only", "page_size", "page_token")
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    ACTIVE_ONLY_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    doctor_id: str
    clinic_id: str
    active_only: bool
    page_size: int
    page_token: str
    def __init__(self, doctor_id: _Optional[str] = ..., clinic_id: _Optional[str] = ..., active_only: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListSessionsResponse(_message.Message):
    __slots__ = ("sessions", "next_page_token")
    SESSIONS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    sessions: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Session]
    next_page_token: str
    def __init__(self, sessions: _Optional[_Iterable[_Union[_resources_pb2.Session, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class GetSessionRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class DeactivateSessionRequest(_message.Message):
    __slots__ = ("session_id", "force", "reason")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    FORCE_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    force: bool
    reason: str
    def __init__(self, session_id: _Optional[str] = ..., force: _Optional[bool] = ..., reason: _Optional[str] = ...) -> None: ...

class CreateOverrideRequest(_message.Message):
    __slots__ = ("session_id", "override")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    OVERRIDE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    override: _resources_pb2.SessionOverride
    def __init__(self, session_id: _Optional[str] = ..., override: _Optional[_Union[_resources_pb2.SessionOverride, _Mapping]] = ...) -> None: ...

class ListOverridesRequest(_message.Message):
    __slots__ = ("session_id",)
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    def __init__(self, session_id: _Optional[str] = ...) -> None: ...

class ListOverridesResponse(_message.Message):
    __slots__ = ("overrides",)
    OVERRIDES_FIELD_NUMBER: _ClassVar[int]
    overrides: _containers.RepeatedCompositeFieldContainer[_resources_pb2.SessionOverride]
    def __init__(self, overrides: _Optional[_Iterable[_Union[_resources_pb2.SessionOverride, _Mapping]]] = ...) -> None: ...

class DeleteOverrideRequest(_message.Message):
    __slots__ = ("session_id", "date")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    date: str
    def __init__(self, session_id: _Optional[str] = ..., date: _Optional[str] = ...) -> None: ...

class DeleteOverrideResponse(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ListAvailabilityRequest(_message.Message):
    __slots__ = ("doctor_id", "specialization", "clinic_id", "service_type", "to")
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    SPECIALIZATION_FIELD_NUMBER: _ClassVar[int]
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    SERVICE_TYPE_FIELD_NUMBER: _ClassVar[int]
    FROM_FIELD_NUMBER: _ClassVar[int]
    TO_FIELD_NUMBER: _ClassVar[int]
    doctor_id: str
    specialization: str
    clinic_id: str
    service_type: _resources_pb2.Session.ServiceType
    to: str
    def __init__(self, doctor_id: _Optional[str] = ..., specialization: _Optional[str] = ..., clinic_id: _Optional[str] = ..., service_type: _Optional[_Union[_resources_pb2.Session.ServiceType, str]] = ..., to: _Optional[str] = ..., **kwargs) -> None: ...

class ListAvailabilityResponse(_message.Message):
    __slots__ = ("occurrences",)
    OCCURRENCES_FIELD_NUMBER: _ClassVar[int]
    occurrences: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Occurrence]
    def __init__(self, occurrences: _Optional[_Iterable[_Union[_resources_pb2.Occurrence, _Mapping]]] = ...) -> None: ...

class BookAppointmentRequest(_message.Message):
    __slots__ = ("session_id", "appointment_date", "patient_id", "appointment_type", "chief_complaint", "request_id")
    SESSION_ID_FIELD_NUMBER: _ClassVar[int]
    APPOINTMENT_DATE_FIELD_NUMBER: _ClassVar[int]
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    APPOINTMENT_TYPE_FIELD_NUMBER: _ClassVar[int]
    CHIEF_COMPLAINT_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    session_id: str
    appointment_date: str
    patient_id: str
    appointment_type: _resources_pb2.Appointment.Type
    chief_complaint: str
    request_id: str
    def __init__(self, session_id: _Optional[str] = ..., appointment_date: _Optional[str] = ..., patient_id: _Optional[str] = ..., appointment_type: _Optional[_Union[_resources_pb2.Appointment.Type, str]] = ..., chief_complaint: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...

class GetAppointmentRequest(_message.Message):
    __slots__ = ("appointment_id",)
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    def __init__(self, appointment_id: _Optional[str] = ...) -> None: ...

class ListAppointmentsRequest(_message.Message):
    __slots__ = ("patient_id", "doctor_id", "clinic_id", "date", "status", "upcoming", "page_size", "page_token")
    PATIENT_ID_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_ID_FIELD_NUMBER: _ClassVar[int]
    CLINIC_ID_FIELD_NUMBER: _ClassVar[int]
    DATE_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    UPCOMING_FIELD_NUMBER: _ClassVar[int]
    PAGE_SIZE_FIELD_NUMBER: _ClassVar[int]
    PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    patient_id: str
    doctor_id: str
    clinic_id: str
    date: str
    status: _resources_pb2.Appointment.Status
    upcoming: bool
    page_size: int
    page_token: str
    def __init__(self, patient_id: _Optional[str] = ..., doctor_id: _Optional[str] = ..., clinic_id: _Optional[str] = ..., date: _Optional[str] = ..., status: _Optional[_Union[_resources_pb2.Appointment.Status, str]] = ..., upcoming: _Optional[bool] = ..., page_size: _Optional[int] = ..., page_token: _Optional[str] = ...) -> None: ...

class ListAppointmentsResponse(_message.Message):
    __slots__ = ("appointments", "next_page_token")
    APPOINTMENTS_FIELD_NUMBER: _ClassVar[int]
    NEXT_PAGE_TOKEN_FIELD_NUMBER: _ClassVar[int]
    appointments: _containers.RepeatedCompositeFieldContainer[_resources_pb2.Appointment]
    next_page_token: str
    def __init__(self, appointments: _Optional[_Iterable[_Union[_resources_pb2.Appointment, _Mapping]]] = ..., next_page_token: _Optional[str] = ...) -> None: ...

class CheckInAppointmentRequest(_message.Message):
    __slots__ = ("appointment_id",)
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    def __init__(self, appointment_id: _Optional[str] = ...) -> None: ...

class StartAppointmentRequest(_message.Message):
    __slots__ = ("appointment_id", "actual_start_time")
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_START_TIME_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    actual_start_time: str
    def __init__(self, appointment_id: _Optional[str] = ..., actual_start_time: _Optional[str] = ...) -> None: ...

class CompleteAppointmentRequest(_message.Message):
    __slots__ = ("appointment_id", "actual_start_time", "actual_end_time", "doctor_notes")
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_START_TIME_FIELD_NUMBER: _ClassVar[int]
    ACTUAL_END_TIME_FIELD_NUMBER: _ClassVar[int]
    DOCTOR_NOTES_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    actual_start_time: str
    actual_end_time: str
    doctor_notes: str
    def __init__(self, appointment_id: _Optional[str] = ..., actual_start_time: _Optional[str] = ..., actual_end_time: _Optional[str] = ..., doctor_notes: _Optional[str] = ...) -> None: ...

class MarkNoShowRequest(_message.Message):
    __slots__ = ("appointment_id",)
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    def __init__(self, appointment_id: _Optional[str] = ...) -> None: ...

class CancelAppointmentRequest(_message.Message):
    __slots__ = ("appointment_id", "reason")
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    reason: str
    def __init__(self, appointment_id: _Optional[str] = ..., reason: _Optional[str] = ...) -> None: ...

class ListStatusChangesRequest(_message.Message):
    __slots__ = ("appointment_id",)
    APPOINTMENT_ID_FIELD_NUMBER: _ClassVar[int]
    appointment_id: str
    def __init__(self, appointment_id: _Optional[str] = ...) -> None: ...

class ListStatusChangesResponse(_message.Message):
    __slots__ = ("status_changes",)
    STATUS_CHANGES_FIELD_NUMBER: _ClassVar[int]
    status_changes: _containers.RepeatedCompositeFieldContainer[_resources_pb2.StatusChange]
    def __init__(self, status_changes: _Optional[_Iterable[_Union[_resources_pb2.StatusChange, _Mapping]]] = ...) -> None: ...
